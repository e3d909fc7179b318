// Runs one contender alone against the stub, a warm-up round then rounds of
// the sizes given (a comma list), for CPU profiles and V8 traces (--cpu-prof,
// --trace-opt, --trace-deopt, --trace-gc); BENCH_GC as in measure.ts:
//   node --expose-gc -r ts-node/register test/bench/drive.ts <get|put|atomicPut|listPage> <lib|raw> [1500,20000] [lib dir]
import '../helpers/setup';
import * as ours from '../../lib';
import { pin, round, startStub } from './measure';
import { keepAliveV2Client } from './v2-client';

const [op = 'get', who = 'lib', opsArg = '1500,20000', libDir] = process.argv.slice(2);
const JSON_VALUE = '{"name":"Stax","plan":"pro","tags":["a","b"]}';

async function main(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path given at run time
  const lib = (libDir === undefined ? ours : require(libDir)) as typeof ours;
  pin(process.pid, 'client');
  const stub = await startStub();
  const client = keepAliveV2Client(stub.endpoint);
  const p = new lib.Session({ client }).table('bench').partition('bench');
  const now = (): { N: string } => ({ N: String(Math.floor(Date.now() / 1000)) });
  const key = { id: { S: 'bench' }, name: { S: 'user/123' } };
  const names = { '#n0': 'payload', '#n1': 'expires', '#n2': 'version' };
  const raw: Record<string, () => Promise<unknown>> = {
    get: () => client.getItem({ TableName: 'bench', Key: key, ConsistentRead: true }).promise(),
    put: () =>
      client
        .updateItem({
          TableName: 'bench',
          Key: key,
          UpdateExpression: 'SET #n0 = :v0 REMOVE #n1 ADD #n2 :v1',
          ConditionExpression: 'NOT (#n1 <= :v2)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':v0': { S: JSON_VALUE }, ':v1': { N: '1' }, ':v2': now() },
          ReturnValues: 'ALL_NEW',
        })
        .promise(),
    atomicPut: () =>
      client
        .updateItem({
          TableName: 'bench',
          Key: key,
          UpdateExpression: 'SET #n0 = :v1 REMOVE #n1 ADD #n2 :v2',
          ConditionExpression: '#n2 = :v3 AND NOT (#n1 <= :v0)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':v0': now(), ':v1': { S: JSON_VALUE }, ':v2': { N: '1' }, ':v3': { N: '7' } },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        })
        .promise(),
    listPage: () =>
      client
        .query({
          TableName: 'bench',
          KeyConditionExpression: '#n0 = :v0 AND begins_with(#n1, :v1)',
          FilterExpression: 'NOT (#n2 <= :v2)',
          ExpressionAttributeNames: { '#n0': 'id', '#n1': 'name', '#n2': 'expires' },
          ExpressionAttributeValues: { ':v0': { S: 'bench' }, ':v1': { S: 'item/' }, ':v2': now() },
          ScanIndexForward: true,
          ConsistentRead: true,
        })
        .promise(),
  };
  const library: Record<string, () => Promise<unknown>> = {
    get: () => p.get('user/123'),
    put: () => p.put('user/123', lib.writeWithString(JSON_VALUE)),
    atomicPut: () => p.atomicPut('user/123', lib.writeWithString(JSON_VALUE), { previous: { version: 7 } }),
    listPage: async () => (await p.listPage('item/')).lastKey,
  };
  const run = (who === 'raw' ? raw : library)[op] as () => Promise<unknown>;
  const sizes = opsArg.split(',').map(Number);
  await round(2000, run);
  for (const total of sizes) {
    const r = await round(total, run);
    console.log(`${op} ${who} ${total}: ${r.cpuUs.toFixed(1)} µs CPU/op, ${r.opsPerSec.toFixed(0)} ops/s`);
  }
  stub.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
