// What a failed condition means: the item as it is after the failure, the
// error it makes (KEY_MODIFIED or KEY_NOT_FOUND), and, for a conditional
// write whose SDK request was retried, whether the item holds that very write.
//
// When an attempt's reply is lost (a timeout, a reset connection, a 5xx), the
// SDK sends the request again. If the first attempt had landed, the retry's
// condition meets that very write and fails. The only witness left is the
// stored item: when it holds exactly what this write wrote, at the version
// this write gives it, the write landed.
//
// Implementation notes: what this does NOT tell apart. Another writer that
// wrote the very same attributes at the very same version in the meantime is
// indistinguishable from this write; the caller is told its write landed. A
// write that landed and was then overwritten by someone else before the retry
// reads as someone else's write (KEY_MODIFIED, KEY_EXISTS).
//
// The stored item may have been written by another tool, in any shape: it is
// read by its own properties only, and a version or expiry that is not a
// number never equals this write's.
import type { AttributeMap, AttributeValue } from './attribute';
import type { ConditionFailed } from './client';
import { DynastoreError, keyNotFound, quote } from './errors';
import { seconds } from './item';
import { itemKey, type Layout } from './layout';
import { isExpired, numberOf } from './kvpair';
import type { PreviousKV } from './options';
import type { Operation } from './request';

/** @internal What a write leaves in the item when it lands. */
export interface ExpectedItem {
  /** The version the write gives the item: 1 for a create, and for a compare against version 0. */
  readonly version: number;
  /** The payload written, or undefined when the write leaves the payload alone. */
  readonly payload: AttributeValue | undefined;
  /** The fields written; others are left alone unless `whole`. */
  readonly fields: AttributeMap | undefined;
  /** Unix seconds, or undefined when the write removes `expires`; 'kept' when it leaves it alone (keepTtl). */
  readonly expires: number | 'kept' | undefined;
  /** A create writes the whole item: nothing else may be stored. */
  readonly whole: boolean;
}

/** @internal Whether `stored` is the item a write of `expected` leaves. */
export function holdsWrite(stored: AttributeMap, expected: ExpectedItem, layout: Layout): boolean {
  const version = numberOf(stored, layout.version);
  if (version === undefined || !sameNumber(version, String(expected.version))) return false;
  if (expected.expires === undefined) {
    if (Object.hasOwn(stored, layout.expires)) return false;
  } else if (expected.expires !== 'kept') {
    const expires = numberOf(stored, layout.expires);
    if (expires === undefined || !sameNumber(expires, String(expected.expires))) return false;
  }
  const payload = attribute(stored, layout.value);
  if (expected.payload !== undefined) {
    if (payload === undefined || !sameValue(payload, expected.payload)) return false;
  } else if (expected.whole && payload !== undefined) {
    return false;
  }
  const fields = expected.fields ?? {};
  for (const name of Object.keys(fields)) {
    const value = attribute(stored, name);
    if (value === undefined || !sameValue(value, fields[name] as AttributeValue)) return false;
  }
  if (expected.whole) {
    for (const name of Object.keys(stored)) {
      if (!layout.reserved.has(name) && !Object.hasOwn(fields, name)) return false;
    }
  }
  return true;
}

/** An own attribute of an item, never an inherited one. */
function attribute(item: AttributeMap, name: string): AttributeValue | undefined {
  return Object.hasOwn(item, name) ? item[name] : undefined;
}

const TYPES = ['S', 'N', 'B', 'BOOL', 'NULL', 'SS', 'NS', 'BS', 'L', 'M'] as const;

/** The type an attribute value holds, by its own members; undefined for none. */
function typeOf(v: AttributeValue): (typeof TYPES)[number] | undefined {
  const value: unknown = v;
  if (typeof value !== 'object' || value === null) return undefined;
  return TYPES.find((t) => Object.hasOwn(v, t) && v[t] !== undefined);
}

/**
 * Whether two attribute values are equal as DynamoDB stores them: numbers by
 * value (DynamoDB normalises `1.50` to `1.5`), sets in any order, bytes by
 * content.
 */
