import type { AttributeMap } from './attribute';
import { ConditionFailed } from './client';
import { compareFailed, holdsWrite, storedAfter } from './condition';
import { DynastoreError, invalidArgument, keyExists, quote } from './errors';
import {
  absentOrExpiredCondition,
  liveAtVersionCondition,
  newerCondition,
  putExpressions,
  swapExpressions,
} from './expressions';
import { seconds } from './item';
import { itemKey, type Layout } from './layout';
import { decodeItem, isExpired, type KVPair } from './kvpair';
import {
  checkPrevious,
  resolveDeleteOptions,
  resolveWriteOptions,
  type DeleteOptions,
  type PreviousKV,
  type PutIfNewerOptions,
  type ResolvedWrite,
  type WriteOptions,
} from './options';
import { Operation, rejected, type Runtime } from './request';
import { checkExpressionSize, checkPartitionKey, checkSortKey, checkWriteSize, describeValue } from './validate';

// The writes of Table by key: put, the compare-and-swap writes atomicPut and
// atomicDelete, and the "newer version wins" write putIfNewer. Their
// behaviour is documented on Table.

/** How often `put` goes round when an expired item keeps being replaced under it. */
const PUT_ATTEMPTS = 5;

// put and atomicPut are not async: on their success path the operation's
// promise is the request's, with one step for the answer, as the request
// pipeline under them is (request.ts). A failed condition goes on in an
// async function. A bad argument still rejects, with nothing sent.

/** @internal `Table.put`. */
export function put(
  runtime: Runtime,
  tableName: string,
  layout: Layout,
  partition: string,
  key: string,
  options: readonly (WriteOptions | undefined)[],
): Promise<KVPair> {
  try {
    const { o, now, expires, keepExpires } = prepareWrite(runtime, layout, partition, key, options, 'put');
    const update = putExpressions(layout, { payload: o.payload, fields: o.fields, expires, keepExpires }, seconds(now));
    checkExpressionSize(update.UpdateExpression, key, o.fields);
    const op = new Operation(runtime, 'Put', o);
    const Key = itemKey(layout, partition, key);
    return op.run(() =>
      op.updateItem({ TableName: tableName, Key, ...update, ReturnValues: 'ALL_NEW' }).then(
        (out) => decodeItem(out.Attributes ?? {}, runtime.client.codec, layout),
        (err: unknown) => {
          if (!(err instanceof ConditionFailed)) throw err;
          // The item is expired, so absent: no error of put's, which replaces it.
          op.conditionMeant(err, undefined);
          return replaceExpired({ runtime, tableName, layout, partition, key, o, now, expires, op, Key, update });
        },
      ),
    );
  } catch (err) {
    return rejected(err);
  }
}

/** A write by key whose first request did not settle it: where it writes, and its operation. */
interface WriteInProgress {
  readonly runtime: Runtime;
  readonly tableName: string;
  readonly layout: Layout;
  readonly partition: string;
  readonly key: string;
  readonly op: Operation;
}

/** A put whose update found the item expired, and what it needs to replace it. */
interface ExpiredReplacement extends WriteInProgress {
  readonly o: ResolvedWrite;
  readonly now: number;
  readonly expires: number | undefined;
  readonly Key: AttributeMap;
  readonly update: ReturnType<typeof putExpressions>;
}

/**
 * The rest of a put whose first update found the item expired: it replaces
 * the item whole, unless it came back to life meanwhile, when it updates it
 * again; {@link PUT_ATTEMPTS} rounds at most.
 */
