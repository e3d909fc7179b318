import type { AttributeMap, AttributeValue } from './attribute';
import { DynastoreError, invalidArgument } from './errors';
import type { DeleteOptions, IndexOption, PreviousKV, ReadOptions, WriteOptions } from './options';
import {
  checkAttributeValue,
  checkDynamoName,
  checkFieldName,
  checkNumber,
  checkWellFormed,
  describeValue,
  isPlainObject,
  RESERVED,
  utf8Length,
} from './validate';

// How an operation's options become one checked, resolved object: merged
// left to right, refused when the operation does not take them, each
// checked, before any request.
//
// Implementation notes: every property read of a caller's object goes
// through `merge` or `property`, and only own properties count. `merge`
// reads own enumerable properties, as Object.assign does; nested objects
// (`previous`, a signal) may be class instances, so `property` also reads
// what their classes define, but never what Object.prototype holds: anyone
// can add to Object.prototype, and `Object.prototype.ttl = 1` must not give
// every write a ttl. What is resolved is built on null-prototype objects,
// so reading an option that was not given is undefined whatever
// Object.prototype holds. Each caller's object is read once: the resolved
// copy is what the operation uses. A getter or Proxy trap that throws
// becomes INVALID_ARGUMENT with the thrown value as `cause`.
// Not copied: an `attributeValue` payload and a `signal` are used as given,
// so a Proxy among them is read again when the request is built and sent.

/** @internal Write options after merging and validation; a null-prototype object. */
export interface ResolvedWrite {
  payload?: AttributeValue;
  fields?: AttributeMap;
  ttl?: number;
  /** Set: the write neither sets nor removes `expires`. */
  keepTtl?: true;
  previous?: PreviousKV;
  signal?: AbortSignal;
  context?: Record<string, unknown>;
  returnConsumedCapacity?: boolean;
}

/** @internal Read options after merging, defaults and validation; a null-prototype object. */
export interface ResolvedRead {
  consistent: boolean;
  scanIndexForward: boolean;
  limit?: number;
  startKey?: string;
  index?: IndexOption;
  /** Set: a directory listing (tree.ts). */
  delimiter?: string;
  signal?: AbortSignal;
  context?: Record<string, unknown>;
  returnConsumedCapacity?: boolean;
}

/** @internal Delete options after merging and validation; a null-prototype object. */
export interface ResolvedDelete {
  signal?: AbortSignal;
  context?: Record<string, unknown>;
  /** Unset: the session's default. */
  returnConsumedCapacity?: boolean;
}

/** @internal The operations that take write options. */
export type WriteOperation = 'put' | 'atomicPut' | 'putIfNewer' | 'putMany';
/** @internal The operations that take read options. */
export type ReadOperation = 'get' | 'exists' | 'getMany' | 'listPage' | 'iterate' | 'list';

const COMMON_KEYS = ['signal', 'context', 'returnConsumedCapacity'];
const WRITE_KEYS = new Set([...COMMON_KEYS, 'value', 'attributeValue', 'fields', 'ttl', 'keepTtl', 'previous']);
const READ_KEYS = new Set([
  ...COMMON_KEYS,
  'consistent',
  'scanIndexForward',
  'limit',
  'startKey',
  'index',
  'delimiter',
]);
const DELETE_KEYS = new Set(COMMON_KEYS);

/** Operations that read by key: of the read options they take `consistent` and the common ones. */
const KEY_READS: ReadonlySet<ReadOperation> = new Set(['get', 'exists', 'getMany']);
/** What a read by key refuses with INVALID_ARGUMENT; an index is INDEX_NOT_SUPPORTED instead. */
const LISTING_ONLY = ['scanIndexForward', 'limit', 'startKey', 'delimiter'] as const;

/** The largest ttl: a later `expires` would be past JavaScript's last date. */
const MAX_TTL = 8.64e15;
/** DynamoDB's largest `Limit`: it answers a larger one with a 500, retried until the SDK gives up. */
const MAX_LIMIT = 2 ** 31 - 1;

type Options = Record<string, unknown>;

/**
 * Objects that inherit nothing: their prototype's prototype is null, so
 * reading what they were not given is undefined, whatever Object.prototype
 * holds. Unlike `Object.create(null)`, which V8 makes a hash table, they are
 * ordinary fast objects: several times cheaper to make and to read, on every
 * operation's path.
 */
