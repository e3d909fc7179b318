import type { AttributeValue } from './attribute';
import { given } from './resolve';

// The public option types and the Go-named helpers that build them. How
// options are merged, checked and resolved for an operation is resolve.ts.

/** A value `writeWithFields` stores as a top-level attribute: S, N, BOOL or B. */
export type FieldValue = string | number | boolean | Uint8Array;

/**
 * The version a compare-and-swap expects. A {@link KVPair} is one; so is any
 * object with a `version`. When `partition` or `key` are present they must
 * name the item being written.
 */
export interface PreviousKV {
  /** The version the stored item must have; 0: the item has no version of dynastore's (another tool wrote it). */
  readonly version: number;
  /** When present, must be the partition written to. */
  readonly partition?: string;
  /** When present, must be the key written to. */
  readonly key?: string;
}

/** Options every operation takes. */
export interface CommonOptions {
  /**
   * Aborts the operation: an already-aborted signal sends nothing, and an
   * abort while a request is in flight cancels it. Either way the operation
   * fails with `ABORTED` (Go's `ctx` cancellation).
   */
  signal?: AbortSignal;
  /**
   * Values handed to hooks on the request context, next to `operation`
   * (Go's `ctx` values). Its own enumerable properties are copied when the
   * operation starts.
   */
  context?: Record<string, unknown>;
  /**
   * Asks DynamoDB for the capacity each request consumes
   * (`ReturnConsumedCapacity: 'TOTAL'`), which hooks then see as
   * `outcome.consumedCapacity`. `false` turns off a session's default.
   * @defaultValue the session's `returnConsumedCapacity`, false unless set
   */
  returnConsumedCapacity?: boolean;
}

/**
 * Every write option: those of `atomicPut`. `put` takes {@link PutOptions},
 * the same without `previous`. Each helper (`writeWithString`, …) returns
 * some of these; several are merged left to right, as `Object.assign` would
 * (own enumerable properties only), so a later option wins.
 */
export interface WriteOptions extends CommonOptions {
  /**
   * The payload: a string is stored as S; bytes are stored as standard
   * base64 in S, as Go writes them. `value` and `attributeValue` are one
   * payload: a later option giving either replaces an earlier one, and one
   * option object may not give both.
   */
  value?: string | Uint8Array;
  /**
   * The payload as any DynamoDB attribute value, such as a map from
   * {@link marshalStruct}. A later `value` replaces it, as it replaces an
   * earlier `value`.
   */
  attributeValue?: AttributeValue;
  /**
   * Extra top-level attributes, such as index keys: the object's own
   * enumerable properties. Strings are stored as S, numbers as N, booleans
   * as BOOL, bytes as B. The table's own attribute names (`id`, `name`,
   * `version`, `expires` and `payload`, unless the table's `attributes`
   * option names others) fail with `RESERVED_FIELD`. A later `fields`
   * option replaces an earlier one whole.
   */
  fields?: Record<string, FieldValue>;
  /**
   * Time to live in milliseconds: the item expires this long after the write
   * (rounded up to the next whole second, as `expires` holds unix seconds).
   * Unset, the write removes any expiry, unless `keepTtl` is given.
   * `ttl` and `keepTtl` are one setting, the expiry: a later option giving
   * either replaces an earlier one.
   */
  ttl?: number;
  /**
   * Keeps the stored item's expiry as it is, instead of removing it (the
   * default without `ttl`), as Redis's `KEEPTTL` does. The write then
   * neither sets nor removes `expires`. A new item, or an expired one that
   * the write replaces, never expires. Taken by `put` and `atomicPut`;
   * `putIfNewer` replaces the whole item and does not take it. One option
   * object may not give both `ttl` and `keepTtl: true`.
   *
   * @defaultValue false
   * @example
   * ```ts
   * await sessions.put('s/42', { value: json, ttl: 3_600_000 });
   * // Later: change the value, keep the hour.
   * await sessions.put('s/42', writeWithString(json2), writeWithKeepTTL());
   * ```
   */
  keepTtl?: boolean;
  /** The version a compare-and-swap expects (`atomicPut` only). */
  previous?: PreviousKV;
}

/**
 * Options of `put`: {@link WriteOptions} without `previous`, which only
 * `atomicPut` compares. Giving it to `put` is a type error, and
 * `INVALID_ARGUMENT` from JavaScript.
 *
 * @example
 * ```ts
 * await users.put('user/123', writeWithString(json), writeWithTTL(60_000));
 * await users.put('user/123', { value: json, ttl: 60_000 });
 * ```
 */
export interface PutOptions extends Omit<WriteOptions, 'previous'> {
  /** Not taken: `put` does not compare versions; give `previous` to `atomicPut`. */
  previous?: never;
}

/**
 * Options of `putIfNewer`: {@link PutOptions} without `keepTtl`, as it
 * replaces the whole item, `expires` set from `ttl` or left out.
 *
 * @example
 * ```ts
 * await flags.putIfNewer('flag-a', 12, { value: json, ttl: 60_000 });
 * ```
 */
