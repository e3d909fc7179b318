// Before and after for a change to lib/: this tree's library against another
// copy of lib/ (a patched one), in alternating rounds in one process, with
// raw aws-sdk v2 beside them, against the stub. Not part of npm run bench;
// run with
//   BENCH_OTHER_LIB=/path/to/patched/lib node --expose-gc -r ts-node/register test/bench/lib-ab.ts
// (a copy outside this repository resolves bs58 and aws-sdk through a
// node_modules beside it: `ln -s "$PWD/node_modules" /tmp/ab/node_modules`
// for /tmp/ab/lib). BENCH_GC as in measure.ts.
// BENCH_OPS picks operations among listPage, get, put and atomicPut (default listPage,get);
// BENCH_ROUNDS the rounds (default 9).
import '../helpers/setup';
import AWS from 'aws-sdk';
import * as ours from '../../lib';
import { alternate, compareRounds, median, pin, startStub, type Round } from './measure';
import { keepAliveV2Client } from './v2-client';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const OPS = (process.env.BENCH_OPS ?? 'listPage,get').split(',');
const other = process.env.BENCH_OTHER_LIB;

type Lib = typeof ours;

const query = (): AWS.DynamoDB.QueryInput => ({
  TableName: 'bench',
  KeyConditionExpression: '#n0 = :v0 AND begins_with(#n1, :v1)',
  FilterExpression: '(attribute_not_exists(#n2) OR #n2 > :v2)',
  ExpressionAttributeNames: { '#n0': 'id', '#n1': 'name', '#n2': 'expires' },
  ExpressionAttributeValues: {
    ':v0': { S: 'bench' },
    ':v1': { S: 'item/' },
    ':v2': { N: String(Math.floor(Date.now() / 1000)) },
  },
  ScanIndexForward: true,
  ConsistentRead: true,
});

const JSON_VALUE = '{"name":"Stax","plan":"pro","tags":["a","b"]}';

/** The UpdateItem the library sends for put, or for atomicPut with previous version 7 (as bench.ts). */
const update = (op: 'put' | 'atomicPut'): AWS.DynamoDB.UpdateItemInput => {
  const now = { N: String(Math.floor(Date.now() / 1000)) };
  const common = {
    TableName: 'bench',
    Key: { id: { S: 'bench' }, name: { S: 'user/123' } },
    ExpressionAttributeNames: { '#n0': 'payload', '#n1': 'expires', '#n2': 'version' },
    ReturnValues: 'ALL_NEW',
  };
  return op === 'put'
    ? {
        ...common,
        UpdateExpression: 'SET #n0 = :v0 REMOVE #n1 ADD #n2 :v1',
        ConditionExpression: 'NOT (#n1 <= :v2)',
        ExpressionAttributeValues: { ':v0': { S: JSON_VALUE }, ':v1': { N: '1' }, ':v2': now },
      }
    : {
        ...common,
        UpdateExpression: 'SET #n0 = :v1 REMOVE #n1 ADD #n2 :v2',
        ConditionExpression: '#n2 = :v3 AND NOT (#n1 <= :v0)',
        ExpressionAttributeValues: { ':v0': now, ':v1': { S: JSON_VALUE }, ':v2': { N: '1' }, ':v3': { N: '7' } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      };
};

type Bound = ReturnType<ReturnType<ours.Session['table']>['partition']>;

function write(lib: Lib, p: Bound, op: 'put' | 'atomicPut'): Promise<unknown> {
  return op === 'put'
    ? p.put('user/123', lib.writeWithString(JSON_VALUE))
    : p.atomicPut('user/123', lib.writeWithString(JSON_VALUE), { previous: { version: 7 } });
}

async function main(): Promise<void> {
  pin(process.pid, 'client');
  const stub = await startStub();
  try {
    await compare(stub.endpoint);
  } finally {
    stub.stop();
  }
}

async function compare(endpoint: string): Promise<void> {
  if (other === undefined) throw new Error('set BENCH_OTHER_LIB to the lib/ directory to compare with');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path given at run time
  const theirs = require(other) as Lib;
  const client = keepAliveV2Client(endpoint);
  const partition = (lib: Lib): ReturnType<ReturnType<ours.Session['table']>['partition']> =>
    new lib.Session({ client }).table('bench').partition('bench');
  const before = partition(ours);
  const after = partition(theirs);
  const first = await before.listPage('item/');
  const second = await after.listPage('item/');
  // The other tree's tokens must work in this tree, and the other way round.
  await before.listPage('item/', ours.readWithStartKey(second.lastKey ?? ''));
  await after.listPage('item/', theirs.readWithStartKey(first.lastKey ?? ''));
  console.error(`tokens: this tree ${first.lastKey ?? ''}\n        other tree ${second.lastKey ?? ''}`);

  for (const op of OPS) {
    const contenders: Record<string, () => Promise<unknown>> =
      op === 'put' || op === 'atomicPut'
        ? {
            'this tree': () => write(ours, before, op),
            [other]: () => write(theirs, after, op),
            'raw v2': () => client.updateItem(update(op)).promise(),
          }
        : op === 'get'
          ? {
              'this tree': () => before.get('user/123'),
              [other]: () => after.get('user/123'),
              'raw v2': () =>
                client
                  .getItem({
                    TableName: 'bench',
                    Key: { id: { S: 'bench' }, name: { S: 'user/123' } },
                    ConsistentRead: true,
                  })
                  .promise(),
            }
          : {
              'this tree': async () => (await before.listPage('item/')).lastKey,
              [other]: async () => (await after.listPage('item/')).lastKey,
              'raw v2 + unmarshall': async () =>
                ((await client.query(query()).promise()).Items ?? []).map((i) => AWS.DynamoDB.Converter.unmarshall(i)),
              'raw v2': () => client.query(query()).promise(),
            };
    const r = await alternate(op === 'listPage' ? 400 : 1500, ROUNDS, contenders);
    const names = Object.keys(contenders);
    const base = r['this tree'] as Round[];
    console.log(`\n${op}, ${ROUNDS} rounds`);
    console.log(
      `| contender | CPU µs/op | CPU vs this tree | ${names
        .slice(2)
        .map((n) => `CPU vs ${n}`)
        .join(' | ')} |`,
    );
    console.log(
      `|---|---:|---:|${names
        .slice(2)
        .map(() => '---:')
        .join('|')}|`,
    );
    for (const name of names) {
      const rs = r[name] as Round[];
      const vsBase = compareRounds(rs, base);
      const cells = names.slice(2).map((n) => `${compareRounds(rs, r[n] as Round[]).cpu.toFixed(3)}×`);
      console.log(
        `| ${name} | ${median(rs.map((x) => x.cpuUs)).toFixed(0)} | ${vsBase.cpu.toFixed(3)}× (${Math.min(...vsBase.cpuRounds).toFixed(3)}–${Math.max(...vsBase.cpuRounds).toFixed(3)}) | ${cells.join(' | ')} |`,
      );
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
