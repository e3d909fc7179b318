// Where listPage's CPU goes beyond raw Query, on aws-sdk v2 (or v3 with
// BENCH_SDK=v3), against the stub: listPage as it is; with the token encoder
// proposed in token-proposal.ts; with token encoding taken away; with item
// decoding taken away; and raw Query with and without unmarshalling the
// items, in alternating rounds. "Taken away" swaps lib/token.ts's
// encodeToken or lib/kvpair.ts's decodeItem, through their CommonJS export
// objects, for one that returns a value made in advance: the difference is
// what that step costs inside a real listPage. Not part of npm run bench; run with
//   node --expose-gc -r ts-node/register test/bench/listpage-cost.ts
import '../helpers/setup';
import { DynamoDBClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import AWS from 'aws-sdk';
import { readWithStartKey, Session } from '../../lib';
import * as kvpair from '../../lib/kvpair';
import * as token from '../../lib/token';
import { localConfig } from '../helpers/server';
import { alternate, compareRounds, median, pin, startStub } from './measure';
import { keepAliveV2Client } from './v2-client';
import { encodeBodyProposed } from './token-proposal';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
const OPS = 400;
const SDK = process.env.BENCH_SDK ?? 'v2';

type Mode = 'now' | 'proposed' | 'free';
let tokenMode: Mode = 'now';
let decodeMode: Mode = 'now';

const original = { encodeToken: token.encodeToken, decodeItem: kvpair.decodeItem };
const patched = {
  token: token as { encodeToken: typeof token.encodeToken },
  kvpair: kvpair as { decodeItem: typeof kvpair.decodeItem },
};
let madeToken = '';
let madePair: kvpair.KVPair | undefined;
patched.token.encodeToken = (key, scope, secret) => {
  if (tokenMode === 'free') return (madeToken ||= original.encodeToken(key, scope, secret));
  if (tokenMode === 'proposed' && secret === undefined) return encodeBodyProposed(key);
  return original.encodeToken(key, scope, secret);
};
patched.kvpair.decodeItem = (item, codec) =>
  decodeMode === 'free' ? (madePair ??= original.decodeItem(item, codec)) : original.decodeItem(item, codec);

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

async function main(): Promise<void> {
  pin(process.pid, 'client');
  const stub = await startStub();
  const v2 = keepAliveV2Client(stub.endpoint);
  const v3 = new DynamoDBClient({ ...localConfig, endpoint: stub.endpoint });
  const partition = new Session<object>({ client: SDK === 'v3' ? v3 : v2 }).table('bench').partition('bench');
  const items = async (startKey?: AWS.DynamoDB.Key): Promise<Array<Record<string, unknown>>> => {
    const input = startKey === undefined ? query() : { ...query(), ExclusiveStartKey: startKey };
    return SDK === 'v3'
      ? ((await v3.send(new QueryCommand(input as QueryCommandInput))).Items ?? [])
      : ((await v2.query(input).promise()).Items ?? []);
  };
  const unmarshalled = async (startKey?: AWS.DynamoDB.Key): Promise<unknown> =>
    (await items(startKey)).map((item) =>
      SDK === 'v3' ? unmarshall(item as never) : AWS.DynamoDB.Converter.unmarshall(item as never),
    );
  const startKey = { id: { S: 'bench' }, name: { S: 'item/0000099' } };
  const listPage = (t: Mode, d: Mode) => (): Promise<unknown> => {
    tokenMode = t;
    decodeMode = d;
    return partition.listPage('item/');
  };
  const proposed = await listPage('proposed', 'now')();
  const now = await listPage('now', 'now')();
  const nextToken = (now as { lastKey: string }).lastKey;
  console.error(
    `tokens: now ${JSON.stringify((now as { lastKey?: string }).lastKey)}, proposed ${JSON.stringify((proposed as { lastKey?: string }).lastKey)}`,
  );

  const r = await alternate(OPS, ROUNDS, {
    'listPage as it is': listPage('now', 'now'),
    'listPage, proposed token encoder': listPage('proposed', 'now'),
    'listPage, no token encoding': listPage('free', 'now'),
    'listPage, no item decoding': listPage('now', 'free'),
    'listPage, neither': listPage('free', 'free'),
    'raw Query + unmarshall of the items': () => unmarshalled(),
    'raw Query': () => items(),
    'next page: listPage from its token, as it is': () => {
      tokenMode = 'now';
      decodeMode = 'now';
      return partition.listPage('item/', readWithStartKey(nextToken));
    },
    'next page: raw Query from ExclusiveStartKey + unmarshall': () => unmarshalled(startKey),
  });
  const base = r['raw Query'];
  const asIs = r['listPage as it is'];
  console.log(`\nlistPage of 100 items with a next-page token on aws-sdk ${SDK}, ${OPS} ops × ${ROUNDS} rounds`);
  console.log(
    '| contender | CPU µs/op | µs/op over listPage as it is | CPU vs raw Query | CPU vs raw Query + unmarshall | ops/s vs raw Query |',
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const [name, rs] of Object.entries(r)) {
    const cpu = median(rs.map((x) => x.cpuUs));
    const delta = median(rs.map((x, i) => x.cpuUs - (asIs[i]?.cpuUs ?? 0)));
    const vsRaw = compareRounds(rs, base);
    const vsUnmarshall = compareRounds(rs, r['raw Query + unmarshall of the items']);
    console.log(
      `| ${name} | ${cpu.toFixed(0)} | ${delta >= 0 ? '+' : ''}${delta.toFixed(1)} | ${vsRaw.cpu.toFixed(3)}× (${Math.min(...vsRaw.cpuRounds).toFixed(3)}–${Math.max(...vsRaw.cpuRounds).toFixed(3)}) | ${vsUnmarshall.cpu.toFixed(3)}× | ${vsRaw.ops.toFixed(3)}× |`,
    );
  }
  v3.destroy();
  stub.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