async function replaceExpired(w: ExpiredReplacement): Promise<KVPair> {
  const { runtime, tableName, layout, partition, key, o, now, expires, op, Key, update } = w;
  const decode = (item: AttributeMap): KVPair => decodeItem(item, runtime.client.codec, layout);
  // An expired expiry is not kept.
  const replacement = newItem(layout, partition, key, o, expires, 1);
  for (let attempt = 1; ; attempt++) {
    try {
      await op.putItem({ TableName: tableName, Item: replacement, ...absentOrExpiredCondition(layout, seconds(now)) });
      return decode(replacement);
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
    try {
      const out = await op.updateItem({ TableName: tableName, Key, ...update, ReturnValues: 'ALL_NEW' });
      return decode(out.Attributes ?? {});
    } catch (err) {
      if (!(err instanceof ConditionFailed)) throw err;
      // Expired again: replace it again.
      op.conditionMeant(err, undefined);
    }
  }
}

/** @internal `Table.atomicPut`. */
export function atomicPut(
  runtime: Runtime,
  tableName: string,
  layout: Layout,
  partition: string,
  key: string,
  options: readonly (WriteOptions | undefined)[],
): Promise<KVPair> {
  try {
    const { o, now, expires, keepExpires } = prepareWrite(runtime, layout, partition, key, options, 'atomicPut');
    const previous = o.previous;
    const op = new Operation(runtime, 'AtomicPut', o);
    if (previous === undefined) {
      const item = newItem(layout, partition, key, o, expires, 1);
      return op.run(() =>
        op
          .putItem({
            TableName: tableName,
            Item: item,
            ...absentOrExpiredCondition(layout, seconds(now)),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          })
          .then(
            () => decodeItem(item, runtime.client.codec, layout),
            (err: unknown) => {
              if (!(err instanceof ConditionFailed)) throw err;
              const own = { version: 1, payload: o.payload, fields: o.fields, expires, whole: true };
              return swapFailed(
                { runtime, tableName, layout, partition, key, op, own },
                err,
                keyExists(partition, key),
              );
            },
          ),
      );
    }
    const update = swapExpressions(
      layout,
      { payload: o.payload, fields: o.fields, expires, keepExpires },
      previous.version,
      seconds(now),
    );
    checkExpressionSize(update.UpdateExpression, key, o.fields);
    return op.run(() =>
      op
        .updateItem({
          TableName: tableName,
          Key: itemKey(layout, partition, key),
          ...update,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        })
        .then(
          (out) => decodeItem(out.Attributes ?? {}, runtime.client.codec, layout),
          (err: unknown) => {
            if (!(err instanceof ConditionFailed)) throw err;
            const own = {
              version: previous.version + 1,
              payload: o.payload,
              fields: o.fields,
              expires: keepExpires ? ('kept' as const) : expires,
              whole: false,
            };
            return swapFailed({ runtime, tableName, layout, partition, key, op, own }, err, previous);
          },
        ),
    );
  } catch (err) {
    return rejected(err);
  }
}

/** An atomicPut whose condition failed, and the write it made, to tell its own landed attempt. */
interface FailedSwap extends WriteInProgress {
  readonly own: Parameters<typeof holdsWrite>[1];
}

/**
 * What a failed atomicPut condition means. When the SDK retried, the item
 * found may be this very write, landed by a lost attempt: then it succeeded,
 * and resolves to the item. Otherwise a create (`expected` its KEY_EXISTS
 * error) fails with it, and a swap (`expected` the previous it was given)
 * with what the stored item says: KEY_NOT_FOUND or KEY_MODIFIED.
 */
async function swapFailed(w: FailedSwap, err: ConditionFailed, expected: DynastoreError | PreviousKV): Promise<KVPair> {
  const { runtime, tableName, layout, partition, key, op, own } = w;
  const create = expected instanceof DynastoreError;
  // A create that was not retried needs no read: the live item is another caller's.
  const stored =
    create && err.attempts === 1 ? undefined : await storedAfter(op, tableName, layout, partition, key, err);
  if (err.attempts > 1 && stored !== undefined && holdsWrite(stored, own, layout)) {
    op.conditionMeant(err, undefined);
    return decodeItem(stored, runtime.client.codec, layout);
  }
  throw op.conditionMeant(
    err,
    create ? expected : compareFailed(op, tableName, layout, stored, partition, key, expected),
  );
}

/** @internal `Table.atomicDelete`. */
export async function atomicDelete(
  runtime: Runtime,
  tableName: string,
  layout: Layout,
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
  const base = { TableName: tableName, Key: itemKey(layout, partition, key) };

  if (previous === undefined) {
    return op.run(async () => {
      try {
        await op.deleteItem({ ...base, ...absentOrExpiredCondition(layout, now) });
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
        ...liveAtVersionCondition(layout, previous.version, now),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      return true;
    } catch (err) {
      if (!(err instanceof ConditionFailed)) throw err;
      const stored = await storedAfter(op, tableName, layout, partition, key, err);
      // The SDK retried and the item is gone: a lost attempt deleted it, or another caller did after
      // the version was seen; either way the item at previous.version is gone, which is what was asked.
      if (err.attempts > 1 && stored === undefined) {
        op.conditionMeant(err, undefined);
        return true;
      }
      throw op.conditionMeant(err, compareFailed(op, tableName, layout, stored, partition, key, previous));
    }
  });
}

/**
 * What {@link Table.putIfNewer} resolves to.
 *
 * @example
 * ```ts
 * const { written, pair } = await features.putIfNewer('flag-a', 12, writeWithString(json));
 * console.log(written ? 'stored' : `kept version ${pair.version}`);
 * ```
 */
export interface PutIfNewerResult {
  /** Whether this write is now stored: false when the stored item had the same or a newer version. */
  readonly written: boolean;
  /** The stored item after the call: this write when `written`, else the item that kept its place. */
  readonly pair: KVPair;
}

/** How often putIfNewer writes again when the item that beat it is gone before it could be read. */
const NEWER_ATTEMPTS = 5;

/** @internal `Table.putIfNewer`. */
export async function putIfNewer(
  runtime: Runtime,
  tableName: string,
  layout: Layout,
  partition: string,
  key: string,
  version: unknown,
  options: readonly (PutIfNewerOptions | undefined)[],
): Promise<PutIfNewerResult> {
  const { o, now, expires } = prepareWrite(runtime, layout, partition, key, options, 'putIfNewer');
  const v = checkVersion(version, 1);
  const item = newItem(layout, partition, key, o, expires, v);
  const op = new Operation(runtime, 'PutIfNewer', o);
  const decode = (stored: AttributeMap): KVPair => decodeItem(stored, runtime.client.codec, layout);

  return op.run(async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        await op.putItem({
          TableName: tableName,
          Item: item,
          ...newerCondition(layout, v, seconds(now)),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        });
        return { written: true, pair: decode(item) };
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        const stored = await storedAfter(op, tableName, layout, partition, key, err);
        // Losing is no error of putIfNewer's, and neither is meeting its own write, landed by a lost attempt.
        op.conditionMeant(err, undefined);
        const own = { version: v, payload: o.payload, fields: o.fields, expires, whole: true };
        if (err.attempts > 1 && stored !== undefined && holdsWrite(stored, own, layout)) {
          return { written: true, pair: decode(stored) };
        }
        // The item that beat this write: unless it is gone (deleted, or expired) before it could be read.
        if (stored !== undefined && !isExpired(stored, seconds(runtime.clock()), layout)) {
          return { written: false, pair: decode(stored) };
        }
      }
      if (attempt === NEWER_ATTEMPTS) {
        throw new DynastoreError(
          'REQUEST_FAILED',
          `putIfNewer of key ${quote(key)} gave up after ${attempt} attempts: the item that beat it was gone each time before it could be read`,
        );
      }
    }
  });
}

