// The built package and the LaunchDarkly SDK, as a user's process loads them:
// the root entry never loads `@launchdarkly/node-server-sdk` (an optional
// peer), and `dynastore/launchdarkly`, through the package's `exports`, gives
// the SDK a working store, on aws-sdk v2 without loading aws-sdk v3.
import { expect } from 'chai';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  builtPackage,
  runNode,
  userScript as script,
  type PackageFixture,
  type Report,
} from '../helpers/package-fixture';
import { createTable, rawClient, servers } from '../helpers/server';

const LD_MODULE = /node_modules\/@launchdarkly\//;
const V3_MODULE = /node_modules\/@aws-sdk\//;
/** This test run keeps aws-sdk v2's notice out of its output. */
const QUIET = { ...process.env, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' };

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
  let pkg: PackageFixture;
  let endpoint: string;
  let tableName: string;

  before(async function () {
    this.timeout(180_000);
    pkg = await builtPackage();
    writeFileSync(join(pkg.home, 'root-only.js'), ROOT_ONLY);
    writeFileSync(join(pkg.home, 'launchdarkly.js'), LAUNCHDARKLY);

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

  it('the root entry never loads @launchdarkly/node-server-sdk', async function () {
    this.timeout(60_000);
    const { code, stdout, stderr } = await runNode(
      pkg.home,
      [join(pkg.home, 'root-only.js'), endpoint, tableName],
      QUIET,
    );
    expect(code, stderr).to.equal(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.results).to.deep.equal(['function']);
    expect(report.loaded.some((m) => m.startsWith(pkg.dist))).to.equal(true);
    expect(report.loaded.filter((m) => LD_MODULE.test(m))).to.deep.equal([]);
  });

  it('dynastore/launchdarkly through exports: the SDK evaluates a flag from the table, on aws-sdk v2 without v3', async function () {
    this.timeout(60_000);
    const { code, stdout, stderr } = await runNode(
      pkg.home,
      [join(pkg.home, 'launchdarkly.js'), endpoint, tableName],
      QUIET,
    );
    expect(code, stderr).to.equal(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.results).to.deep.equal(['on']);
    expect(report.loaded).to.include(join(pkg.dist, 'launchdarkly.js'));
    expect(report.loaded.filter((m) => V3_MODULE.test(m))).to.deep.equal([]);
  });

  it("declares the LaunchDarkly SDK's types only behind dynastore/launchdarkly", () => {
    const dist = pkg.dist;
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
    const manifest = JSON.parse(readFileSync(join(pkg.packageDir, 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
      typesVersions: Record<string, Record<string, string[]>>;
    };
    expect(manifest.exports['./launchdarkly']).to.deep.equal({
      types: './dist/launchdarkly.d.ts',
      default: './dist/launchdarkly.js',
    });
    expect(manifest.typesVersions['*']?.launchdarkly).to.deep.equal(['dist/launchdarkly.d.ts']);
  });
});
