// npm run bench: what the library costs over raw aws-sdk v2, and what it
// saves. Prints one table and exits. Throughput figures are medians of
// alternating rounds (library, raw, library, raw, …) reported as ratios, since
// absolute figures on shared machines drift. Not part of npm test.
import '../helpers/setup';
import AWS from 'aws-sdk';
import { deepStrictEqual } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { Session, writeWithFields, writeWithString, type RequestParams } from '../../lib';
import { createTable, freePort, localConfig, waitUntilServing } from '../helpers/server';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
const CONCURRENCY = 16;
const TABLE = 'bench';
const JSON_VALUE = '{"name":"Stax","plan":"pro","tags":["a","b"]}';

interface Row {
  measure: string;
  library: string;
  baseline: string;
  result: string;
  goal: string;
  met: string;
}
const rows: Row[] = [];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function node(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--expose-gc', '-r', 'ts-node/register', join(__dirname, script), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const at = out.indexOf('\n');
      if (at >= 0) resolve(out.slice(0, at));
    });
    child.once('exit', (code) => reject(new Error(`${String(child.spawnargs[3])} exited ${code}`)));
  });
}

async function startStub(): Promise<{ endpoint: string; stop: () => void }> {
  const child = node('stub-server.ts', []);
  const port = await firstLine(child);
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

async function startDynalite(): Promise<{ endpoint: string; stop: () => void }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [require.resolve('dynalite/cli.js'), '--port', String(port), '--host', '127.0.0.1', '--createTableMs', '0'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilServing(endpoint, child, () => '');
  return { endpoint, stop: () => child.kill() };
}

/** Operations per second doing `total` operations with `CONCURRENCY` in flight. */
async function throughput(total: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) await op(next++);
    }),
  );
  return total / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** Alternating rounds of library and raw; the median of each and of their ratios. */
async function compare(
  measure: string,
  total: number,
  library: (i: number) => Promise<unknown>,
  raw: (i: number) => Promise<unknown>,
  goal: number,
): Promise<void> {
  await throughput(total, library); // a full round of each to warm up, not counted
  await throughput(total, raw);
  const lib: number[] = [];
  const base: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const l = await throughput(total, library);
    const b = await throughput(total, raw);
    lib.push(l);
    base.push(b);
    ratios.push(l / b);
  }
  const ratio = median(ratios);
  rows.push({
    measure,
    library: `${median(lib).toFixed(0)} ops/s`,
    baseline: `${median(base).toFixed(0)} ops/s`,
    result: `${ratio.toFixed(3)}×`,
    goal: `≥ ${goal}×`,
    met: ratio >= goal ? 'yes' : 'no',
  });
  console.error(`  ${measure}: ${ratio.toFixed(3)}× (rounds: ${ratios.map((x) => x.toFixed(3)).join(', ')})`);
}

/** The params the library sends for `run`, as its hook sees them. */
async function paramsOf(client: AWS.DynamoDB, run: (s: Session) => Promise<unknown>): Promise<RequestParams[]> {
  const seen: RequestParams[] = [];
  await run(
    new Session({
      client,
      hooks: {
        requestBuilt: (_ctx, params) => {
          seen.push(params);
        },
      },
    }),
  );
  return seen;
}

const key = { id: { S: TABLE }, name: { S: 'user/123' } };
const nowSeconds = (): string => String(Math.floor(Date.now() / 1000));

/** What a user writing raw aws-sdk v2 code would send for each operation: the library's exact requests. */
const rawRequests = {
  get: (): AWS.DynamoDB.GetItemInput => ({ TableName: TABLE, Key: key, ConsistentRead: true }),
  put: (): AWS.DynamoDB.UpdateItemInput => ({
    TableName: TABLE,
    Key: key,
    UpdateExpression: 'SET #n0 = :v0 REMOVE #n1 ADD #n2 :v1',
    ConditionExpression: 'attribute_not_exists(#n3) OR attribute_not_exists(#n1) OR #n1 > :v2',
    ExpressionAttributeNames: { '#n0': 'payload', '#n1': 'expires', '#n2': 'version', '#n3': 'id' },
    ExpressionAttributeValues: { ':v0': { S: JSON_VALUE }, ':v1': { N: '1' }, ':v2': { N: nowSeconds() } },
  }),
  atomicPut: (): AWS.DynamoDB.UpdateItemInput => ({
    TableName: TABLE,
    Key: key,
    UpdateExpression: 'SET #n0 = :v1 REMOVE #n1 ADD #n2 :v2',
    ConditionExpression: '#n2 = :v3 AND (attribute_not_exists(#n1) OR #n1 > :v0)',
    ExpressionAttributeNames: { '#n0': 'payload', '#n1': 'expires', '#n2': 'version' },
    ExpressionAttributeValues: {
      ':v0': { N: nowSeconds() },
      ':v1': { S: JSON_VALUE },
      ':v2': { N: '1' },
      ':v3': { N: '7' },
    },
    ReturnValues: 'ALL_NEW',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  }),
  listPage: (): AWS.DynamoDB.QueryInput => ({
    TableName: TABLE,
    KeyConditionExpression: '#n0 = :v0 AND begins_with(#n1, :v1)',
    FilterExpression: '(attribute_not_exists(#n2) OR #n2 > :v2)',
    ExpressionAttributeNames: { '#n0': 'id', '#n1': 'name', '#n2': 'expires' },
    ExpressionAttributeValues: { ':v0': { S: TABLE }, ':v1': { S: 'item/' }, ':v2': { N: nowSeconds() } },
    ScanIndexForward: true,
    ConsistentRead: true,
  }),
};