export interface PutIfNewerOptions extends Omit<PutOptions, 'keepTtl'> {
  /** Not taken: `putIfNewer` replaces the whole item; keep an expiry with `put` or `atomicPut`. */
  keepTtl?: never;
}

/** A local secondary index: same partition key, another sort key. */
export interface LocalIndex {
  /** A local secondary index. */
  type: 'local';
  /** The index name. */
  name: string;
  /** The attribute the index sorts by; listing prefixes match it. */
  sortKeyAttribute: string;
}

/** A global secondary index: its own partition and sort key attributes. */
export interface GlobalIndex {
  /** A global secondary index. */
  type: 'global';
  /** The index name. */
  name: string;
  /** The index's partition key attribute; the partition argument is matched against it. */
  partitionKeyAttribute: string;
  /** The attribute the index sorts by; listing prefixes match it. */
  sortKeyAttribute: string;
}

/** A secondary index to list from. */
export type IndexOption = LocalIndex | GlobalIndex;

/**
 * Every read option: those of `listPage`, `iterate` and `list`. `get`,
 * `exists` and `getMany` take {@link GetOptions}. Merged left to right like
 * {@link WriteOptions}.
 */
export interface ReadOptions extends CommonOptions {
  /**
   * Strongly consistent reads. Never sent for a global index, which DynamoDB
   * cannot read consistently.
   * @defaultValue true
   */
  consistent?: boolean;
  /**
   * Ascending order by sort key; false lists in descending order.
   * @defaultValue true
   */
  scanIndexForward?: boolean;
  /** Items DynamoDB evaluates per page: an integer from 1 to 2^31 − 1 (DynamoDB's range). */
  limit?: number;
  /** Where to resume: a `lastKey` from a previous page. Empty means from the start. */
  startKey?: string;
  /** List from a secondary index instead of the table (listing only). */
  index?: IndexOption;
  /**
   * Lists one directory level, as S3's ListObjectsV2 does: `listPage`
   * returns the items directly under the prefix in `keys`, and each child
   * "directory" (the prefix, the key up to and including the next
   * delimiter) once in `prefixes`, without reading the subtrees. `limit`
   * then bounds the entries (items plus prefixes) of a page, 1000 when
   * unset. A non-empty string; `listPage` and `iterateChildren` only.
   *
   * @example
   * ```ts
   * const page = await docs.listPage('docs/', { delimiter: '/' });
   * page.keys.map((kv) => kv.key); // ['docs/readme.md']
   * page.prefixes; // ['docs/api/', 'docs/guide/']
   * ```
   */
  delimiter?: string;
}

/**
 * Options of `get`, `exists` and `getMany`, which read by key: `consistent`
 * and the common options. The listing options are type errors here, and
 * from JavaScript `INVALID_ARGUMENT` (`index`: `INDEX_NOT_SUPPORTED`).
 *
 * @example
 * ```ts
 * const kv = await users.get('user/123', readConsistentDisable());
 * ```
 */
export interface GetOptions extends CommonOptions {
  /**
   * Strongly consistent reads.
   * @defaultValue true
   */
  consistent?: boolean;
  /** Not taken: a read by key has no order. */
  scanIndexForward?: never;
  /** Not taken: a read by key has no pages. */
  limit?: never;
  /** Not taken: a read by key has no pages. */
  startKey?: never;
  /** Not taken: reads by key go to the table; list from an index with `listPage`. */
  index?: never;
  /** Not taken: a read by key lists no directory. */
  delimiter?: never;
}

/** Options of `delete` and `atomicDelete` (whose `previous` is an argument of its own). */
export type DeleteOptions = CommonOptions;

// The helpers check nothing themselves: the operation checks what they
// return, as it checks a plain object, and rejects with INVALID_ARGUMENT
// before any request. So a bad argument fails the operation's promise by one
// rule for both spellings, and never throws while the arguments are built.
// Only `undefined` needs help, as it means "unset" in an option:
// `writeWithTTL(undefined)` would read as "never expires". `given` marks it
// so that the operation refuses it, naming the helper.

/**
 * Stores a string payload (Go's `WriteWithString`). Replaces an earlier
 * `value` or `attributeValue`.
 */
export function writeWithString(value: string): Pick<WriteOptions, 'value' | 'attributeValue'> {
  return { value: given('writeWithString', value), attributeValue: undefined };
}

/**
 * Stores bytes as a standard base64 string payload, as Go does (Go's
 * `WriteWithBytes`). Replaces an earlier `value` or `attributeValue`.
 */
export function writeWithBytes(value: Uint8Array): Pick<WriteOptions, 'value' | 'attributeValue'> {
  return { value: given('writeWithBytes', value), attributeValue: undefined };
}

/**
 * Stores extra top-level attributes, typically index keys (Go's `WriteWithFields`).
 *
 * @example
 * ```ts
 * await users.put('user/123', writeWithString(json), writeWithFields({ created: '2024-01-02T03:04:05Z' }));
 * ```
 */
export function writeWithFields(fields: Record<string, FieldValue>): Pick<WriteOptions, 'fields'> {
  return { fields: given('writeWithFields', fields) };
}

