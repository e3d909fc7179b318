import type { AttributeMap, AttributeValue } from './attribute';
import { DynastoreError, invalidArgument } from './errors';
import { checkAttributeValue, checkDynamoName, checkFieldName, checkNumber, describeValue } from './validate';

/** A value `writeWithFields` stores as a top-level attribute: S, N, BOOL or B. */
export type FieldValue = string | number | boolean | Uint8Array;

/**
 * The version a compare-and-swap expects. A {@link KVPair} is one; so is any
 * object with a `version`. When `partition` or `key` are present they must
 * name the item being written.
 */
export interface PreviousKV {
  /** The version the stored item must have. */
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
   * (Go's `ctx` values).
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
 * Options of `put` and `atomicPut`. Each helper (`writeWithString`, …)
 * returns one of these; several are merged left to right, so a later option
 * wins.
 */
export interface WriteOptions extends CommonOptions {
  /**
   * The payload: a string is stored as S; bytes are stored as standard
   * base64 in S, as Go writes them. A later `attributeValue` replaces it.
   */
  value?: string | Uint8Array;
  /** The payload as any DynamoDB attribute value, such as a map from {@link marshalStruct}. */
  attributeValue?: AttributeValue;
  /**
   * Extra top-level attributes, such as index keys. Strings are stored as S,
   * numbers as N, booleans as BOOL, bytes as B. The reserved names `id`,
   * `name`, `version`, `expires` and `payload` fail with `RESERVED_FIELD`.
   * A later `fields` option replaces an earlier one whole.
   */
  fields?: Record<string, FieldValue>;
  /**
   * Time to live in milliseconds: the item expires this long after the write
   * (rounded up to the next whole second, as `expires` holds unix seconds).
   * Unset, the write removes any expiry.
   */
  ttl?: number;
  /** The version a compare-and-swap expects (`atomicPut` only). */
  previous?: PreviousKV;
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

/** Options of `get`, `exists`, `listPage`, `iterate` and `list`. */
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
  /** Items DynamoDB evaluates per page: a positive integer. */
  limit?: number;
  /** Where to resume: a `lastKey` from a previous page. Empty means from the start. */
  startKey?: string;
  /** List from a secondary index instead of the table (listing only). */
  index?: IndexOption;
}

/** Options of `delete` and `atomicDelete`. */
export type DeleteOptions = CommonOptions;

/** Stores a string payload (Go's `WriteWithString`). */
export function writeWithString(value: string): WriteOptions {
  return { value, attributeValue: undefined };
}

/** Stores bytes as a standard base64 string payload, as Go does (Go's `WriteWithBytes`). */
export function writeWithBytes(value: Uint8Array): WriteOptions {
  return { value, attributeValue: undefined };
}

/**
 * Stores extra top-level attributes, typically index keys (Go's `WriteWithFields`).
 *
 * @example
 * ```ts
 * await users.put('user/123', writeWithString(json), writeWithFields({ created: '2024-01-02T03:04:05Z' }));
 * ```
 */
export function writeWithFields(fields: Record<string, FieldValue>): WriteOptions {
  return { fields };
}

/** Expires the item `ttl` milliseconds after the write (Go's `WriteWithTTL`). */
export function writeWithTTL(ttl: number): WriteOptions {
  return { ttl };
}

/** The item never expires; the write removes any expiry (Go's `WriteWithNoExpires`). */
export function writeWithNoExpires(): WriteOptions {
  return { ttl: undefined };
}

/** The version `atomicPut` expects to replace (Go's `WriteWithPreviousKV`). */
export function writeWithPreviousKV(previous: PreviousKV): WriteOptions {
  return { previous };
}

/**
 * Stores any attribute value as the payload, such as a map from {@link marshalStruct}
 * (Go's `WriteWithAttributeValue`).
 */
export function writeWithAttributeValue(attributeValue: AttributeValue): WriteOptions {
  return { attributeValue, value: undefined };
}

/** Eventually consistent reads (Go's `ReadConsistentDisable`). */
export function readConsistentDisable(): ReadOptions {
  return { consistent: false };
}

/** Lists in descending sort-key order (Go's `ReadScanIndexForwardDisable`). */
export function readScanIndexForwardDisable(): ReadOptions {
  return { scanIndexForward: false };
}

/** Evaluates at most `limit` items per page (Go's `ReadWithLimit`). */
export function readWithLimit(limit: number): ReadOptions {
  return { limit };
}

/** Resumes a listing from a page's `lastKey` (Go's `ReadWithStartKey`). */
export function readWithStartKey(startKey: string): ReadOptions {
  return { startKey };
}

/**
 * Lists from a local secondary index sorted by `sortKeyAttribute` (Go's `ReadWithLocalIndex`).
 *
 * @example
 * ```ts
 * const page = await customers.listPage('', readWithLocalIndex('idx_created', 'created'), readWithLimit(100));
 * ```
 */
export function readWithLocalIndex(name: string, sortKeyAttribute: string): ReadOptions {
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
): ReadOptions {
  return { index: { type: 'global', name, partitionKeyAttribute, sortKeyAttribute } };
}

/** @internal Write options after merging and validation. */
export interface ResolvedWrite {
  payload?: AttributeValue;
  fields?: AttributeMap;
  ttl?: number;
  previous?: PreviousKV;
  signal?: AbortSignal;
  context?: Record<string, unknown>;
  returnConsumedCapacity?: boolean;
}

/** @internal Read options after merging, defaults and validation. */
export interface ResolvedRead {
  consistent: boolean;
  scanIndexForward: boolean;
  limit?: number;
  startKey?: string;
  index?: IndexOption;
  signal?: AbortSignal;
  context?: Record<string, unknown>;
  returnConsumedCapacity?: boolean;
}

/** @internal Delete options after merging and validation. */
export interface ResolvedDelete {
  signal?: AbortSignal;
  context?: Record<string, unknown>;
  /** Unset: the session's default. */
  returnConsumedCapacity?: boolean;
}

const COMMON_KEYS = ['signal', 'context', 'returnConsumedCapacity'];
const WRITE_KEYS = new Set([...COMMON_KEYS, 'value', 'attributeValue', 'fields', 'ttl', 'previous']);
const READ_KEYS = new Set([...COMMON_KEYS, 'consistent', 'scanIndexForward', 'limit', 'startKey', 'index']);
const DELETE_KEYS = new Set(COMMON_KEYS);

/** The largest ttl: a later `expires` would be past JavaScript's last date. */
const MAX_TTL = 8.64e15;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function merge(kind: string, allowed: ReadonlySet<string>, options: readonly unknown[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const option of options) {
    if (option === undefined) continue;
    if (!isPlainObject(option)) {
      throw invalidArgument(`${kind} options must be objects, got ${describeValue(option)}`, option);
    }
    for (const key of Object.keys(option)) {
      if (!allowed.has(key)) {
        throw invalidArgument(`unknown ${kind} option ${JSON.stringify(key)}`, option);
      }
      merged[key] = option[key];
    }
  }
  return merged;
}

/** @internal An optional AbortSignal, checked. */
export function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (
    typeof signal !== 'object' ||
    signal === null ||
    typeof (signal as AbortSignal).aborted !== 'boolean' ||
    typeof (signal as AbortSignal).addEventListener !== 'function'
  ) {
    throw invalidArgument(`signal must be an AbortSignal, got ${describeValue(signal)}`, signal);
  }
  return signal as AbortSignal;
}

function checkContext(context: unknown): Record<string, unknown> | undefined {
  if (context === undefined) return undefined;
  if (!isPlainObject(context)) {
    throw invalidArgument(`context must be an object, got ${describeValue(context)}`, context);
  }
  return context;
}

/** Adds the validated options every kind of options has: signal, context and returnConsumedCapacity. */
function withCommon<T extends ResolvedDelete>(o: Record<string, unknown>, resolved: T): T {
  const signal = checkSignal(o.signal);
  if (signal) resolved.signal = signal;
  const context = checkContext(o.context);
  if (context) resolved.context = context;
  if (o.returnConsumedCapacity !== undefined) {
    resolved.returnConsumedCapacity = checkBoolean('returnConsumedCapacity', o.returnConsumedCapacity, false);
  }
  return resolved;
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function fieldValue(name: string, value: unknown): AttributeValue {
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'boolean':
      return { BOOL: value };
    case 'number':
      if (Number.isFinite(value)) return { N: checkNumber(String(value), `field ${JSON.stringify(name)}`) };
      break;
    default:
      if (value instanceof Uint8Array) return { B: toBuffer(value) };
  }
  throw invalidArgument(
    `field ${JSON.stringify(name)} must be a string, a finite number, a boolean or bytes, got ${describeValue(value)}`,
    value,
  );
}

/** @internal Checks a compare-and-swap's expected version. */
export function checkPrevious(previous: unknown): PreviousKV {
  if (typeof previous !== 'object' || previous === null) {
    throw invalidArgument(`previous must be a KVPair, got ${describeValue(previous)}`, previous);
  }
  const version = (previous as PreviousKV).version;
  if (!Number.isSafeInteger(version) || version < 1) {
    throw invalidArgument(`previous.version must be a positive integer, got ${describeValue(version)}`, previous);
  }
  return previous as PreviousKV;
}

/** @internal Merges and validates write options; throws before anything is sent. */
export function resolveWriteOptions(options: readonly (WriteOptions | undefined)[]): ResolvedWrite {
  const o = merge('write', WRITE_KEYS, options);
  const resolved: ResolvedWrite = {};

  if (o.value !== undefined && o.attributeValue !== undefined) {
    throw invalidArgument('give either value or attributeValue, not both', o);
  }
  if (o.value !== undefined) {
    if (typeof o.value === 'string') resolved.payload = { S: o.value };
    else if (o.value instanceof Uint8Array) resolved.payload = { S: toBuffer(o.value).toString('base64') };
    else throw invalidArgument(`value must be a string or bytes, got ${describeValue(o.value)}`, o.value);
  } else if (o.attributeValue !== undefined) {
    resolved.payload = checkAttributeValue(o.attributeValue, 'attributeValue');
  }

  if (o.fields !== undefined) {
    if (!isPlainObject(o.fields)) {
      throw invalidArgument(`fields must be an object, got ${describeValue(o.fields)}`, o.fields);
    }
    const fields: AttributeMap = {};
    for (const name of Object.keys(o.fields)) {
      checkFieldName(name);
      fields[name] = fieldValue(name, o.fields[name]);
    }
    resolved.fields = fields;
  }

  if (o.ttl !== undefined) {
    const ttl = o.ttl;
    if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0 || ttl > MAX_TTL) {
      throw invalidArgument(`ttl must be a positive, finite number of milliseconds, got ${describeValue(ttl)}`, ttl);
    }
    resolved.ttl = ttl;
  }