function sameValue(a: AttributeValue, b: AttributeValue): boolean {
  const type = typeOf(a);
  if (type === undefined || typeOf(b) !== type) return false;
  switch (type) {
    case 'S':
      return a.S === b.S;
    case 'N':
      return sameNumber(a.N as string, b.N as string);
    case 'B':
      return sameBytes(a.B as Uint8Array, b.B as Uint8Array);
    case 'BOOL':
      return a.BOOL === b.BOOL;
    case 'NULL':
      return true;
    case 'SS':
      return sameSet(a.SS as string[], b.SS as string[], (s) => s);
    case 'NS':
      return sameSet(a.NS as string[], b.NS as string[], canonicalNumber);
    case 'BS':
      return sameSet(a.BS as Uint8Array[], b.BS as Uint8Array[], (v) => bytes(v)?.toString('base64') ?? '');
    case 'L': {
      const l = b.L as AttributeValue[];
      const k = a.L as AttributeValue[];
      return l.length === k.length && k.every((v, i) => sameValue(v, l[i] as AttributeValue));
    }
    case 'M': {
      const m = b.M as AttributeMap;
      const n = a.M as AttributeMap;
      const names = Object.keys(n);
      return (
        names.length === Object.keys(m).length &&
        names.every((name) => Object.hasOwn(m, name) && sameValue(n[name] as AttributeValue, m[name] as AttributeValue))
      );
    }
  }
}

function sameSet<T>(a: readonly T[], b: readonly T[], key: (v: T) => string): boolean {
  if (a.length !== b.length) return false;
  const keys = new Set(a.map(key));
  return b.every((v) => keys.has(key(v)));
}

/**
 * Bytes as the SDKs give them; a string, which a caller may write as bytes
 * from JavaScript, as both SDKs send it: its UTF-8 bytes.
 */
function bytes(value: Uint8Array | string): Buffer | undefined {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return undefined;
}

function sameBytes(a: Uint8Array | string, b: Uint8Array | string): boolean {
  const x = bytes(a);
  const y = bytes(b);
  return x !== undefined && y !== undefined && x.equals(y);
}

function sameNumber(a: string, b: string): boolean {
  return a === b || canonicalNumber(a) === canonicalNumber(b);
}

const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * A decimal number in one spelling per value, `0.<digits>e<exponent>`, in
 * time linear in its length; text that is not a number stays as it is.
 */
function canonicalNumber(n: string): string {
  const match = NUMBER.exec(n);
  if (match === null) return n;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  const digits = whole + fraction;
  let first = 0;
  while (first < digits.length && digits[first] === '0') first++;
  if (first === digits.length) return '0';
  let end = digits.length;
  while (digits[end - 1] === '0') end--;
  const significant = digits.slice(first, end);
  const scale = Number(exponent) + whole.length - first;
  return `${sign === '-' ? '-' : ''}0.${significant}e${scale}`;
}

/**
 * @internal The item as it is after a condition failed: the one the server returned
 * with the failure, or, where the server returns none (dynalite, or no
 * item), one consistent GetItem. Undefined when there is no item. A failed
 * read fails the operation (REQUEST_FAILED): its outcome is then unknown.
 */
export async function storedAfter(
  op: Operation,
  tableName: string,
  layout: Layout,
  partition: string,
  key: string,
  failure: ConditionFailed,
): Promise<AttributeMap | undefined> {
  if (failure.itemReturned) return failure.item;
  const { Item } = await op.getItem({
    TableName: tableName,
    Key: itemKey(layout, partition, key),
    ConsistentRead: true,
  });
  return Item === undefined || !Object.hasOwn(Item, layout.partitionKey) ? undefined : Item;
}

/** @internal KEY_MODIFIED or KEY_NOT_FOUND, from the item found after a compare failed. */
export function compareFailed(
  op: Operation,
  tableName: string,
  layout: Layout,
  item: AttributeMap | undefined,
  partition: string,
  key: string,
  previous: PreviousKV,
): DynastoreError {
  if (item === undefined || isExpired(item, seconds(op.runtime.clock()), layout)) {
    return keyNotFound(tableName, partition, key);
  }
  return new DynastoreError(
    'KEY_MODIFIED',
    `key ${quote(key)} in partition ${quote(partition)} was modified: expected version ${describeVersion(previous.version)}, found ${storedVersion(item, layout)}`,
    { value: previous },
  );
}

function describeVersion(version: number): string {
  return version === 0 ? '0 (none)' : String(version);
}

/** The stored version for a message: its number, or what there is instead. */
function storedVersion(item: AttributeMap, layout: Layout): string {
  const version = numberOf(item, layout.version);
  if (version !== undefined) return version.length > 40 ? `${version.slice(0, 40)}…` : version;
  return Object.hasOwn(item, layout.version) ? 'one that is not a number' : 'none';
}
