import type DynamoDB from 'aws-sdk/clients/dynamodb';
import { DynastoreError, invalidArgument } from './errors';
import { itemKey, seconds } from './item';
import { decodeItem, isExpired, type KVPair } from './kvpair';
import { refuseIndex, resolveReadOptions, type ReadOptions } from './options';
import { Operation, type Runtime } from './request';
import { checkPartitionKey, checkSortKey, describeValue } from './validate';

/** BatchGetItem: keys per request, and how unprocessed keys are retried. */
const BATCH_GET_KEYS = 100;
const BATCH_RETRY = { attempts: 10, baseMs: 25, capMs: 2000 } as const;

/** @internal `Table.getMany`: many keys of one partition over BatchGetItem. */
export async function getMany(
  runtime: Runtime,
  tableName: string,
  partition: string,
  keys: readonly string[],
  options: readonly (ReadOptions | undefined)[],
): Promise<(KVPair | undefined)[]> {
  const o = resolveReadOptions(options);
  checkPartitionKey(partition);
  const input: unknown = keys;
  if (!Array.isArray(input)) throw invalidArgument(`keys must be an array of keys, got ${describeValue(input)}`, input);
  for (const key of keys) checkSortKey(key);
  refuseIndex(o, 'getMany');
  if (o.limit !== undefined || o.startKey !== undefined || !o.scanIndexForward) {
    throw invalidArgument('getMany takes only the consistent, signal and context read options', options);
  }
  const unique = [...new Set(keys)];
  if (unique.length === 0) return [];
  const op = new Operation(runtime, 'GetMany', o.signal, o.context);
  const found = new Map<string, KVPair>();
  const requests: Promise<void>[] = [];
  for (let at = 0; at < unique.length; at += BATCH_GET_KEYS) {
    requests.push(batchGet(op, tableName, partition, unique.slice(at, at + BATCH_GET_KEYS), o.consistent, found));
  }
  await Promise.all(requests);
  return keys.map((key) => found.get(key));
}

/** One chunk of getMany, its unprocessed keys retried. */
async function batchGet(
  op: Operation,
  tableName: string,
  partition: string,
  keys: readonly string[],
  consistent: boolean,
  found: Map<string, KVPair>,
): Promise<void> {
  let pending: DynamoDB.KeyList = keys.map((key) => itemKey(partition, key));
  for (let attempt = 0; ; attempt++) {
    const out = await op.batchGetItem({
      RequestItems: { [tableName]: { Keys: pending, ConsistentRead: consistent } },
    });
    const now = seconds(op.runtime.clock());
    for (const item of out.Responses?.[tableName] ?? []) {
      if (item.id?.S === partition && !isExpired(item, now)) found.set(item.name?.S ?? '', decodeItem(item));
    }
    pending = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
    if (pending.length === 0) return;
    if (attempt + 1 === BATCH_RETRY.attempts) {
      throw new DynastoreError(
        'REQUEST_FAILED',
        `getMany gave up with ${pending.length} keys still unprocessed after ${BATCH_RETRY.attempts} BatchGetItem attempts`,
      );
    }
    await op.backoff(attempt, BATCH_RETRY.baseMs, BATCH_RETRY.capMs);
  }
}
