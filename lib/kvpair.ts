import type { AttributeMap, AttributeValue } from './attribute';
import type { Codec } from './client';
import { DynastoreError, invalidArgument } from './errors';
import { DEFAULT_LAYOUT, type Layout } from './layout';
import { thrownReason } from './marshal';
import { v2Codec } from './sdk-v2';
import { describeValue } from './validate';

// Items are read as DynamoDB holds them, whoever wrote them: Go dynastore v1,
// the console, another SDK. Every attribute is read as an own property, so
// nothing inherited (a polluted Object.prototype, or the prototype aws-sdk v3
// gives an item holding an attribute named `__proto__`) is ever taken for
// one. The attribute names below are the default layout's; a table given
// other names (layout.ts) reads its own the same way. What foreign shapes
// read as:
// - `version`: a positive safe integer reads as is; anything else (absent,
//   not a number, 0, negative, a fraction, beyond 2^53) reads as 0, which
//   compare-and-swap takes as "an item with no version of dynastore's".
// - `expires`: a number is unix seconds; anything else (a string, a map)
//   means the item never expires, as DynamoDB's own TTL ignores it. The
//   write conditions in expressions.ts follow the same rule.
// - `payload`: any type, as is; `stringValue` and `bytesValue` read only S and B.
// - `id`, `name`: the table's key, so always strings.

/** What a {@link KVPair} is built from. */
export interface KVPairInit {
  /** The partition name. */
  partition: string;
  /** The entity key. */
  key: string;
  /** The stored version: a positive integer, or 0 for an item with none dynastore can compare. */
  version: number;
  /** Unix seconds; 0 or absent means never. */
  expires?: number;
  /** The payload attribute value. */
  value?: AttributeValue;
  /** The extra top-level attributes. */
  fields?: AttributeMap;
}

/** Set while decodeItem builds a pair from a stored item, which needs no checks. */
let decoding = false;

/**
 * One stored item: its partition, key, version and expiry, the payload as
 * the raw attribute value, and the extra top-level fields.
 *
 * @example
 * ```ts
 * const kv = await users.get('user/123');
 * const profile = JSON.parse(kv.stringValue()) as Profile;
 * ```
 */
export class KVPair {
  /** The partition name (the hash key `id`). */
  readonly partition: string;
  /** The entity key (the range key `name`). */
  readonly key: string;
  /**
   * 1 after the first write, +1 for each write since; compare-and-swap
   * checks it. 0 for an item written by another tool with no version, or one
   * that is not a positive integer: such a pair can still be `previous`,
   * and the write then gives the item version 1.
   */
  readonly version: number;
  /** When the item expires, in unix seconds; 0 means never (an `expires` that is not a number too). */
  readonly expires: number;
  /** The payload as DynamoDB stores it, or undefined when the item has none. */
  readonly value: AttributeValue | undefined;
  /** The extra top-level attributes (everything but the reserved ones), as stored. */
  readonly fields: AttributeMap;

  /** The converter of the SDK that read the pair; aws-sdk v2's for a pair built by hand. */
  readonly #codec: Codec | undefined;

  /**
   * Builds a pair by hand, as a test double or a `previous` for a version
   * known otherwise. `INVALID_ARGUMENT` unless `partition` and `key` are
   * strings, `version` a non-negative integer, `expires` (when given) a
   * non-negative number, and `value` and `fields` (when given) plain
   * objects, which the pair copies (their own enumerable properties, one
   * level deep). Only `init`'s own properties are read.
   *
   * @param codec - @internal the converter of the SDK that read it
   */
  constructor(init: KVPairInit, codec?: Codec) {
    const i = decoding ? init : checkInit(init);
    this.#codec = codec;
    this.partition = i.partition;
    this.key = i.key;
    this.version = i.version;
    this.expires = i.expires ?? 0;
    this.value = i.value;
    this.fields = i.fields ?? {};
  }

  /** The payload as a string, or `''` when it is not a string (Go's `StringValue`). */
  stringValue(): string {
    const s = member(this.value, 'S');
    return typeof s === 'string' ? s : '';
  }

  /**
   * The payload as bytes: a binary payload as is, a string payload decoded
   * from standard base64 (how `writeWithBytes` and Go store bytes).
   * Undefined when there is no payload or it is neither.
   */
  bytesValue(): Buffer | undefined {
    const s = member(this.value, 'S');
    if (typeof s === 'string') {
      if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
      return Buffer.from(s, 'base64');
    }
    const b = member(this.value, 'B');
    if (b instanceof Uint8Array) return Buffer.isBuffer(b) ? b : Buffer.from(b);
    if (typeof b === 'string') return Buffer.from(b, 'base64');
    return undefined;
  }

