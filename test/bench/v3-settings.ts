// Which aws-sdk v3 client settings cut its client-side cost: raw GetItem and
// Query (100 items) against the stub, each setting against a client at v3's
// defaults, in alternating rounds. Not part of npm run bench; run with
//   node --expose-gc -r ts-node/register test/bench/v3-settings.ts
// BENCH_ROUNDS sets the rounds (default 7); BENCH_OPS=get,query picks operations.
import '../helpers/setup';
import { DynamoDBClient, GetItemCommand, QueryCommand, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { FetchHttpHandler } from '@smithy/fetch-http-handler';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { localConfig } from '../helpers/server';
import { alternate, compareRounds, median, pin, startStub } from './measure';
import { keepAliveV2Client } from './v2-client';

/**
 * v3's default NoOpLogger does nothing, but its logger middleware formats the
 * whole input and output (a walk over their schemas) for `logger.info` (and
 * `logger.error` on failures) before calling them. A logger without those two
 * methods is as quiet and skips that work: the middleware calls
 * `logger?.info?.(…)`.
 */
const noop = (): void => undefined;
const QUIET_LOGGER = { debug: noop, warn: noop, trace: noop } as unknown as NonNullable<DynamoDBClientConfig['logger']>;

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const OPS = (process.env.BENCH_OPS ?? 'get,query').split(',');

const getInput = {
  TableName: 'bench',
  Key: { id: { S: 'bench' }, name: { S: 'user/123' } },
  ConsistentRead: true,
};
const queryInput = {
  TableName: 'bench',
  KeyConditionExpression: '#n0 = :v0 AND begins_with(#n1, :v1)',
  FilterExpression: '(attribute_not_exists(#n2) OR #n2 > :v2)',
  ExpressionAttributeNames: { '#n0': 'id', '#n1': 'name', '#n2': 'expires' },
  ExpressionAttributeValues: { ':v0': { S: 'bench' }, ':v1': { S: 'item/' }, ':v2': { N: '1700000000' } },
  ScanIndexForward: true,
  ConsistentRead: true,
};

async function main(): Promise<void> {
  pin(process.pid, 'client');
  const stub = await startStub();
  const base: DynamoDBClientConfig = { ...localConfig, endpoint: stub.endpoint };
  const settings: Record<string, DynamoDBClientConfig> = {
    'v3 defaults': {},
    'cacheMiddleware: true': { cacheMiddleware: true },
    'logger without info and error': { logger: QUIET_LOGGER },
    "accountIdEndpointMode: 'disabled'": { accountIdEndpointMode: 'disabled' },
    'cacheMiddleware + logger': { cacheMiddleware: true, logger: QUIET_LOGGER },
    "cacheMiddleware + logger + accountIdEndpointMode 'disabled'": {
      cacheMiddleware: true,
      logger: QUIET_LOGGER,
      accountIdEndpointMode: 'disabled',
    },
  };
  if (process.env.BENCH_HANDLERS === '1') {
    settings['requestHandler: NodeHttpHandler, own keep-alive agent'] = {
      requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 50 }) }),
    };
    settings['requestHandler: FetchHttpHandler (undici)'] = {
      requestHandler: new FetchHttpHandler({ keepAlive: true }),
    };
  }
  const clients = Object.fromEntries(
    Object.entries(settings).map(([name, s]) => [name, new DynamoDBClient({ ...base, ...s })]),
  );
  const v2 = keepAliveV2Client(stub.endpoint);

  for (const op of OPS) {
    const total = op === 'get' ? 3000 : 600;
    const contenders: Record<string, () => Promise<unknown>> = {
      'raw v2': op === 'get' ? () => v2.getItem(getInput).promise() : () => v2.query(queryInput).promise(),
    };
    for (const [name, client] of Object.entries(clients)) {
      contenders[name] =
        op === 'get'
          ? () => client.send(new GetItemCommand(getInput))
          : () => client.send(new QueryCommand(queryInput));
    }
    const rounds = await alternate(total, ROUNDS, contenders);
    const defaults = rounds['v3 defaults'] as NonNullable<(typeof rounds)[string]>;
    console.log(`\n${op} (${total} ops × ${ROUNDS} rounds), against raw v3 at its defaults:`);
    console.log('| client | CPU µs/op | ops/s | CPU efficiency vs v3 defaults | ops/s ratio |');
    console.log('|---|---:|---:|---:|---:|');
    for (const [name, rs] of Object.entries(rounds)) {
      const c = compareRounds(rs, defaults);
      console.log(
        `| ${name} | ${median(rs.map((r) => r.cpuUs)).toFixed(1)} | ${median(rs.map((r) => r.opsPerSec)).toFixed(0)} | ${c.cpu.toFixed(3)}× (${Math.min(...c.cpuRounds).toFixed(2)}–${Math.max(...c.cpuRounds).toFixed(2)}) | ${c.ops.toFixed(3)}× |`,
      );
    }
  }
  for (const c of Object.values(clients)) c.destroy();
  stub.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
