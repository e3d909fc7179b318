import type { AttributeValue } from './attribute';
import { copyKeys } from './batch';
import type { WriteRequest } from './client';
import { DynastoreError, invalidArgument, quote } from './errors';
import { itemKey, type Layout } from './layout';
import type { CommonOptions, FieldValue } from './options';
import { Operation, type Runtime } from './request';
import { resolveDeleteOptions, resolveWriteOptions, type ResolvedDelete } from './resolve';
import { checkPartitionKey, checkSortKey, checkWriteSize, describeValue, isPlainObject } from './validate';
import { checkVersion, expiresAt, newItem } from './write';

// The batch writes of Table: putMany and deleteMany over BatchWriteItem.
//
// Implementation notes: chunks of 25 go one after another, in the order
// given, each with its unprocessed writes retried until none is left, so
// when a call resolves, every write before the last has landed, and a write
// lands only after every one before it. What this does NOT guarantee: the
// writes of one chunk land in no particular order among themselves, and a
// call that fails or is aborted midway leaves the writes before it in place
// (BatchWriteItem is no transaction); the error names how many were left.

/** One item of {@link Table.putMany}: its key, version, and what a write option would store. */
export interface PutManyItem {
  /** The item's key in the partition. */
  key: string;
  /**
   * The version stored as is, an integer from 0 to 2^53 − 1; 0 stores no
   * version attribute at all (a marker item).
   * @defaultValue 1
   */
  version?: number;
  /** The payload, as {@link WriteOptions.value}: a string, or bytes stored as base64. */
  value?: string | Uint8Array;
  /** The payload as any attribute value, as {@link WriteOptions.attributeValue}; not with `value`. */
  attributeValue?: AttributeValue;
  /** Extra top-level attributes, as {@link WriteOptions.fields}. */
  fields?: Record<string, FieldValue>;
  /** Time to live in milliseconds, as {@link WriteOptions.ttl}; unset, the item never expires. */
  ttl?: number;
}

/**
 * Options of `putMany` and `deleteMany`: the common options and a progress
 * callback, in one plain object.
 *
 * @example
 * ```ts
 * await flags.putMany(items, { onProgress: (done, total) => console.log(`${done}/${total}`) });
 * ```
 */
export interface BatchWriteOptions extends CommonOptions {
  /**
   * Called after each BatchWriteItem response that processed some writes,
   * with how many of the call's writes are done and how many there are. A
   * callback that throws fails the call with its error; the writes already
   * done stay.
   */
  onProgress?: (done: number, total: number) => void;
}

/** BatchWriteItem takes 25 writes per request. */
const BATCH_WRITE_ITEMS = 25;
/** How unprocessed writes are retried: `attempts` counts attempts in a row that processed none. */
const BATCH_RETRY = { attempts: 10, baseMs: 25, capMs: 2000 } as const;

const ITEM_KEYS = new Set(['key', 'version', 'value', 'attributeValue', 'fields', 'ttl']);
const WRITE_PARTS = ['value', 'attributeValue', 'fields', 'ttl'] as const;

/** @internal `Table.putMany`. */
export async function putMany(
  runtime: Runtime,
  tableName: string,
  layout: Layout,
  partition: string,
  items: readonly PutManyItem[],
  options: BatchWriteOptions | undefined,
): Promise<number> {
  const { o, onProgress } = resolveBatchOptions('putMany', options);
  checkPartitionKey(partition);
  const list = readList('items', items, (item) => item);
  if (list.length === 0) return 0;
  const now = runtime.clock();
  const seen = new Set<string>();
  const writes: WriteRequest[] = list.map((raw, i) => {
    try {
      const item = readItem(raw);
      const key = checkSortKey(item.key);
      if (seen.has(key))
        throw invalidArgument(
          `key ${quote(key)} is given twice: DynamoDB refuses a batch that writes a key twice`,
          key,
        );
      seen.add(key);
      // Only an absent version defaults: null is no version.
      const version = checkVersion(item.version === undefined ? 1 : item.version, 0);
      const parts: Record<string, unknown> = {};
      for (const name of WRITE_PARTS) if (item[name] !== undefined) parts[name] = item[name];
      const w = resolveWriteOptions([parts], 'putMany', layout.reserved);
      const expires = expiresAt(now, w.ttl);
      checkWriteSize(partition, key, w.payload, w.fields, expires, layout);
      return { PutRequest: { Item: newItem(layout, partition, key, w, expires, version) } };
    } catch (err) {
      throw atItem('items', i, err);
    }
  });
  return batchWrite(new Operation(runtime, 'PutMany', o), tableName, writes, onProgress);
}

/** @internal `Table.deleteMany`. */
export async function deleteMany(
  runtime: Runtime,
  tableName: string,
  layout: Layout,
  partition: string,
  keys: readonly string[],
  options: BatchWriteOptions | undefined,
): Promise<number> {
  const { o, onProgress } = resolveBatchOptions('deleteMany', options);
  checkPartitionKey(partition);
  const list = copyKeys(keys);
  if (list.length === 0) return 0;
  const seen = new Set<string>();
  const writes: WriteRequest[] = list.map((key, i) => {
    if (seen.has(key)) {
      throw atItem(
        'keys',
        i,
        invalidArgument(`key ${quote(key)} is given twice: DynamoDB refuses a batch that deletes a key twice`, key),
      );
    }
    seen.add(key);
    return { DeleteRequest: { Key: itemKey(layout, partition, key) } };
  });
  return batchWrite(new Operation(runtime, 'DeleteMany', o), tableName, writes, onProgress);
}