// eslint-disable-next-line @typescript-eslint/no-extraneous-class -- its instances are the point
class Bare {}
Object.setPrototypeOf(Bare.prototype, null);

/** A fresh object that inherits nothing: reading what it was not given is undefined. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the one cast, named once
function blank<T extends object>(): T {
  return new Bare() as T;
}

/** A property of `object`, own or from its class, never from Object.prototype. */
function property(object: object, key: string): unknown {
  for (let p: unknown = object; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    if (Object.hasOwn(p as object, key)) return Reflect.get(object, key);
  }
  return undefined;
}

/** What a helper called with `undefined` puts in its option's place, so that the operation refuses it. */
class NotGiven {
  constructor(readonly helper: string) {}
}

/** Why a helper may not be called with undefined, when there is more to say. */
const NOT_GIVEN_HINTS: Readonly<Record<string, string>> = {
  writeWithTTL: ': writeWithNoExpires says "never expires"',
  readWithStartKey: ": '' starts from the beginning",
};

/** @internal A helper's argument, or, when it is undefined (which an option reads as unset), a mark merge refuses. */
export function given<T>(helper: string, argument: T): T {
  return argument === undefined ? (new NotGiven(helper) as T) : argument;
}

/** The codes our own checks throw; any other error while reading options came from the caller's objects. */
const CHECK_CODES = new Set(['INVALID_ARGUMENT', 'RESERVED_FIELD', 'INDEX_NOT_SUPPORTED']);

/** Runs `read`, turning whatever a caller's getter or Proxy throws into INVALID_ARGUMENT. */
function guarded<T>(what: string, value: unknown, read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw rethrown(what, value, err);
  }
}

/**
 * What to throw for `err`, thrown while reading the caller's `value`: our
 * own checks' errors as they are, anything else (a getter's, a Proxy's) as
 * INVALID_ARGUMENT. The paths every operation takes catch with it inline
 * rather than through {@link guarded}'s closure.
 */
function rethrown(what: string, value: unknown, err: unknown): unknown {
  if (err instanceof DynastoreError && CHECK_CODES.has(err.code)) return err;
  return new DynastoreError('INVALID_ARGUMENT', `reading the ${what} threw ${describeThrown(err)}`, {
    value,
    cause: err,
  });
}

function describeThrown(err: unknown): string {
  try {
    return err instanceof Error ? describeValue(`${err.name}: ${err.message}`) : describeValue(err);
  } catch {
    return 'a value that cannot be described';
  }
}

/**
 * The options merged left to right, a later one winning, as Object.assign
 * merges them. `value` and `attributeValue` are one slot, the payload: an
 * option giving either replaces the payload of the options before it.
 * `ttl` and `keepTtl` are one slot too, the expiry.
 */
function merge(kind: string, allowed: ReadonlySet<string>, options: readonly unknown[]): Options {
  const merged = blank<Options>();
  for (const option of options) {
    if (option === undefined) continue;
    try {
      mergeOption(kind, allowed, option, merged);
    } catch (err) {
      throw rethrown(`${kind} options`, option, err);
    }
  }
  return merged;
}

/** One option of {@link merge}, merged into `merged`. */
function mergeOption(kind: string, allowed: ReadonlySet<string>, option: unknown, merged: Options): void {
  if (!isPlainObject(option)) {
    throw invalidArgument(`${kind} options must be plain objects, got ${describeValue(option)}`, option);
  }
  // The payload and expiry slots, as this option gives them: read from its own properties only.
  let payloadGiven = false;
  let value: unknown;
  let attributeValue: unknown;
  let expiryGiven = false;
  let ttl: unknown;
  let keepTtl: unknown;
  for (const key of Object.keys(option)) {
    if (!allowed.has(key)) throw unknownOption(kind, key, option);
    const given = option[key];
    if (given instanceof NotGiven) {
      throw invalidArgument(`${given.helper} was called with undefined${NOT_GIVEN_HINTS[given.helper] ?? ''}`, option);
    }
    switch (key) {
      case 'value':
        payloadGiven = true;
        value = given;
        break;
      case 'attributeValue':
        payloadGiven = true;
        attributeValue = given;
        break;
      case 'ttl':
        expiryGiven = true;
        ttl = given;
        break;
      case 'keepTtl':
        expiryGiven = true;
        keepTtl = given;
        break;
      default:
        merged[key] = given;
    }
  }
  if (payloadGiven) {
    if (value !== undefined && attributeValue !== undefined) {
      throw invalidArgument('give either value or attributeValue, not both', option);
    }
    // Cleared, not deleted: a deleted property would turn the object into a hash table.
    merged.value = value;
    merged.attributeValue = value === undefined ? attributeValue : undefined;
  }
  if (expiryGiven) {
    if (ttl !== undefined && keepTtl === true) {
      throw invalidArgument('give either ttl or keepTtl: true, not both', option);
    }
    merged.ttl = ttl;
    merged.keepTtl = keepTtl;
  }
}

