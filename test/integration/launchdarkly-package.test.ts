// The built package and the LaunchDarkly SDK, as a user's process loads them:
// the root entry never loads `@launchdarkly/node-server-sdk` (an optional
// peer), and `dynastore/launchdarkly`, through the package's `exports`, gives
// the SDK a working store, on aws-sdk v2 without loading aws-sdk v3.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTable, localConfig, rawClient, servers } from '../helpers/server';

const ROOT = join(__dirname, '..', '..');
/** A node_modules of this process's own, under the git-ignored build/. */
const HOME = join(ROOT, 'build', `ld-package-test-${process.pid}`);
const PACKAGE = join(HOME, 'node_modules', 'dynastore');

const LD_MODULE = /node_modules\/@launchdarkly\//;
const V3_MODULE = /node_modules\/@aws-sdk\//;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' };
    const child = spawn(process.execPath, args, { cwd: HOME, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A script that prints its results and every module it loaded. */
function script(body: string): string {
  return `'use strict';
const config = { ...${JSON.stringify(localConfig)}, endpoint: process.argv[2] };
const tableName = process.argv[3];
(async () => {
  const results = [];
${body}
  process.stdout.write(JSON.stringify({ results, loaded: Object.keys(require.cache) }));
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;
}

const ROOT_ONLY = script(`
  const { Session } = require('dynastore');
  const session = new Session({ config });
  await session.table(tableName).partition('namespace-free').exists('k').catch(() => undefined);
  results.push(typeof Session);
  session.close();`);

const LAUNCHDARKLY = script(`
  const AWS = require('aws-sdk');
  const { init, basicLogger } = require('@launchdarkly/node-server-sdk');
  const { DynamoDBFeatureStore } = require('dynastore/launchdarkly');
  const featureStore = DynamoDBFeatureStore(tableName, { client: new AWS.DynamoDB(config), cacheTTL: 0 });
  const client = init('sdk-key', { featureStore, useLdd: true, sendEvents: false, logger: basicLogger({ level: 'none' }) });
  await client.waitForInitialization({ timeout: 5 });
  results.push(await client.variation('packaged', { kind: 'user', key: 'u' }, 'default'));
  client.close();`);

describe('dynastore/launchdarkly in the built package, loaded by a plain node process', () => {
  let endpoint: string;
  let tableName: string;

  before(async function () {
    // A full TypeScript build of lib/: seconds on a quiet machine, many more on a loaded 2-core one.
    this.timeout(180_000);
    rmSync(HOME, { recursive: true, force: true });
    mkdirSync(PACKAGE, { recursive: true });
    writeFileSync(join(HOME, 'package.json'), JSON.stringify({ name: 'a-user', private: true }));
    copyFileSync(join(ROOT, 'package.json'), join(PACKAGE, 'package.json'));
    const tsc = require.resolve('typescript/bin/tsc');
    const built = await run([tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(PACKAGE, 'dist')]);
    expect(built.code, built.stdout + built.stderr).to.equal(0);
    writeFileSync(join(HOME, 'root-only.js'), ROOT_ONLY);
    writeFileSync(join(HOME, 'launchdarkly.js'), LAUNCHDARKLY);

    endpoint = await (servers[0] ?? expect.fail('no server')).endpoint();
    const ddb = rawClient(endpoint);
    tableName = await createTable(ddb, 'ld-package', { partitionKey: 'namespace', sortKey: 'key' });
    const packaged = {
      key: 'packaged',
      version: 1,
      on: true,
      variations: ['off', 'on'],
      fallthrough: { variation: 1 },
      offVariation: 0,
    };
    await ddb
      .putItem({
        TableName: tableName,
        Item: {
          namespace: { S: 'features' },
          key: { S: 'packaged' },
          version: { N: '1' },
          item: { S: JSON.stringify(packaged) },
        },
      })
      .promise();
  });

  after(() => rmSync(HOME, { recursive: true, force: true }));

  it('the root entry never loads @launchdarkly/node-server-sdk', async function () {
    this.timeout(60_000);
    const { code, stdout, stderr } = await run([join(HOME, 'root-only.js'), endpoint, tableName]);
    expect(code, stderr).to.equal(0);
    const report = JSON.parse(stdout) as { results: unknown[]; loaded: string[] };
    expect(report.results).to.deep.equal(['function']);
    expect(report.loaded.some((m) => m.startsWith(join(PACKAGE, 'dist')))).to.equal(true);
    expect(report.loaded.filter((m) => LD_MODULE.test(m))).to.deep.equal([]);
  });

  it('dynastore/launchdarkly through exports: the SDK evaluates a flag from the table, on aws-sdk v2 without v3', async function () {
    this.timeout(60_000);
    const { code, stdout, stderr } = await run([join(HOME, 'launchdarkly.js'), endpoint, tableName]);
    expect(code, stderr).to.equal(0);
    const report = JSON.parse(stdout) as { results: unknown[]; loaded: string[] };
    expect(report.results).to.deep.equal(['on']);
    expect(report.loaded).to.include(join(PACKAGE, 'dist', 'launchdarkly.js'));
    expect(report.loaded.filter((m) => V3_MODULE.test(m))).to.deep.equal([]);
  });

  it("declares the LaunchDarkly SDK's types only behind dynastore/launchdarkly", () => {
    const dist = join(PACKAGE, 'dist');
    const declarations = readdirSync(dist).filter((f) => f.endsWith('.d.ts'));
    const withLaunchDarkly = declarations.filter((f) =>
      /['"]@launchdarkly\//.test(readFileSync(join(dist, f), 'utf8')),
    );
    expect(withLaunchDarkly.filter((f) => !f.startsWith('launchdarkly'))).to.deep.equal([]);
    // And no other declaration file reaches them: the root entry's types compile without the SDK.
    const reaching = declarations.filter(
      (f) => !f.startsWith('launchdarkly') && /['"]\.\/launchdarkly/.test(readFileSync(join(dist, f), 'utf8')),
    );
    expect(reaching).to.deep.equal([]);
    const pkg = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
      typesVersions: Record<string, Record<string, string[]>>;
    };
    expect(pkg.exports['./launchdarkly']).to.deep.equal({
      types: './dist/launchdarkly.d.ts',
      default: './dist/launchdarkly.js',
    });
    expect(pkg.typesVersions['*']?.launchdarkly).to.deep.equal(['dist/launchdarkly.d.ts']);
  });
});