/** The writes in chunks of 25, one chunk after another, each until DynamoDB has processed all of it. */
function batchWrite(
  op: Operation,
  tableName: string,
  writes: readonly WriteRequest[],
  onProgress: ((done: number, total: number) => void) | undefined,
): Promise<number> {
  return op.run(() => writeChunks(op, tableName, writes, onProgress));
}

/**
 * @internal The work of {@link batchWrite} inside an operation that is
 * already running, as `deleteTree` (tree.ts) runs one per page of keys.
 */
export async function writeChunks(
  op: Operation,
  tableName: string,
  writes: readonly WriteRequest[],
  onProgress: ((done: number, total: number) => void) | undefined,
): Promise<number> {
  const total = writes.length;
  const name = op.name === 'PutMany' ? 'putMany' : op.name === 'DeleteTree' ? 'deleteTree' : 'deleteMany';
  let done = 0;
  for (let at = 0; at < total; at += BATCH_WRITE_ITEMS) {
    let pending = writes.slice(at, at + BATCH_WRITE_ITEMS);
    let stalled = 0;
    for (;;) {
      const out = await op.batchWriteItem({ RequestItems: { [tableName]: pending } });
      const sent = pending.length;
      pending = out.UnprocessedItems?.[tableName] ?? [];
      if (pending.length < sent) {
        done += sent - pending.length;
        onProgress?.(done, total);
      }
      if (pending.length === 0) break;
      // Progress also restarts the backoff: the next attempt is likely to make some too.
      stalled = pending.length < sent ? 0 : stalled + 1;
      if (stalled === BATCH_RETRY.attempts) {
        throw new DynastoreError(
          'REQUEST_FAILED',
          `${name} gave up with ${total - done} of ${total} writes not done (${pending.length} left unprocessed after ${BATCH_RETRY.attempts} BatchWriteItem attempts in a row that processed none)`,
        );
      }
      await op.backoff(stalled, BATCH_RETRY.baseMs, BATCH_RETRY.capMs);
    }
  }
  return total;
}

/** The common options and `onProgress`, read from the options object's own properties. */
function resolveBatchOptions(
  operation: string,
  options: unknown,
): { o: ResolvedDelete; onProgress: ((done: number, total: number) => void) | undefined } {
  if (options === undefined) return { o: resolveDeleteOptions([]), onProgress: undefined };
  let onProgress: unknown;
  // No prototype: an own `__proto__` key stays a key (and is refused as unknown), not a prototype set.
  const common = Object.create(null) as Record<string, unknown>;
  try {
    if (!isPlainObject(options)) {
      throw invalidArgument(`${operation} options must be a plain object, got ${describeValue(options)}`, options);
    }
    for (const key of Object.keys(options)) {
      const value = options[key];
      if (key === 'onProgress') onProgress = value;
      else common[key] = value;
    }
  } catch (err) {
    if (DynastoreError.is(err, 'INVALID_ARGUMENT')) throw err;
    throw new DynastoreError('INVALID_ARGUMENT', `reading the ${operation} options threw (see cause)`, {
      cause: err,
      value: options,
    });
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw invalidArgument(`onProgress must be a function, got ${describeValue(onProgress)}`, onProgress);
  }
  return {
    o: resolveDeleteOptions([common]),
    onProgress: onProgress as ((done: number, total: number) => void) | undefined,
  };
}

/** A caller's array, copied once by index: a Proxy's traps run here only. */
function readList<T>(what: string, list: unknown, each: (item: unknown, i: number) => T): T[] {
  try {
    if (!Array.isArray(list)) throw invalidArgument(`${what} must be an array, got ${describeValue(list)}`, list);
    const input = list as unknown[];
    const length = input.length;
    const copy: T[] = [];
    for (let i = 0; i < length; i++) copy.push(each(input[i], i));
    return copy;
  } catch (err) {
    if (DynastoreError.is(err, 'INVALID_ARGUMENT')) throw err;
    throw new DynastoreError('INVALID_ARGUMENT', `reading the ${what} threw (see cause)`, { value: list, cause: err });
  }
}

/** One putMany item, read once from its own properties. */
function readItem(raw: unknown): Partial<Record<keyof PutManyItem, unknown>> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalidArgument(`an item must be an object { key, version?, value?, … }, got ${describeValue(raw)}`, raw);
  }
  const proto: unknown = Object.getPrototypeOf(raw);
  if (proto !== null && Object.getPrototypeOf(proto) !== null) {
    throw invalidArgument(`an item must be a plain object, got ${describeValue(raw)}`, raw);
  }
  const item = Object.create(null) as Partial<Record<keyof PutManyItem, unknown>>;
  for (const key of Object.keys(raw)) {
    if (!ITEM_KEYS.has(key)) {
      throw invalidArgument(
        `unknown item property ${describeValue(key)}: an item has ${[...ITEM_KEYS].join(', ')}`,
        key,
      );
    }
    item[key as keyof PutManyItem] = (raw as Record<string, unknown>)[key];
  }
  return item;
}

/** An item's error, naming which item it is; what a caller's object threw becomes INVALID_ARGUMENT. */
function atItem(what: string, index: number, err: unknown): DynastoreError {
  if (DynastoreError.is(err) && (err.code === 'INVALID_ARGUMENT' || err.code === 'RESERVED_FIELD')) {
    return new DynastoreError(err.code, `${what}[${index}]: ${err.message}`, { value: err.value, cause: err.cause });
  }
  return new DynastoreError('INVALID_ARGUMENT', `reading ${what}[${index}] threw (see cause)`, { cause: err });
}