function unknownOption(kind: string, key: string, option: unknown): DynastoreError {
  const hint =
    kind === 'delete' && key === 'previous'
      ? ': atomicDelete takes previous as its own argument, before the options'
      : '';
  return invalidArgument(`unknown ${kind} option ${describeValue(key)}${hint}`, option);
}

/** @internal An optional AbortSignal, checked. */
export function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  return guarded('signal', signal, () => {
    if (
      typeof signal !== 'object' ||
      signal === null ||
      typeof property(signal, 'aborted') !== 'boolean' ||
      typeof property(signal, 'addEventListener') !== 'function' ||
      typeof property(signal, 'removeEventListener') !== 'function'
    ) {
      throw invalidArgument(`signal must be an AbortSignal, got ${describeValue(signal)}`, signal);
    }
    return signal as AbortSignal;
  });
}

/** A copy of the context's own enumerable values, so hooks see what was given when the call began. */
function checkContext(context: unknown): Record<string, unknown> | undefined {
  if (context === undefined) return undefined;
  if (!isPlainObject(context)) {
    throw invalidArgument(`context must be a plain object, got ${describeValue(context)}`, context);
  }
  const copy = blank<Record<string, unknown>>();
  for (const key of Object.keys(context)) copy[key] = context[key];
  return copy;
}

function checkBoolean(what: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw invalidArgument(`${what} must be a boolean, got ${describeValue(value)}`, value);
  }
  return value;
}

/** Adds the options every operation takes: signal, context and returnConsumedCapacity. */
function withCommon<T extends ResolvedDelete>(o: Options, resolved: T): T {
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
      return { S: checkWellFormed(`field ${describeValue(name)}`, value) };
    case 'boolean':
      return { BOOL: value };
    case 'number':
      if (Number.isFinite(value)) return { N: checkNumber(String(value), `field ${describeValue(name)}`) };
      break;
    default:
      if (value instanceof Uint8Array) return { B: toBuffer(value) };
  }
  throw invalidArgument(
    `field ${describeValue(name)} must be a string, a finite number, a boolean or bytes, got ${describeValue(value)}`,
    value,
  );
}

/** The `fields` option as attributes: its own enumerable properties, each checked. */
function checkFields(fields: unknown, reserved: ReadonlySet<string>): AttributeMap {
  return guarded('fields', fields, () => {
    if (!isPlainObject(fields)) {
      throw invalidArgument(`fields must be a plain object, got ${describeValue(fields)}`, fields);
    }
    const attributes = blank<AttributeMap>();
    for (const name of Object.keys(fields)) {
      checkFieldName(name, reserved);
      attributes[name] = fieldValue(name, fields[name]);
    }
    return attributes;
  });
}

/** The `attributeValue` payload, checked as deep as it goes. */
function checkPayloadAttribute(attributeValue: unknown): AttributeValue {
  return guarded('attributeValue', attributeValue, () => checkAttributeValue(attributeValue, 'attributeValue'));
}

function payloadOfValue(value: unknown): AttributeValue {
  if (typeof value === 'string') return { S: checkWellFormed('value', value) };
  if (value instanceof Uint8Array) return { S: toBuffer(value).toString('base64') };
  throw invalidArgument(`value must be a string or bytes, got ${describeValue(value)}`, value);
}