  if (o.previous !== undefined) resolved.previous = checkPrevious(o.previous);

  return withCommon(o, resolved);
}

function checkName(what: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidArgument(`${what} must be a non-empty string, got ${describeValue(value)}`, value);
  }
  return value;
}

function checkIndex(index: unknown): IndexOption {
  if (!isPlainObject(index)) {
    throw invalidArgument(`index must be an object, got ${describeValue(index)}`, index);
  }
  const name = checkDynamoName('index name', index.name);
  const sortKeyAttribute = checkName('index sortKeyAttribute', index.sortKeyAttribute);
  if (index.type === 'local') return { type: 'local', name, sortKeyAttribute };
  if (index.type === 'global') {
    const partitionKeyAttribute = checkName('index partitionKeyAttribute', index.partitionKeyAttribute);
    return { type: 'global', name, partitionKeyAttribute, sortKeyAttribute };
  }
  throw invalidArgument(`index type must be 'local' or 'global', got ${describeValue(index.type)}`, index);
}

function checkBoolean(what: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw invalidArgument(`${what} must be a boolean, got ${describeValue(value)}`, value);
  }
  return value;
}

/** @internal Merges and validates read options, with defaults; throws before anything is sent. */
export function resolveReadOptions(options: readonly (ReadOptions | undefined)[]): ResolvedRead {
  const o = merge('read', READ_KEYS, options);
  const resolved: ResolvedRead = {
    consistent: checkBoolean('consistent', o.consistent, true),
    scanIndexForward: checkBoolean('scanIndexForward', o.scanIndexForward, true),
  };
  if (o.limit !== undefined) {
    if (!Number.isSafeInteger(o.limit) || (o.limit as number) < 1) {
      throw invalidArgument(`limit must be a positive integer, got ${describeValue(o.limit)}`, o.limit);
    }
    resolved.limit = o.limit as number;
  }
  if (o.startKey !== undefined) {
    if (typeof o.startKey !== 'string') {
      throw invalidArgument(
        `startKey must be a string from KVPairPage.lastKey, got ${describeValue(o.startKey)}`,
        o.startKey,
      );
    }
    // Go treats an empty start key as none.
    if (o.startKey !== '') resolved.startKey = o.startKey;
  }
  if (o.index !== undefined) resolved.index = checkIndex(o.index);
  return withCommon(o, resolved);
}

/** @internal Merges and validates delete options. */
export function resolveDeleteOptions(options: readonly (DeleteOptions | undefined)[]): ResolvedDelete {
  const o = merge('delete', DELETE_KEYS, options);
  const resolved: ResolvedDelete = {};
  return withCommon(o, resolved);
}

/** @internal INDEX_NOT_SUPPORTED for an operation that reads by primary key. */
export function refuseIndex(o: ResolvedRead, operation: string): void {
  if (o.index !== undefined) {
    throw new DynastoreError(
      'INDEX_NOT_SUPPORTED',
      `${operation} reads by primary key and cannot use index ${JSON.stringify(o.index.name)}; list with listPage instead`,
      { value: o.index },
    );
  }
}