/** The four operations, through the library. */
function libraryOps(session: Session): Record<keyof typeof rawRequests, () => Promise<unknown>> {
  const users = session.table(TABLE).partition(TABLE);
  return {
    get: () => users.get('user/123'),
    put: () => users.put('user/123', writeWithString(JSON_VALUE)),
    atomicPut: () => users.atomicPut('user/123', writeWithString(JSON_VALUE), { previous: { version: 7 } }),
    listPage: () => users.listPage('item/'),
  };
}

async function clientOverhead(): Promise<void> {
  console.error('1. client overhead, against a stub endpoint in another process');
  const stub = await startStub();
  const client = new AWS.DynamoDB({
    ...localConfig,
    endpoint: stub.endpoint,
    httpOptions: { agent: new Agent({ keepAlive: true }) },
  });
  const library = libraryOps(new Session({ client }));
  const raw = {
    get: () => client.getItem(rawRequests.get()).promise(),
    put: () => client.updateItem(rawRequests.put()).promise(),
    atomicPut: () => client.updateItem(rawRequests.atomicPut()).promise(),
    listPage: () => client.query(rawRequests.listPage()).promise(),
  };
  // The comparison is fair only if both send the same request.
  for (const op of ['get', 'put', 'atomicPut', 'listPage'] as const) {
    deepStrictEqual(await paramsOf(client, (s) => libraryOps(s)[op]()), [rawRequests[op]()]);
  }
  await compare('get (GetItem)', 3000, library.get, raw.get, 0.95);
  await compare('put (UpdateItem)', 3000, library.put, raw.put, 0.95);
  await compare('atomicPut with previous (UpdateItem, ALL_NEW)', 3000, library.atomicPut, raw.atomicPut, 0.95);
  await compare('listPage of 100 items (Query)', 600, library.listPage, raw.listPage, 0.9);
  stub.stop();
}

/** Sessions and raw clients at their default settings, against dynalite in another process. */
async function endToEnd(endpoint: string, tableName: string): Promise<void> {
  console.error('2. end to end at default settings, against dynalite in another process');
  const config = { region: 'us-east-1', endpoint, credentials: localConfig.credentials };
  const session = new Session({ config });
  const raw = new AWS.DynamoDB(config);
  const users = session.table(tableName).partition(TABLE);
  await users.put('user/123', writeWithString(JSON_VALUE));
  const get = (): AWS.DynamoDB.GetItemInput => ({ TableName: tableName, Key: key, ConsistentRead: true });
  await compare(
    'get, Session from config vs raw client with defaults',
    1000,
    () => users.get('user/123'),
    () => raw.getItem(get()).promise(),
    1.3,
  );
  session.close();
}