function checkTtl(ttl: unknown): number {
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0 || ttl > MAX_TTL) {
    throw invalidArgument(`ttl must be a positive, finite number of milliseconds, got ${describeValue(ttl)}`, ttl);
  }
  return ttl;
}

/** A page size DynamoDB takes: an integer from 1 to 2^31 − 1. */
function checkLimit(limit: unknown): number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw invalidArgument(`limit must be an integer from 1 to ${MAX_LIMIT}, got ${describeValue(limit)}`, limit);
  }
  return limit;
}

/** A start key: a string, `''` meaning none. */
function checkStartKey(startKey: unknown): string {
  if (typeof startKey !== 'string') {
    throw invalidArgument(
      `startKey must be a string from KVPairPage.lastKey, got ${describeValue(startKey)}`,
      startKey,
    );
  }
  return startKey;
}

/** DynamoDB's limit on the name of an index's key attribute, in UTF-8 bytes. */
const KEY_ATTRIBUTE_BYTES = 255;

/**
 * An index key attribute's name, as DynamoDB could have one: a lone
 * surrogate would be refused, or sent as U+FFFD, another name.
 */
function checkName(what: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidArgument(`${what} must be a non-empty string, got ${describeValue(value)}`, value);
  }
  checkWellFormed(what, value);
  if (value.length * 3 > KEY_ATTRIBUTE_BYTES && utf8Length(value) > KEY_ATTRIBUTE_BYTES) {
    throw invalidArgument(
      `${what} ${describeValue(value)} is over DynamoDB's ${KEY_ATTRIBUTE_BYTES}-byte limit for key attributes`,
      value,
    );
  }
  return value;
}

/** An index option, copied: a null-prototype LocalIndex or GlobalIndex. */
function checkIndex(index: unknown): IndexOption {
  return guarded('index', index, () => {
    if (!isPlainObject(index)) {
      throw invalidArgument(`index must be a plain object, got ${describeValue(index)}`, index);
    }
    const type = property(index, 'type');
    const name = checkDynamoName('index name', property(index, 'name'));
    const sortKeyAttribute = checkName('index sortKeyAttribute', property(index, 'sortKeyAttribute'));
    if (type === 'local') return Object.assign(blank<IndexOption>(), { type, name, sortKeyAttribute });
    if (type === 'global') {
      const partitionKeyAttribute = checkName('index partitionKeyAttribute', property(index, 'partitionKeyAttribute'));
      return Object.assign(blank<IndexOption>(), { type, name, partitionKeyAttribute, sortKeyAttribute });
    }
    throw invalidArgument(`index type must be 'local' or 'global', got ${describeValue(type)}`, index);
  });
}

/** What `previous` may name besides its version. */
const PREVIOUS_NAMES = ['partition', 'key'] as const;

/**
 * @internal A compare-and-swap's expected version, copied: `version`, and
 * `partition` and `key` when present, read from the object or its class (a
 * {@link KVPair}'s are its own), never from Object.prototype.
 */
export function checkPrevious(previous: unknown): PreviousKV {
  try {
    if (typeof previous !== 'object' || previous === null) {
      throw invalidArgument(`previous must be a KVPair, got ${describeValue(previous)}`, previous);
    }
    const version = property(previous, 'version');
    if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
      throw invalidArgument(`previous.version must be a non-negative integer, got ${describeValue(version)}`, previous);
    }
    const copy = blank<{ version: number; partition?: string; key?: string }>();
    copy.version = version;
    for (const name of PREVIOUS_NAMES) {
      const value = property(previous, name);
      if (value === undefined) continue;
      if (typeof value !== 'string') {
        throw invalidArgument(`previous.${name} must be a string when present, got ${describeValue(value)}`, previous);
      }
      copy[name] = value;
    }
    return copy;
  } catch (err) {
    throw rethrown('previous', previous, err);
  }
}

/**
 * @internal Merges and checks write options; throws before anything is
 * sent. `put` refuses `previous`; `atomicPut`, the default, takes it.
 */
