// The built package, as a user's process loads it: built with the build's
// own tsconfig (what `npm run build` runs) into a private node_modules, and
// required by plain node scripts run in child processes. A process on aws-sdk
// v3 alone never loads aws-sdk v2 (no end-of-support notice, no aws-sdk
// module in require.cache), and one on v2 alone never loads v3.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTable, localConfig, rawClient, servers } from '../helpers/server';

const ROOT = join(__dirname, '..', '..');
/** A node_modules of this process's own, under the git-ignored build/. */
const HOME = join(ROOT, 'build', `package-test-${process.pid}`);
const PACKAGE = join(HOME, 'node_modules', 'dynastore');

const V2_NOTICE = /AWS SDK for JavaScript \(v2\)|end-of-support/;
const V2_MODULE = /node_modules\/aws-sdk\//;
const V3_MODULE = /node_modules\/@aws-sdk\//;

/** What a child script prints: its results, and every module it loaded. */
interface Report {
  results: unknown[];
  loaded: string[];
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: HOME, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The environment of a user's process: without the notice suppression this test run sets for itself. */
function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE;
  delete env.AWS_EXECUTION_ENV;
  return env;
}

/** A script that uses dynastore one way, then reports; waits past v2's notice timer before it exits. */
function script(body: string): string {
  return `'use strict';
const config = { ...${JSON.stringify(localConfig)}, endpoint: process.argv[2] };
const tableName = process.argv[3];
(async () => {
  const results = [];
${body}
  await new Promise((r) => setTimeout(r, 50));
  process.stdout.write(JSON.stringify({ results, loaded: Object.keys(require.cache) }));
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;
}

const V3_ONLY = script(`
  const { Session, writeWithAttributeValue, writeWithFields } = require('dynastore');
  const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
  const { dynamoDBClient, marshalStruct, unmarshalStruct } = require('dynastore/v3');
  for (const [i, client] of [new DynamoDBClient(config), dynamoDBClient(config)].entries()) {
    const p = new Session({ client }).table(tableName).partition('v3-only');
    await p.put('k' + i, writeWithAttributeValue(marshalStruct({ n: i, tags: new Set(['a']) })), writeWithFields({ f: 'x' }));
    const kv = await p.get('k' + i);
    const struct = unmarshalStruct(kv.value);
    results.push({ n: struct.n, tags: [...struct.tags], decoded: kv.decodeValue().n, fields: kv.decodeFields() });
    client.destroy();
  }`);

const V2_ONLY = script(`
  const { Session, marshalStruct, unmarshalStruct, writeWithAttributeValue, writeWithFields } = require('dynastore');
  const session = new Session({ config });
  const p = session.table(tableName).partition('v2-only');
  await p.put('k', writeWithAttributeValue(marshalStruct({ n: 7 })), writeWithFields({ f: 'x' }));
  const kv = await p.get('k');
  results.push({ n: unmarshalStruct(kv.value).n, decoded: kv.decodeValue().n, fields: kv.decodeFields() });
  session.close();`);

describe('the built package, loaded by a plain node process', () => {
  let endpoint: string;
  let tableName: string;

  before(async function () {
    // A full TypeScript build of lib/: seconds on a quiet machine, many more on a loaded 2-core one.
    this.timeout(180_000);
    rmSync(HOME, { recursive: true, force: true });
    mkdirSync(PACKAGE, { recursive: true });
    // A package of its own: under this repository, a script would otherwise require itself as 'dynastore'.
    writeFileSync(join(HOME, 'package.json'), JSON.stringify({ name: 'a-user', private: true }));
    copyFileSync(join(ROOT, 'package.json'), join(PACKAGE, 'package.json'));
    const tsc = require.resolve('typescript/bin/tsc');
    const built = await run(process.execPath, [
      tsc,
      '-p',
      join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      join(PACKAGE, 'dist'),
    ]);
    expect(built.code, built.stdout + built.stderr).to.equal(0);
    writeFileSync(join(HOME, 'v3-only.js'), V3_ONLY);
    writeFileSync(join(HOME, 'v2-only.js'), V2_ONLY);
    endpoint = await (servers[0] ?? expect.fail('no server')).endpoint();
    tableName = await createTable(rawClient(endpoint), 'package');
  });

  after(() => rmSync(HOME, { recursive: true, force: true }));

  it('on aws-sdk v3 alone: requests work, and aws-sdk v2 is never loaded: no notice on stderr, no module', async function () {
    this.timeout(60_000);
    const { code, stdout, stderr } = await run(
      process.execPath,
      [join(HOME, 'v3-only.js'), endpoint, tableName],
      userEnv(),
    );
    expect(code, stderr).to.equal(0);
    expect(stderr).to.not.match(V2_NOTICE);
    const report = JSON.parse(stdout) as Report;
    expect(report.loaded.filter((m) => V2_MODULE.test(m))).to.deep.equal([]);
    expect(report.loaded.some((m) => m.startsWith(join(PACKAGE, 'dist')))).to.equal(true);
    expect(report.loaded.some((m) => /node_modules\/@aws-sdk\/client-dynamodb\//.test(m))).to.equal(true);
    expect(report.results).to.deep.equal([
      { n: 0, tags: ['a'], decoded: 0, fields: { f: 'x' } },
      { n: 1, tags: ['a'], decoded: 1, fields: { f: 'x' } },
    ]);
  });

  it('on aws-sdk v2 alone: requests work, and aws-sdk v3 is never loaded (v2 prints its notice, so the check above can see it)', async function () {
    this.timeout(60_000);
    const { code, stdout, stderr } = await run(
      process.execPath,
      [join(HOME, 'v2-only.js'), endpoint, tableName],
      userEnv(),
    );
    expect(code, stderr).to.equal(0);
    expect(stderr).to.match(V2_NOTICE);
    const report = JSON.parse(stdout) as Report;
    expect(report.loaded.filter((m) => V3_MODULE.test(m))).to.deep.equal([]);
    expect(report.loaded.some((m) => V2_MODULE.test(m))).to.equal(true);
    expect(report.results).to.deep.equal([{ n: 7, decoded: 7, fields: { f: 'x' } }]);
  });

  it("declares aws-sdk v3's types only behind dynastore/v3", () => {
    const dist = join(PACKAGE, 'dist');
    const withV3 = readdirSync(dist).filter(
      (f) => f.endsWith('.d.ts') && /(from |import\()['"]@aws-sdk\//.test(readFileSync(join(dist, f), 'utf8')),
    );
    expect(withV3).to.deep.equal(['v3.d.ts']);
    // And no other declaration file reaches it, or the adapter: the root entry's types compile without v3.
    const reaching = readdirSync(dist).filter(
      (f) =>
        f.endsWith('.d.ts') && f !== 'v3.d.ts' && /['"]\.\/(v3|sdk-v3)['"]/.test(readFileSync(join(dist, f), 'utf8')),
    );
    expect(reaching).to.deep.equal([]);
    const pkg = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as {
      exports: Record<string, { types?: string; default?: string }>;
    };
    expect(pkg.exports['./v3']).to.deep.equal({ types: './dist/v3.d.ts', default: './dist/v3.js' });
  });
});