  /**
   * The payload converted to a plain JavaScript value with
   * converter of the SDK the session uses (Go's `DecodeValue`): a map payload from
   * {@link marshalStruct} becomes an object. A payload the converter cannot
   * convert (on aws-sdk v3, a fraction beyond `Number.MAX_SAFE_INTEGER`) is
   * `INVALID_ARGUMENT`, with the converter's error as `cause`.
   */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the decoded type
  decodeValue<T = unknown>(): T | undefined {
    const value = this.value;
    if (value === undefined) return undefined;
    return converted('decodeValue', value, () => (this.#codec ?? v2Codec()).output(value)) as T;
  }

  /** The extra fields converted to a plain object (Go's `DecodeFields`); fails as `decodeValue` does. */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the decoded type
  decodeFields<T = Record<string, unknown>>(): T {
    return converted('decodeFields', this.fields, () => (this.#codec ?? v2Codec()).unmarshall(this.fields)) as T;
  }
}

/**
 * One page of a listing: `{ keys, lastKey? }`, plus `prefixes` for a
 * directory listing.
 *
 * @example
 * ```ts
 * const page = await users.listPage('user/', readWithLimit(100));
 * for (const kv of page.keys) console.log(kv.key, kv.version);
 * ```
 */
export interface KVPairPage {
  /**
   * The live items of this page, in sort-key order, as {@link KVPair}s: the
   * pairs, not key strings (the name is Go's `KVPairPage.Keys`; read a key
   * as `page.keys[i].key`). May be empty while `lastKey` is set.
   */
  keys: KVPair[];
  /** Pass to `readWithStartKey` for the next page; undefined when the listing is done. */
  lastKey?: string;
  /**
   * Set by a listing with a `delimiter` only: the child "directories" met on
   * this page, in listing order, each the prefix plus the key up to and
   * including the next delimiter (`'docs/api/'`). A directory is listed once
   * across all pages, and only when it holds a live item.
   */
  prefixes?: string[];
}

/** An own property of an item or attribute value, never an inherited one. */
function member<T extends object, K extends keyof T>(o: T | undefined, name: K): T[K] | undefined {
  return o !== undefined && Object.hasOwn(o, name) ? o[name] : undefined;
}

/** @internal The number an attribute holds, if it holds one (N), else undefined. */
export function numberOf(item: AttributeMap, name: string): string | undefined {
  const n = member(member(item, name), 'N');
  return typeof n === 'string' ? n : undefined;
}

/**
 * @internal An item is expired when its `expires` is a number not in the
 * future. An `expires` that is not a number never expires: DynamoDB's TTL
 * ignores it too, and every condition dynastore sends reads it the same way.
 */
export function isExpired(item: AttributeMap, nowSeconds: number, layout: Layout = DEFAULT_LAYOUT): boolean {
  const expires = numberOf(item, layout.expires);
  return expires !== undefined && !(Number(expires) > nowSeconds);
}

/**
 * @internal The version of a stored item as a {@link KVPair} holds it: a
 * positive safe integer, or 0 when there is none of those (see the notes
 * at the top of this file).
 */
export function versionOf(item: AttributeMap, layout: Layout = DEFAULT_LAYOUT): number {
  const n = Number(numberOf(item, layout.version));
  return Number.isSafeInteger(n) && n >= 1 ? n : 0;
}

/**
 * @internal Builds a KVPair from a stored item of a table laid out as
 * `layout`. One pass over the item's own enumerable attributes (an item an
 * SDK parsed, or one dynastore built, has no other own ones) takes the five
 * of the layout and copies the rest into `fields`; the members of those five
 * are read as own properties, as everywhere.
 */
export function decodeItem(item: AttributeMap, codec?: Codec, layout: Layout = DEFAULT_LAYOUT): KVPair {
  // The five names are the layout's reserved ones (layout.ts), all different.
  const { partitionKey, sortKey, value, version, expires } = layout;
  const fields: AttributeMap = {};
  let idValue: AttributeValue | undefined;
  let keyValue: AttributeValue | undefined;
  let payload: AttributeValue | undefined;
  let versionValue: AttributeValue | undefined;
  let expiresValue: AttributeValue | undefined;
  for (const name of Object.keys(item)) {
    const av = item[name];
    if (name === partitionKey) idValue = av;
    else if (name === sortKey) keyValue = av;
    else if (name === value) payload = av;
    else if (name === version) versionValue = av;
    else if (name === expires) expiresValue = av;
    else if (name === '__proto__') {
      // Assigning this name would set the prototype instead of a field.
      Object.defineProperty(fields, name, { value: av, enumerable: true, writable: true, configurable: true });
    } else fields[name] = av as AttributeValue;
  }
  // member(), written out: this runs for every item of every page.
  const id = idValue !== undefined && Object.hasOwn(idValue, 'S') ? idValue.S : undefined;
  const key = keyValue !== undefined && Object.hasOwn(keyValue, 'S') ? keyValue.S : undefined;
  const n = versionValue !== undefined && Object.hasOwn(versionValue, 'N') ? versionValue.N : undefined;
  const v = typeof n === 'string' ? Number(n) : NaN;
  const e = expiresValue !== undefined && Object.hasOwn(expiresValue, 'N') ? expiresValue.N : undefined;
  const expiresAt = typeof e === 'string' ? Number(e) : 0;
  scratch.partition = typeof id === 'string' ? id : '';
  scratch.key = typeof key === 'string' ? key : '';
  // As versionOf reads it.
  scratch.version = Number.isSafeInteger(v) && v >= 1 ? v : 0;
  scratch.expires = Number.isFinite(expiresAt) ? expiresAt : 0;
  scratch.value = payload;
  scratch.fields = fields;
  decoding = true;
  try {
    return new KVPair(scratch, codec);
  } finally {
    decoding = false;
    // Nothing of an item stays reachable from here.
    scratch.value = undefined;
    scratch.fields = undefined;
  }
}

/**
 * The init decodeItem hands the constructor, reused: the constructor copies
 * what it reads, synchronously, so one object serves every item.
 */
const scratch: KVPairInit = { partition: '', key: '', version: 0, expires: 0, value: undefined, fields: undefined };

/** What a converter returns; its own error (aws-sdk v3's refuses some numbers) as INVALID_ARGUMENT. */
function converted(what: string, value: unknown, convert: () => unknown): unknown {
  try {
    return convert();
  } catch (err) {
    throw new DynastoreError('INVALID_ARGUMENT', `${what} cannot convert the stored value${thrownReason(err)}`, {
      cause: err,
      value,
    });
  }
}

/**
 * `value` or `fields` of a caller's init: a plain object, copied one level
 * deep from its own enumerable properties, so that a getter or Proxy is read
 * once, here, and the pair's accessors never run the caller's code.
 */
function ownCopy(name: string, v: unknown): unknown {
  if (v === undefined) return undefined;
  const proto: unknown = typeof v === 'object' && v !== null ? Object.getPrototypeOf(v) : undefined;
  if (proto === undefined || (proto !== null && Object.getPrototypeOf(proto) !== null)) {
    throw invalidArgument(`KVPair ${name} must be a plain object when given, got ${describeValue(v)}`, v);
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(v as object)) {
    // defineProperty, not assignment: an attribute may be named __proto__.
    Object.defineProperty(copy, key, {
      value: (v as Record<string, unknown>)[key],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

/** A KVPairInit from a caller, read once and checked. */
function checkInit(init: unknown): KVPairInit {
  if (typeof init !== 'object' || init === null) {
    throw invalidArgument(`KVPair takes { partition, key, version }, got ${describeValue(init)}`, init);
  }
  let read: Partial<Record<keyof KVPairInit, unknown>>;
  try {
    // Own properties only: an inherited `fields` or `value` is no part of the pair.
    const own = (name: keyof KVPairInit): unknown => member(init as Record<keyof KVPairInit, unknown>, name);
    read = {
      partition: own('partition'),
      key: own('key'),
      version: own('version'),
      expires: own('expires'),
      value: ownCopy('value', own('value')),
      fields: ownCopy('fields', own('fields')),
    };
  } catch (err) {
    if (DynastoreError.is(err, 'INVALID_ARGUMENT')) throw err;
    throw new DynastoreError('INVALID_ARGUMENT', 'KVPair could not read its init object', { cause: err, value: init });
  }
  const { partition, key, version, expires, value, fields } = read;
  for (const [name, v] of [
    ['partition', partition],
    ['key', key],
  ] as const) {
    if (typeof v !== 'string') throw invalidArgument(`KVPair ${name} must be a string, got ${describeValue(v)}`, v);
  }
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    throw invalidArgument(`KVPair version must be a non-negative integer, got ${describeValue(version)}`, version);
  }
  if (expires !== undefined && (typeof expires !== 'number' || !Number.isFinite(expires) || expires < 0)) {
    throw invalidArgument(
      `KVPair expires must be a non-negative number of seconds, got ${describeValue(expires)}`,
      expires,
    );
  }
  for (const [name, v] of [
    ['value', value],
    ['fields', fields],
  ] as const) {
    if (v !== undefined && (typeof v !== 'object' || v === null || Array.isArray(v))) {
      throw invalidArgument(`KVPair ${name} must be an object when given, got ${describeValue(v)}`, v);
    }
  }
  return { partition, key, version, expires, value, fields } as KVPairInit;
}