export function resolveWriteOptions(
  options: readonly (WriteOptions | undefined)[],
  operation: WriteOperation = 'atomicPut',
  reserved: ReadonlySet<string> = RESERVED,
): ResolvedWrite {
  try {
    const o = merge('write', WRITE_KEYS, options);
    if (operation !== 'atomicPut' && o.previous !== undefined) {
      throw invalidArgument(
        operation === 'putIfNewer'
          ? 'putIfNewer compares the version it is given, and does not take previous: give previous to atomicPut'
          : `${operation} does not compare versions and does not take previous: give it to atomicPut`,
        o.previous,
      );
    }
    const resolved = blank<ResolvedWrite>();
    if (o.value !== undefined) resolved.payload = payloadOfValue(o.value);
    else if (o.attributeValue !== undefined) resolved.payload = checkPayloadAttribute(o.attributeValue);
    if (o.fields !== undefined) resolved.fields = checkFields(o.fields, reserved);
    if (o.ttl !== undefined) resolved.ttl = checkTtl(o.ttl);
    if (checkBoolean('keepTtl', o.keepTtl, false)) {
      if (operation === 'putIfNewer' || operation === 'putMany') {
        throw invalidArgument(
          `${operation} replaces the whole item and does not take keepTtl: keep an expiry with put or atomicPut`,
          o.keepTtl,
        );
      }
      resolved.keepTtl = true;
    }
    if (o.previous !== undefined) resolved.previous = checkPrevious(o.previous);
    return withCommon(o, resolved);
  } catch (err) {
    throw rethrown('write options', options, err);
  }
}

/**
 * @internal Merges and checks read options, with defaults; throws before
 * anything is sent. `get`, `exists` and `getMany` read by key: they refuse
 * the listing options with INVALID_ARGUMENT, and an index with
 * INDEX_NOT_SUPPORTED. The listings, `listPage` the default, take them all.
 */
export function resolveReadOptions(
  options: readonly (ReadOptions | undefined)[],
  operation: ReadOperation = 'listPage',
): ResolvedRead {
  // No options (the common call): the defaults, without the merge and checks that read none.
  if (options.length === 0) {
    const defaults = blank<ResolvedRead>();
    defaults.consistent = true;
    defaults.scanIndexForward = true;
    return defaults;
  }
  try {
    const o = merge('read', READ_KEYS, options);
    const byKey = KEY_READS.has(operation);
    if (byKey) {
      for (const name of LISTING_ONLY) {
        if (o[name] !== undefined) {
          throw invalidArgument(
            `${operation} reads by key and does not take the ${name} option; listPage, iterate and list do`,
            o[name],
          );
        }
      }
    }
    const resolved = blank<ResolvedRead>();
    resolved.consistent = checkBoolean('consistent', o.consistent, true);
    resolved.scanIndexForward = checkBoolean('scanIndexForward', o.scanIndexForward, true);
    if (o.limit !== undefined) resolved.limit = checkLimit(o.limit);
    // Go treats an empty start key as none.
    if (o.startKey !== undefined && checkStartKey(o.startKey) !== '') resolved.startKey = o.startKey as string;
    if (o.delimiter !== undefined) resolved.delimiter = checkDelimiter(o.delimiter);
    if (o.index !== undefined) {
      const index = checkIndex(o.index);
      if (byKey) {
        throw new DynastoreError(
          'INDEX_NOT_SUPPORTED',
          `${operation} reads by primary key and cannot use index ${describeValue(index.name)}; list with listPage instead`,
          { value: index },
        );
      }
      resolved.index = index;
    }
    return withCommon(o, resolved);
  } catch (err) {
    throw rethrown('read options', options, err);
  }
}

/**
 * A directory listing's delimiter: a non-empty, well-formed string that fits
 * in a sort key. `''` is refused rather than read as "no delimiter" (S3's
 * reading): a listing that silently reads every subtree is the cost the
 * option exists to avoid.
 */
function checkDelimiter(value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw invalidArgument(`delimiter must be a non-empty string, got ${describeValue(value)}`, value);
  }
  checkWellFormed('delimiter', value);
  if (utf8Length(value) > 1024) throw invalidArgument('delimiter is longer than a sort key (1024 bytes)', value);
  return value;
}

/** @internal Merges and checks delete options (`delete`, `atomicDelete`). */
export function resolveDeleteOptions(options: readonly (DeleteOptions | undefined)[]): ResolvedDelete {
  return guarded('delete options', options, () => withCommon(merge('delete', DELETE_KEYS, options), blank()));
}