/** Requests each operation makes, counted by the hooks. */
async function roundTrips(endpoint: string, tableName: string): Promise<void> {
  console.error('3. round trips');
  let requests = 0;
  const session = new Session({
    config: { ...localConfig, endpoint },
    hooks: {
      requestBuilt: () => {
        requests++;
      },
    },
  });
  const p = session.table(tableName).partition('trips');
  const count = async (run: () => Promise<unknown>): Promise<number> => {
    requests = 0;
    await run();
    return requests;
  };
  const single: Array<[string, () => Promise<unknown>]> = [
    ['atomicPut (create)', () => p.atomicPut('k', writeWithString('v'))],
    ['put', () => p.put('k', writeWithString('v'), writeWithFields({ created: '2024' }))],
    ['get', () => p.get('k')],
    ['exists', () => p.exists('k')],
    ['listPage', () => p.listPage('')],
    ['atomicPut (with previous)', async () => p.atomicPut('k', { previous: await p.get('k') })],
    ['atomicDelete (with previous)', async () => p.atomicDelete('k', await p.get('k'))],
    ['atomicDelete (without previous)', () => p.atomicDelete('k')],
    ['delete', () => p.delete('k')],
  ];
  const counts: string[] = [];
  let allOne = true;
  for (const [name, run] of single) {
    let n = await count(run);
    if (name.includes('with previous')) n -= 1; // the get that fetched previous
    counts.push(`${name} ${n}`);
    allOne &&= n === 1;
  }
  rows.push({
    measure: 'requests per operation, success path',
    library: counts.join('; '),
    baseline: '',
    result: allOne ? 'all 1' : 'not all 1',
    goal: '1 each',
    met: allOne ? 'yes' : 'no',
  });

  const items = 1000;
  const limit = 100;
  await Promise.all(
    Array.from({ length: items }, (_, i) => p.put(`item/${String(i).padStart(4, '0')}`, writeWithString('x'))),
  );
  let seen = 0;
  const iterated = await count(async () => {
    for await (const kv of p.iterate('item/', { limit })) if (kv.key.length > 0) seen++;
  });
  const ceiling = Math.ceil(items / limit);
  rows.push({
    measure: `iterate over ${items} items with limit ${limit}`,
    library: `${iterated} requests, ${seen} items`,
    baseline: `⌈N/L⌉ = ${ceiling}`,
    result: `${iterated}`,
    goal: `≤ ${ceiling + 1}`,
    met: iterated <= ceiling + 1 && seen === items ? 'yes' : 'no',
  });
  const keys = Array.from({ length: items }, (_, i) => `item/${String(i).padStart(4, '0')}`);
  const many = await count(() => p.getMany(keys));
  rows.push({
    measure: `getMany of ${items} keys`,
    library: `${many} requests`,
    baseline: `${items} gets: ${items} requests`,
    result: `${many}`,
    goal: '⌈keys/100⌉ = 10',
    met: many === 10 ? 'yes' : 'no',
  });
  session.close();
}

/** getMany against the same keys read one get at a time, in time. */
async function bulkReads(endpoint: string, tableName: string): Promise<void> {
  console.error('5. bulk reads');
  const session = new Session({ config: { ...localConfig, endpoint } });
  const p = session.table(tableName).partition('trips');
  const keys = Array.from({ length: 1000 }, (_, i) => `item/${String(i).padStart(4, '0')}`);
  const many: number[] = [];
  const sequential: number[] = [];
  for (let r = 0; r < 3; r++) {
    let t = process.hrtime.bigint();
    const found = await p.getMany(keys);
    many.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (found.some((kv) => kv === undefined)) throw new Error('getMany missed a key');
    t = process.hrtime.bigint();
    for (const k of keys) await p.get(k);
    sequential.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  rows.push({
    measure: 'getMany of 1,000 keys vs 1,000 sequential gets (time)',
    library: `${median(many).toFixed(0)} ms`,
    baseline: `${median(sequential).toFixed(0)} ms`,
    result: `${(median(sequential) / median(many)).toFixed(1)}× faster`,
    goal: 'report',
    met: '',
  });
  session.close();
}

/** Peak RSS growth streaming 100,000 items, each mode in a fresh process. */
async function streaming(): Promise<void> {
  console.error('4. streaming 100,000 items from the stub');
  const stub = await startStub();
  const measure = async (mode: string): Promise<{ items: number; ms: number; peakGrowthMiB: number }> =>
    JSON.parse(await firstLine(node('stream.ts', [mode, stub.endpoint, '100000']))) as {
      items: number;
      ms: number;
      peakGrowthMiB: number;
    };
  const iterated = await measure('iterate');
  const listed = await measure('list');
  rows.push({
    measure: 'peak RSS growth over 100,000 items: iterate vs list()',
    library: `iterate ${iterated.peakGrowthMiB.toFixed(1)} MiB (${iterated.items} items, ${(iterated.ms / 1000).toFixed(1)} s)`,
    baseline: `list() ${listed.peakGrowthMiB.toFixed(1)} MiB (${listed.items} items)`,
    result: `${iterated.peakGrowthMiB.toFixed(1)} MiB`,
    goal: '< 64 MiB',
    met: iterated.peakGrowthMiB < 64 && iterated.items === 100000 ? 'yes' : 'no',
  });
  stub.stop();
}

async function main(): Promise<void> {
  await clientOverhead();
  const dynalite = await startDynalite();
  try {
    const tableName = await createTable(new AWS.DynamoDB({ ...localConfig, endpoint: dynalite.endpoint }), 'bench');
    await endToEnd(dynalite.endpoint, tableName);
    await roundTrips(dynalite.endpoint, tableName);
    await streaming();
    await bulkReads(dynalite.endpoint, tableName);
  } finally {
    dynalite.stop();
  }
  console.log(
    [
      '| measure | library | baseline | result | goal | met |',
      '|---|---:|---:|---:|---|---|',
      ...rows.map((r) => `| ${r.measure} | ${r.library} | ${r.baseline} | ${r.result} | ${r.goal} | ${r.met} |`),
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
