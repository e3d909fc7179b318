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
import type { AttributeMap, AttributeValue } from './attribute';
import type { ConditionFailed } from './client';
import { DynastoreError, keyNotFound } from './errors';
import { itemKey, seconds } from './item';
import { isExpired } from './kvpair';
import type { PreviousKV } from './options';
import type { Operation } from './request';

/** @internal What a write leaves in the item when it lands. */
export interface ExpectedItem {
  /** The version the write gives the item. */
  readonly version: number;
  /** The payload written, or undefined when the write leaves the payload alone. */
  readonly payload: AttributeValue | undefined;
  /** The fields written; others are left alone unless `whole`. */
  readonly fields: AttributeMap | undefined;
  /** Unix seconds, or undefined when the write removes `expires`. */
  readonly expires: number | undefined;
  /** A create writes the whole item: nothing else may be stored. */
  readonly whole: boolean;
}

/** @internal Whether `stored` is the item a write of `expected` leaves. */
export function holdsWrite(stored: AttributeMap, expected: ExpectedItem): boolean {
  if (stored.version?.N === undefined || !sameNumber(stored.version.N, String(expected.version))) return false;
  if (expected.expires === undefined) {
    if (stored.expires !== undefined) return false;
  } else if (stored.expires?.N === undefined || !sameNumber(stored.expires.N, String(expected.expires))) {
    return false;
  }
  if (expected.payload !== undefined) {
    if (stored.payload === undefined || !sameValue(stored.payload, expected.payload)) return false;
  } else if (expected.whole && stored.payload !== undefined) {
    return false;
  }
  const fields = expected.fields ?? {};
  for (const name of Object.keys(fields)) {
    const value = stored[name];
    if (value === undefined || !sameValue(value, fields[name] as AttributeValue)) return false;
  }
  if (expected.whole) {
    for (const name of Object.keys(stored)) {
      if (!KEY_OR_OWN.has(name) && !Object.hasOwn(fields, name)) return false;
    }
  }
  return true;
}

const KEY_OR_OWN = new Set(['id', 'name', 'version', 'expires', 'payload']);

/**
 * Whether two attribute values are equal as DynamoDB stores them: numbers by
 * value (DynamoDB normalises `1.50` to `1.5`), sets in any order, bytes by
 * content.
 */
function sameValue(a: AttributeValue, b: AttributeValue): boolean {
  if (a.S !== undefined) return a.S === b.S;
  if (a.N !== undefined) return b.N !== undefined && sameNumber(a.N, b.N);
  if (a.B !== undefined) return b.B !== undefined && sameBytes(a.B, b.B);
  if (a.BOOL !== undefined) return a.BOOL === b.BOOL;
  if (a.NULL !== undefined) return b.NULL !== undefined;
  if (a.SS !== undefined) return b.SS !== undefined && sameSet(a.SS, b.SS, (s) => s);
  if (a.NS !== undefined) return b.NS !== undefined && sameSet(a.NS, b.NS, canonicalNumber);
  if (a.BS !== undefined) return b.BS !== undefined && sameSet(a.BS, b.BS, (v) => bytes(v)?.toString('base64') ?? '');
  if (a.L !== undefined) {
    const l = b.L;
    return l !== undefined && l.length === a.L.length && a.L.every((v, i) => sameValue(v, l[i] as AttributeValue));
  }
  if (a.M !== undefined) {
    const m = b.M;
    if (m === undefined) return false;
    const names = Object.keys(a.M);
    return (
      names.length === Object.keys(m).length &&
      names.every((n) => m[n] !== undefined && sameValue((a.M as AttributeMap)[n] as AttributeValue, m[n]))
    );
  }
  return false;
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
  partition: string,
  key: string,
  failure: ConditionFailed,
): Promise<AttributeMap | undefined> {
  if (failure.itemReturned) return failure.item;
  const { Item } = await op.getItem({
    TableName: tableName,
    Key: itemKey(partition, key),
    ConsistentRead: true,
  });
  return Item?.id === undefined ? undefined : Item;
}

/** @internal KEY_MODIFIED or KEY_NOT_FOUND, from the item found after a compare failed. */
export function compareFailed(
  op: Operation,
  tableName: string,
  item: AttributeMap | undefined,
  partition: string,
  key: string,
  previous: PreviousKV,
): DynastoreError {
  if (item === undefined || isExpired(item, seconds(op.runtime.clock()))) {
    return keyNotFound(tableName, partition, key);
  }
  return new DynastoreError(
    'KEY_MODIFIED',
    `key ${JSON.stringify(key)} in partition ${JSON.stringify(partition)} was modified: expected version ${previous.version}, found ${item.version?.N ?? 'none'}`,
    { value: previous },
  );
}
