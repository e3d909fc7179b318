import type { AttributeMap } from './attribute';
import { ConditionFailed } from './client';
import { compareFailed, holdsWrite, storedAfter } from './condition';
import { DynastoreError, invalidArgument, keyExists, quote } from './errors';
import { absentOrExpiredCondition, liveAtVersionCondition, putExpressions, swapExpressions } from './expressions';
import { itemKey, seconds } from './item';
import { decodeItem, type KVPair } from './kvpair';
import {
  checkPrevious,
  resolveDeleteOptions,
  resolveWriteOptions,
  type DeleteOptions,
  type PreviousKV,
  type ResolvedWrite,
  type WriteOptions,
} from './options';
import { Operation, type Runtime } from './request';
import { checkExpressionSize, checkPartitionKey, checkSortKey, checkWriteSize } from './validate';

// The writes of Table: put, and the compare-and-swap writes atomicPut and
// atomicDelete. Their behaviour is documented on Table.

/** How often `put` goes round when an expired item keeps being replaced under it. */
const PUT_ATTEMPTS = 5;

/** @internal `Table.put`. */
export async function put(
  runtime: Runtime,
  tableName: string,
  partition: string,
  key: string,
  options: readonly (WriteOptions | undefined)[],
): Promise<void> {
  const o = resolveWriteOptions(options);
  checkPartitionKey(partition);
  checkSortKey(key);
  if (o.previous !== undefined) {
    throw invalidArgument('put does not compare versions: give previous to atomicPut', o.previous);
  }
  const now = runtime.clock();
  const expires = expiresAt(now, o.ttl);
  checkWriteSize(partition, key, o.payload, o.fields, expires);
  const update = putExpressions({ payload: o.payload, fields: o.fields, expires }, seconds(now));
  checkExpressionSize(update.UpdateExpression, key, o.fields);
  const op = new Operation(runtime, 'Put', o);
  const Key = itemKey(partition, key);
  let replacement: AttributeMap | undefined;

  return op.run(async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        await op.updateItem({ TableName: tableName, Key, ...update });
        return;
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        // The item is expired, so absent: no error of put's, which replaces it.
        op.conditionMeant(err, undefined);
      }
      // Replace it whole, unless it came back to life meanwhile.
      replacement ??= newItem(partition, key, o, expires);
      try {
        await op.putItem({ TableName: tableName, Item: replacement, ...absentOrExpiredCondition(seconds(now)) });
        return;
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        // It came back to life: put goes round and updates it.
        op.conditionMeant(err, undefined);
      }
      if (attempt === PUT_ATTEMPTS) {
        throw new DynastoreError(
          'REQUEST_FAILED',
          `put of key ${quote(key)} gave up after ${attempt} attempts: the item kept changing between live and expired`,
        );
      }
    }
  });
}