/**
 * Expires the item `ttl` milliseconds after the write (Go's `WriteWithTTL`).
 * `ttl` must be a positive, finite number: `writeWithTTL(undefined)` fails
 * the operation with `INVALID_ARGUMENT`; {@link writeWithNoExpires} says
 * "never".
 */
export function writeWithTTL(ttl: number): Pick<PutIfNewerOptions, 'ttl' | 'keepTtl'> {
  return { ttl: given('writeWithTTL', ttl), keepTtl: undefined };
}

/** The item never expires; the write removes any expiry (Go's `WriteWithNoExpires`). */
export function writeWithNoExpires(): Pick<PutIfNewerOptions, 'ttl' | 'keepTtl'> {
  return { ttl: undefined, keepTtl: undefined };
}

/**
 * The write keeps the stored item's expiry (`keepTtl: true`): without it,
 * a write without `ttl` removes the expiry. Not in Go dynastore v1. Replaces
 * an earlier `ttl`, as a later `ttl` replaces it.
 *
 * @example
 * ```ts
 * await sessions.put('s/42', writeWithString(json), writeWithKeepTTL());
 * ```
 */
export function writeWithKeepTTL(): Pick<PutOptions, 'ttl' | 'keepTtl'> {
  return { ttl: undefined, keepTtl: true };
}

/**
 * The version `atomicPut` expects to replace (Go's `WriteWithPreviousKV`).
 * Only `atomicPut` takes it: passing it to `put` is a type error, and from
 * JavaScript `INVALID_ARGUMENT`.
 */
export function writeWithPreviousKV(previous: PreviousKV): Pick<WriteOptions, 'previous'> {
  return { previous: given('writeWithPreviousKV', previous) };
}

/**
 * Stores any attribute value as the payload, such as a map from {@link marshalStruct}
 * (Go's `WriteWithAttributeValue`). Replaces an earlier `value` or `attributeValue`.
 */
export function writeWithAttributeValue(
  attributeValue: AttributeValue,
): Pick<WriteOptions, 'value' | 'attributeValue'> {
  return { attributeValue: given('writeWithAttributeValue', attributeValue), value: undefined };
}

/** Eventually consistent reads (Go's `ReadConsistentDisable`). */
export function readConsistentDisable(): Pick<ReadOptions, 'consistent'> {
  return { consistent: false };
}

/** Lists in descending sort-key order (Go's `ReadScanIndexForwardDisable`); listings only. */
export function readScanIndexForwardDisable(): Pick<ReadOptions, 'scanIndexForward'> {
  return { scanIndexForward: false };
}

/** Evaluates at most `limit` items per page (Go's `ReadWithLimit`); listings only. */
export function readWithLimit(limit: number): Pick<ReadOptions, 'limit'> {
  return { limit: given('readWithLimit', limit) };
}

/**
 * Resumes a listing from a page's `lastKey` (Go's `ReadWithStartKey`); `''`
 * starts from the beginning, as in Go.
 */
export function readWithStartKey(startKey: string): Pick<ReadOptions, 'startKey'> {
  return { startKey: given('readWithStartKey', startKey) };
}

/**
 * Lists one directory level: the items directly under the prefix, and each
 * child directory once (see {@link ReadOptions.delimiter}); `listPage` and
 * `iterateChildren` only. Go v1 has no such option.
 *
 * @example
 * ```ts
 * const { keys, prefixes } = await docs.listPage('docs/', readWithDelimiter('/'));
 * ```
 */
export function readWithDelimiter(delimiter: string): Pick<ReadOptions, 'delimiter'> {
  return { delimiter: given('readWithDelimiter', delimiter) };
}

/**
 * Lists from a local secondary index sorted by `sortKeyAttribute` (Go's `ReadWithLocalIndex`).
 *
 * @example
 * ```ts
 * const page = await customers.listPage('', readWithLocalIndex('idx_created', 'created'), readWithLimit(100));
 * ```
 */
export function readWithLocalIndex(name: string, sortKeyAttribute: string): Pick<ReadOptions, 'index'> {
  return { index: { type: 'local', name, sortKeyAttribute } };
}

/**
 * Lists from a global secondary index (Go's `ReadWithGlobalIndex`); the
 * partition argument of `listPage` is then the value of `partitionKeyAttribute`.
 * The index must project `expires` (`ALL`, or `INCLUDE` naming it), or expired
 * items cannot be filtered out of its listings.
 */
export function readWithGlobalIndex(
  name: string,
  partitionKeyAttribute: string,
  sortKeyAttribute: string,
): Pick<ReadOptions, 'index'> {
  return { index: { type: 'global', name, partitionKeyAttribute, sortKeyAttribute } };
}

// Kept for the modules that still import these from here (write.ts, listing.ts, lock.ts); resolve.ts is
// where they live.
export {
  checkPrevious,
  checkSignal,
  resolveDeleteOptions,
  resolveReadOptions,
  resolveWriteOptions,
  type ResolvedDelete,
  type ResolvedRead,
  type ResolvedWrite,
} from './resolve';