/**
 * @internal A caller's version: an integer from `min` to 2^53 − 1, as a
 * KVPair reads it back.
 */
export function checkVersion(version: unknown, min: 0 | 1): number {
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < min) {
    throw invalidArgument(
      `version must be an integer from ${min} to ${Number.MAX_SAFE_INTEGER}, got ${describeValue(version)}`,
      version,
    );
  }
  return version;
}

/** A write by key, checked: nothing has been sent yet. */
interface PreparedWrite {
  readonly o: ResolvedWrite;
  /** The session clock's reading, in milliseconds. */
  readonly now: number;
  /** Unix seconds from `ttl`, or undefined: the write removes `expires`, or keeps it when `keepExpires`. */
  readonly expires: number | undefined;
  readonly keepExpires: boolean;
}

/** What each write by key does first: its options resolved, its key, `previous`, clock and size checked. */
function prepareWrite(
  runtime: Runtime,
  layout: Layout,
  partition: string,
  key: string,
  options: readonly (WriteOptions | undefined)[],
  operation: 'put' | 'atomicPut' | 'putIfNewer',
): PreparedWrite {
  const o = resolveWriteOptions(options, operation, layout.reserved);
  checkPartitionKey(partition);
  checkSortKey(key);
  if (o.previous !== undefined) checkSameItem(o.previous, partition, key);
  const now = runtime.clock();
  const expires = expiresAt(now, o.ttl);
  const keepExpires = o.keepTtl === true;
  // A kept expiry is still in the item: it counts as one of today's unix seconds would.
  checkWriteSize(partition, key, o.payload, o.fields, keepExpires ? seconds(now) : expires, layout);
  return { o, now, expires, keepExpires };
}

/** @internal Unix seconds at which an item written now with `ttl` expires: never earlier than asked. */
export function expiresAt(now: number, ttl: number | undefined): number | undefined {
  return ttl === undefined ? undefined : Math.ceil((now + ttl) / 1000);
}

/**
 * @internal The whole item a create (version 1) or putIfNewer writes, in
 * the order of the layout's names; version 0 writes no version attribute.
 */
export function newItem(
  layout: Layout,
  partition: string,
  key: string,
  o: Pick<ResolvedWrite, 'payload' | 'fields'>,
  expires: number | undefined,
  version: number,
): AttributeMap {
  const item: AttributeMap = { ...o.fields, ...itemKey(layout, partition, key) };
  if (version !== 0) item[layout.version] = { N: String(version) };
  if (o.payload !== undefined) item[layout.value] = o.payload;
  if (expires !== undefined) item[layout.expires] = { N: String(expires) };
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