/** @internal `Table.atomicPut`. */
export async function atomicPut(
  runtime: Runtime,
  tableName: string,
  partition: string,
  key: string,
  options: readonly (WriteOptions | undefined)[],
): Promise<KVPair> {
  const o = resolveWriteOptions(options);
  checkPartitionKey(partition);
  checkSortKey(key);
  const previous = o.previous;
  if (previous !== undefined) checkSameItem(previous, partition, key);
  const now = runtime.clock();
  const expires = expiresAt(now, o.ttl);
  checkWriteSize(partition, key, o.payload, o.fields, expires);
  const op = new Operation(runtime, 'AtomicPut', o);

  if (previous === undefined) {
    const item = newItem(partition, key, o, expires);
    return op.run(async () => {
      try {
        await op.putItem({
          TableName: tableName,
          Item: item,
          ...absentOrExpiredCondition(seconds(now)),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        });
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        if (err.attempts > 1) {
          // The SDK retried: the live item found may be this very create, landed by a lost attempt.
          const stored = await storedAfter(op, tableName, partition, key, err);
          const own = { version: 1, payload: o.payload, fields: o.fields, expires, whole: true };
          if (stored !== undefined && holdsWrite(stored, own)) {
            op.conditionMeant(err, undefined);
            return decodeItem(stored, runtime.client.codec);
          }
        }
        throw op.conditionMeant(err, keyExists(partition, key));
      }
      return decodeItem(item, runtime.client.codec);
    });
  }

  const update = swapExpressions({ payload: o.payload, fields: o.fields, expires }, previous.version, seconds(now));
  checkExpressionSize(update.UpdateExpression, key, o.fields);
  return op.run(async () => {
    try {
      const out = await op.updateItem({
        TableName: tableName,
        Key: itemKey(partition, key),
        ...update,
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      return decodeItem(out.Attributes ?? {}, runtime.client.codec);
    } catch (err) {
      if (!(err instanceof ConditionFailed)) throw err;
      const stored = await storedAfter(op, tableName, partition, key, err);
      const own = { version: previous.version + 1, payload: o.payload, fields: o.fields, expires, whole: false };
      // The SDK retried: the version found may be this very update, landed by a lost attempt.
      if (err.attempts > 1 && stored !== undefined && holdsWrite(stored, own)) {
        op.conditionMeant(err, undefined);
        return decodeItem(stored, runtime.client.codec);
      }
      throw op.conditionMeant(err, compareFailed(op, tableName, stored, partition, key, previous));
    }
  });
}

/** @internal `Table.atomicDelete`. */
export async function atomicDelete(
  runtime: Runtime,
  tableName: string,
  partition: string,
  key: string,
  previous: PreviousKV | undefined,
  options: readonly (DeleteOptions | undefined)[],
): Promise<boolean> {
  const o = resolveDeleteOptions(options);
  checkPartitionKey(partition);
  checkSortKey(key);
  if (previous !== undefined) checkSameItem(checkPrevious(previous), partition, key);
  const op = new Operation(runtime, 'AtomicDelete', o);
  const now = seconds(runtime.clock());
  const base = { TableName: tableName, Key: itemKey(partition, key) };

  if (previous === undefined) {
    return op.run(async () => {
      try {
        await op.deleteItem({ ...base, ...absentOrExpiredCondition(now) });
        return false;
      } catch (err) {
        if (err instanceof ConditionFailed) throw op.conditionMeant(err, keyExists(partition, key));
        throw err;
      }
    });
  }
  return op.run(async () => {
    try {
      await op.deleteItem({
        ...base,
        ...liveAtVersionCondition(previous.version, now),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      return true;
    } catch (err) {
      if (!(err instanceof ConditionFailed)) throw err;
      const stored = await storedAfter(op, tableName, partition, key, err);
      // The SDK retried and the item is gone: a lost attempt deleted it, or another caller did after
      // the version was seen; either way the item at previous.version is gone, which is what was asked.
      if (err.attempts > 1 && stored === undefined) {
        op.conditionMeant(err, undefined);
        return true;
      }
      throw op.conditionMeant(err, compareFailed(op, tableName, stored, partition, key, previous));
    }
  });
}

/** Unix seconds at which an item written now with `ttl` expires: never earlier than asked. */
function expiresAt(now: number, ttl: number | undefined): number | undefined {
  return ttl === undefined ? undefined : Math.ceil((now + ttl) / 1000);
}

/** The whole item a create writes. */
function newItem(partition: string, key: string, o: ResolvedWrite, expires: number | undefined): AttributeMap {
  const item: AttributeMap = { ...o.fields, id: { S: partition }, name: { S: key }, version: { N: '1' } };
  if (o.payload !== undefined) item.payload = o.payload;
  if (expires !== undefined) item.expires = { N: String(expires) };
  return item;
}

function checkSameItem(previous: PreviousKV, partition: string, key: string): void {
  if (
    (previous.partition !== undefined && previous.partition !== partition) ||
    (previous.key !== undefined && previous.key !== key)
  ) {
    const named = [
      previous.partition === undefined ? '' : `partition ${quote(previous.partition)}`,
      previous.key === undefined ? '' : `key ${quote(previous.key)}`,
    ].filter((s) => s !== '');
    throw invalidArgument(
      `previous names ${named.join(' and ')}, not key ${quote(key)} of partition ${quote(partition)}`,
      previous,
    );
  }
}
