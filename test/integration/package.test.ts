// The built package, as a user's process loads it: built with the build's
// own tsconfig (what `npm run build` runs) into a private node_modules, and
// required by plain node scripts run in child processes. A process on aws-sdk
// v3 alone never loads aws-sdk v2 (no end-of-support notice, no aws-sdk
// module in require.cache), and one on v2 alone never loads v3.
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

const V2_NOTICE = /AWS SDK for JavaScript \(v2\)|end-of-support/;
const V2_MODULE = /node_modules\/aws-sdk\//;
const V3_MODULE = /node_modules\/@aws-sdk\//;

/** The environment of a user's process: without the notice suppression this test run sets for itself. */
function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE;
  delete env.AWS_EXECUTION_ENV;
  return env;
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
  let pkg: PackageFixture;
  let endpoint: string;
  let tableName: string;

  before(async function () {
    this.timeout(180_000);
    pkg = await builtPackage();
    writeFileSync(join(pkg.home, 'v3-only.js'), V3_ONLY);
    writeFileSync(join(pkg.home, 'v2-only.js'), V2_ONLY);
    endpoint = await (servers[0] ?? expect.fail('no server')).endpoint();
    tableName = await createTable(rawClient(endpoint), 'package');
  });

  it('on aws-sdk v3 alone: requests work, and aws-sdk v2 is never loaded: no notice on stderr, no module', async function () {
    this.timeout(60_000);
    const { code, stdout, stderr } = await runNode(
      pkg.home,
      [join(pkg.home, 'v3-only.js'), endpoint, tableName],
      userEnv(),
    );
    expect(code, stderr).to.equal(0);
    expect(stderr).to.not.match(V2_NOTICE);
    const report = JSON.parse(stdout) as Report;
    expect(report.loaded.filter((m) => V2_MODULE.test(m))).to.deep.equal([]);
    expect(report.loaded.some((m) => m.startsWith(pkg.dist))).to.equal(true);
    expect(report.loaded.some((m) => /node_modules\/@aws-sdk\/client-dynamodb\//.test(m))).to.equal(true);
    expect(report.results).to.deep.equal([
      { n: 0, tags: ['a'], decoded: 0, fields: { f: 'x' } },
      { n: 1, tags: ['a'], decoded: 1, fields: { f: 'x' } },
    ]);
  });

  it('on aws-sdk v2 alone: requests work, and aws-sdk v3 is never loaded (v2 prints its notice, so the check above can see it)', async function () {
    this.timeout(60_000);
    const { code, stdout, stderr } = await runNode(
      pkg.home,
      [join(pkg.home, 'v2-only.js'), endpoint, tableName],
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
    const dist = pkg.dist;
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
    const manifest = JSON.parse(readFileSync(join(pkg.packageDir, 'package.json'), 'utf8')) as {
      exports: Record<string, { types?: string; default?: string }>;
    };
    expect(manifest.exports['./v3']).to.deep.equal({ types: './dist/v3.d.ts', default: './dist/v3.js' });
  });
});
