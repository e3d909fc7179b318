// npm run bench: what the library costs over raw aws-sdk calls, on v2 and
// on v3, what each SDK costs, and what the library saves. Prints one table
// and exits. Client overhead is measured in alternating rounds (each
// contender in turn, the order reversed every other round) against a canned
// endpoint in another process: throughput, and the client's own CPU per
// operation (process.cpuUsage over the round), reported as medians of
// per-round ratios. Goals are judged on the CPU ratio, which holds steady on
// a shared 2-core machine where throughput drifts with whatever else runs
// there. For those figures the client runs pinned to one CPU and the stub
// to another (measure.ts, `pin`). Not part of npm test. BENCH_ROUNDS sets
// the rounds (default 15; with 7, a ratio moved by 2–3% from run to run);
// BENCH_PIN=0 leaves the processes to the scheduler; BENCH_GC what is
// collected between rounds (measure.ts); BENCH_ONLY=overhead runs the client
// overhead rows alone (section 5), for quicker runs while working.
import '../helpers/setup';
import {
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type DynamoDBClientConfig,
  type GetItemCommandInput,
  type QueryCommandInput,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import AWS from 'aws-sdk';
import { deepStrictEqual } from 'node:assert';
import { spawn } from 'node:child_process';
import { Session, writeWithFields, writeWithString, type RequestParams } from '../../lib';
import { dynamoDBClient } from '../../lib/v3';
import { createTable, freePort, localConfig, waitUntilServing } from '../helpers/server';
import { alternate, compareRounds, firstLine, median, node, pin, startStub, type Round } from './measure';
import { keepAliveV2Client } from './v2-client';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const ONLY_OVERHEAD = process.env.BENCH_ONLY === 'overhead';
/** Operations per round: about a second on v3, pinned, enough for a CPU figure steady within a few percent. */
const POINT_OPS = 1500;
const LIST_OPS = 400;
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

const figures = (rs: readonly Round[]): string =>
  `${median(rs.map((r) => r.cpuUs)).toFixed(0)} µs CPU/op, ${median(rs.map((r) => r.opsPerSec)).toFixed(0)} ops/s`;

/**
 * A row comparing two contenders' rounds: the CPU ratio (the baseline's CPU
 * per operation over the contender's: 0.95× means the contender costs 1/0.95
 * of the baseline's CPU) and the throughput ratio. `goal` applies to the CPU
 * ratio; without one the row only reports.
 */
function compareRow(measure: string, contender: readonly Round[], baseline: readonly Round[], goal?: number): void {
  const c = compareRounds(contender, baseline);
  rows.push({
    measure,
    library: figures(contender),
    baseline: figures(baseline),
    result: `${c.cpu.toFixed(3)}× CPU, ${c.ops.toFixed(3)}× ops/s`,
    goal: goal === undefined ? 'report' : `≥ ${goal}× CPU`,
    met: goal === undefined ? '' : c.cpu >= goal ? 'yes' : 'no',
  });
  const spread = `${Math.min(...c.cpuRounds).toFixed(3)}–${Math.max(...c.cpuRounds).toFixed(3)}`;
  console.error(`  ${measure}: ${c.cpu.toFixed(3)}× CPU (rounds ${spread}), ${c.ops.toFixed(3)}× ops/s`);
}

/** A row comparing two contenders measured in separate alternations: the ratio of their medians. */
function compareMedians(measure: string, contender: readonly Round[], baseline: readonly Round[]): void {
  const cpu = median(baseline.map((r) => r.cpuUs)) / median(contender.map((r) => r.cpuUs));
  const ops = median(contender.map((r) => r.opsPerSec)) / median(baseline.map((r) => r.opsPerSec));
  rows.push({
    measure,
    library: figures(contender),
    baseline: figures(baseline),
    result: `${cpu.toFixed(3)}× CPU, ${ops.toFixed(3)}× ops/s`,
    goal: 'report',
    met: '',
  });
  console.error(`  ${measure}: ${cpu.toFixed(3)}× CPU, ${ops.toFixed(3)}× ops/s (medians of separate alternations)`);
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

/** The params the library sends for `run`, as its hook sees them. */
async function paramsOf(client: object, run: (s: Session<object>) => Promise<unknown>): Promise<RequestParams[]> {
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

/** What a user writing raw aws-sdk code would send for each operation: the library's exact requests. */
const rawRequests = {
  get: (): AWS.DynamoDB.GetItemInput => ({ TableName: TABLE, Key: key, ConsistentRead: true }),
  put: (): AWS.DynamoDB.UpdateItemInput => ({
    TableName: TABLE,
    Key: key,
    UpdateExpression: 'SET #n0 = :v0 REMOVE #n1 ADD #n2 :v1',
    ConditionExpression: 'NOT (#n1 <= :v2)',
    ExpressionAttributeNames: { '#n0': 'payload', '#n1': 'expires', '#n2': 'version' },
    ExpressionAttributeValues: { ':v0': { S: JSON_VALUE }, ':v1': { N: '1' }, ':v2': { N: nowSeconds() } },
    ReturnValues: 'ALL_NEW',
  }),
  atomicPut: (): AWS.DynamoDB.UpdateItemInput => ({
    TableName: TABLE,
    Key: key,
    UpdateExpression: 'SET #n0 = :v1 REMOVE #n1 ADD #n2 :v2',
    ConditionExpression: '#n2 = :v3 AND NOT (#n1 <= :v0)',
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
  listPage: (table = TABLE): AWS.DynamoDB.QueryInput => ({
    TableName: table,
    KeyConditionExpression: '#n0 = :v0 AND begins_with(#n1, :v1)',
    FilterExpression: 'NOT (#n2 <= :v2)',
    ExpressionAttributeNames: { '#n0': 'id', '#n1': 'name', '#n2': 'expires' },
    ExpressionAttributeValues: { ':v0': { S: TABLE }, ':v1': { S: 'item/' }, ':v2': { N: nowSeconds() } },
    ScanIndexForward: true,
    ConsistentRead: true,
  }),
};
type Op = keyof typeof rawRequests;
type Ops = Record<Op, () => Promise<unknown>>;

/**
 * The stub's table whose every Query answer names a next-page key not given
 * before (stub-server.ts): listPage makes each token afresh, as paging
 * through a long listing does, where the table `bench` answers the same key
 * each time, as a first page read again does.
 */
const PAGING = 'paging';

/** The four operations, through the library. */
function libraryOps(session: Session<object>): Ops {
  const users = session.table(TABLE).partition(TABLE);
  return {
    get: () => users.get('user/123'),
    put: () => users.put('user/123', writeWithString(JSON_VALUE)),
    atomicPut: () => users.atomicPut('user/123', writeWithString(JSON_VALUE), { previous: { version: 7 } }),
    // The token is read, as a caller paging on would: a token made only when read would cost here too.
    listPage: async () => (await users.listPage('item/')).lastKey,
  };
}

/** The same requests, raw on aws-sdk v2. */
function rawV2Ops(client: AWS.DynamoDB): Ops {
  return {
    get: () => client.getItem(rawRequests.get()).promise(),
    put: () => client.updateItem(rawRequests.put()).promise(),
    atomicPut: () => client.updateItem(rawRequests.atomicPut()).promise(),
    listPage: () => client.query(rawRequests.listPage()).promise(),
  };
}

/** The same requests, raw on aws-sdk v3 (the params are the same JSON; only v3's types differ). */
function rawV3Ops(client: DynamoDBClient): Ops {
  return {
    get: () => client.send(new GetItemCommand(rawRequests.get() as GetItemCommandInput)),
    put: () => client.send(new UpdateItemCommand(rawRequests.put() as UpdateItemCommandInput)),
    atomicPut: () => client.send(new UpdateItemCommand(rawRequests.atomicPut() as UpdateItemCommandInput)),
    listPage: () => client.send(new QueryCommand(rawRequests.listPage() as QueryCommandInput)),
  };
}

/**
 * A logger as quiet as v3's default NoOpLogger that spares v3's logger
 * middleware its work: it formats the whole input and output (walking their
 * schemas) for `logger.info`, and the input for `logger.error`, before
 * calling them, and skips both when the logger has no such method.
 */
const noop = (): void => undefined;
const QUIET_LOGGER = { trace: noop, debug: noop, warn: noop } as unknown as NonNullable<DynamoDBClientConfig['logger']>;

const OPS: Array<[Op, string, number]> = [
  ['get', 'get (GetItem)', 0.95],
  ['put', 'put (UpdateItem, ALL_NEW)', 0.95],
  ['atomicPut', 'atomicPut with previous (UpdateItem, ALL_NEW)', 0.95],
  ['listPage', 'listPage of 100 items and a next-page token (Query)', 0.9],
];

async function clientOverhead(endpoint: string): Promise<void> {
  console.error('5. client overhead on each SDK, against a stub endpoint in another process');
  const v2 = keepAliveV2Client(endpoint);
  const v3 = new DynamoDBClient({ ...localConfig, endpoint });
  const library = { v2: libraryOps(new Session({ client: v2 })), v3: libraryOps(new Session({ client: v3 })) };
  const raw = { v2: rawV2Ops(v2), v3: rawV3Ops(v3) };
  const paging = {
    library: (s: Session<object>) => async () => (await s.table(PAGING).partition(TABLE).listPage('item/')).lastKey,
    raw: () => v2.query(rawRequests.listPage(PAGING)).promise(),
  };
  // The comparison is fair only if both send the same request.
  for (const client of [v2, v3]) {
    for (const [op] of OPS) deepStrictEqual(await paramsOf(client, (s) => libraryOps(s)[op]()), [rawRequests[op]()]);
  }
  deepStrictEqual(await paramsOf(v2, (s) => paging.library(s)()), [rawRequests.listPage(PAGING)]);
  const unmarshall = (out: unknown): unknown =>
    ((out as AWS.DynamoDB.QueryOutput).Items ?? []).map((item) => AWS.DynamoDB.Converter.unmarshall(item));
  const unmarshalled = async (): Promise<unknown> => unmarshall(await raw.v2.listPage());
  const pagingSession = new Session({ client: v2 });
  for (const [op, measure, goal] of OPS) {
    const total = op === 'listPage' ? LIST_OPS : POINT_OPS;
    // Each SDK's contenders alternate among themselves (see alternate); raw v3 against raw v2
    // compares the medians of the two alternations.
    const v2Contenders: Record<string, () => Promise<unknown>> = { library: library.v2[op], raw: raw.v2[op] };
    if (op === 'listPage') {
      v2Contenders['raw + unmarshall'] = unmarshalled;
      v2Contenders['library, new keys'] = paging.library(pagingSession);
      v2Contenders['raw + unmarshall, new keys'] = async () => unmarshall(await paging.raw());
      v2Contenders['raw, new keys'] = paging.raw;
    }
    const r2: Record<string, Round[]> = await alternate(total, ROUNDS, v2Contenders);
    const r3 = await alternate(total, ROUNDS, { library: library.v3[op], raw: raw.v3[op] });
    if (op === 'listPage') {
      compareRow(
        `v2 ${measure}: library vs raw query + Converter.unmarshall of the items`,
        r2.library as Round[],
        r2['raw + unmarshall'] as Round[],
        0.95,
      );
    }
    compareRow(`v2 ${measure}: library vs raw`, r2.library as Round[], r2.raw as Round[], goal);
    if (op === 'listPage') {
      const newKeys = `v2 listPage of 100 items, each answer a next-page key not seen before (Query)`;
      const library = r2['library, new keys'] as Round[];
      compareRow(
        `${newKeys}: library vs raw query + Converter.unmarshall`,
        library,
        r2['raw + unmarshall, new keys'] as Round[],
      );
      compareRow(`${newKeys}: library vs raw`, library, r2['raw, new keys'] as Round[]);
    }
    compareRow(`v3 ${measure}: library vs raw`, r3.library, r3.raw, goal);
    compareMedians(`${measure}: raw v3 vs raw v2`, r3.raw, r2.raw as Round[]);
  }
  v3.destroy();
}

/**
 * aws-sdk v3 client settings against a client at v3's defaults, raw; and the
 * library over the client `dynamoDBClient` (dynastore/v3) builds, as it is
 * and with the quiet logger, against raw v3 at its defaults: what a v3 user
 * gains or pays by using the library the recommended way. (test/bench/
 * v3-settings.ts tries more settings, such as request handlers.)
 */
async function v3Settings(endpoint: string): Promise<void> {
  console.error('6. aws-sdk v3 client settings, against the stub');
  const base = { ...localConfig, endpoint };
  const clients = {
    defaults: new DynamoDBClient(base),
    cache: new DynamoDBClient({ ...base, cacheMiddleware: true }),
    quiet: new DynamoDBClient({ ...base, logger: QUIET_LOGGER }),
    both: new DynamoDBClient({ ...base, cacheMiddleware: true, logger: QUIET_LOGGER }),
    built: dynamoDBClient(base),
    builtQuiet: dynamoDBClient({ ...base, logger: QUIET_LOGGER }),
  };
  const library = libraryOps(new Session({ client: clients.built }));
  const libraryQuiet = libraryOps(new Session({ client: clients.builtQuiet }));
  for (const [op, measure] of [OPS[0], OPS[3]] as Array<[Op, string, number]>) {
    const r = await alternate(op === 'listPage' ? LIST_OPS : POINT_OPS, ROUNDS, {
      defaults: rawV3Ops(clients.defaults)[op],
      cache: rawV3Ops(clients.cache)[op],
      quiet: rawV3Ops(clients.quiet)[op],
      both: rawV3Ops(clients.both)[op],
      library: library[op],
      libraryQuiet: libraryQuiet[op],
    });
    compareRow(`v3 ${measure}: raw, cacheMiddleware: true vs defaults`, r.cache, r.defaults);
    compareRow(`v3 ${measure}: raw, a logger without info and error vs defaults`, r.quiet, r.defaults);
    compareRow(`v3 ${measure}: raw, both vs defaults`, r.both, r.defaults);
    compareRow(`v3 ${measure}: library over dynamoDBClient() vs raw at v3 defaults`, r.library, r.defaults);
    compareRow(
      `v3 ${measure}: library over dynamoDBClient({ logger: quiet }) vs raw at v3 defaults`,
      r.libraryQuiet,
      r.defaults,
    );
  }
  for (const c of Object.values(clients)) c.destroy();
}

/** Sessions and raw clients at their default settings, against dynalite in another process. */
async function endToEnd(endpoint: string, tableName: string): Promise<void> {
  console.error('1. end to end at default settings, against dynalite in another process');
  const config = { region: 'us-east-1', endpoint, credentials: localConfig.credentials };
  const session = new Session({ config });
  const raw = new AWS.DynamoDB(config);
  const users = session.table(tableName).partition(TABLE);
  await users.put('user/123', writeWithString(JSON_VALUE));
  const get = (): AWS.DynamoDB.GetItemInput => ({ TableName: tableName, Key: key, ConsistentRead: true });
  const r = await alternate(1000, ROUNDS, {
    library: () => users.get('user/123'),
    raw: () => raw.getItem(get()).promise(),
  });
  // What the session saves here is connections, so throughput is what it is judged on.
  const c = compareRounds(r.library, r.raw);
  rows.push({
    measure: 'get, Session from config vs raw v2 client with defaults (dynalite)',
    library: figures(r.library),
    baseline: figures(r.raw),
    result: `${c.cpu.toFixed(3)}× CPU, ${c.ops.toFixed(3)}× ops/s`,
    goal: '≥ 1.3× ops/s',
    met: c.ops >= 1.3 ? 'yes' : 'no',
  });
  console.error(`  get, Session from config vs raw: ${c.ops.toFixed(3)}× ops/s, ${c.cpu.toFixed(3)}× CPU`);
  session.close();
}

/** Requests each operation makes, counted by the hooks. */
async function roundTrips(endpoint: string, tableName: string): Promise<void> {
  console.error('2. round trips');
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

/** A directory listing against a plain prefix listing of the same directory: requests and items read. */
async function directories(endpoint: string, tableName: string): Promise<void> {
  console.error('2b. directory listing');
  let requests = 0;
  let items = 0;
  const session = new Session({
    config: { ...localConfig, endpoint },
    hooks: {
      requestCompleted: (_ctx, outcome) => {
        requests++;
        items += outcome.itemCount ?? 0;
      },
    },
  });
  const p = session.table(tableName).partition('tree');
  const files = Array.from({ length: 5 }, (_, i) => ({ key: `docs/file-${i}`, value: 'x' }));
  for (let d = 0; d < 10; d++) {
    await p.putMany(
      Array.from({ length: 1000 }, (_, i) => ({ key: `docs/dir-${d}/item-${String(i).padStart(4, '0')}`, value: 'x' })),
    );
  }
  await p.putMany(files);
  const measure = async (run: () => Promise<unknown>): Promise<{ requests: number; items: number }> => {
    requests = 0;
    items = 0;
    await run();
    return { requests, items };
  };
  let entries = 0;
  const listed = await measure(async () => {
    for await (const entry of p.iterateChildren('docs/', { delimiter: '/' })) if (entry.type !== undefined) entries++;
  });
  const plain = await measure(async () => {
    for await (const kv of p.iterate('docs/')) if (kv.key.length === 0) break;
  });
  const said = (m: { requests: number; items: number }): string => `${m.requests} requests, ${m.items} items read`;
  rows.push({
    measure: 'children of a directory of 10 subdirectories × 1,000 items and 5 files',
    library: `iterateChildren: ${said(listed)} (${entries} entries)`,
    baseline: `iterate (plain prefix): ${said(plain)}`,
    result: said(listed),
    goal: 'about 11 requests, not 10,005 items read',
    met: listed.requests <= 12 && entries === 15 && listed.items < 1000 ? 'yes' : 'no',
  });
  session.close();
}

/** getMany against the same keys read one get at a time, in time. */
async function bulkReads(endpoint: string, tableName: string): Promise<void> {
  console.error('4. bulk reads');
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
  console.error('3. streaming 100,000 items from the stub');
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

/** The figures on dynalite and the stub that are not client overhead: round trips, streaming, bulk reads. */
async function onDynalite(): Promise<void> {
  const dynalite = await startDynalite();
  try {
    const tableName = await createTable(new AWS.DynamoDB({ ...localConfig, endpoint: dynalite.endpoint }), 'bench');
    await endToEnd(dynalite.endpoint, tableName);
    await roundTrips(dynalite.endpoint, tableName);
    await directories(dynalite.endpoint, tableName);
    await streaming();
    await bulkReads(dynalite.endpoint, tableName);
  } finally {
    dynalite.stop();
  }
}

async function main(): Promise<void> {
  // The end-to-end figures first, in a process that has run nothing else: they include the
  // servers' own work (dynalite, a connection per raw request), and a client process that
  // has already run both SDKs at length lowers the session's advantage there by a fifth.
  if (!ONLY_OVERHEAD) await onDynalite();
  const later = rows.splice(0);
  const pinned = pin(process.pid, 'client');
  console.error(pinned ? 'client pinned to the first CPU, the stub to the last' : 'not pinned (no taskset)');
  const stub = await startStub();
  try {
    await clientOverhead(stub.endpoint);
    if (!ONLY_OVERHEAD) await v3Settings(stub.endpoint);
  } finally {
    stub.stop();
  }
  console.log(
    [
      '| measure | library | baseline | result | goal | met |',
      '|---|---:|---:|---:|---|---|',
      ...[...rows, ...later].map(
        (r) => `| ${r.measure} | ${r.library} | ${r.baseline} | ${r.result} | ${r.goal} | ${r.met} |`,
      ),
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
