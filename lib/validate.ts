import { isProxy, isUint8Array } from 'node:util/types';
import type { AttributeMap, AttributeValue } from './attribute';
import { DynastoreError, invalidArgument, quote } from './errors';

/** @internal DynamoDB's limits, in UTF-8 bytes. */
export const LIMITS = {
  partitionKeyBytes: 2048,
  sortKeyBytes: 1024,
  itemBytes: 400 * 1024,
  /** An attribute name, as ExpressionAttributeNames may carry it. */
  attributeNameBytes: 65535,
  /** Any one expression string. */
  expressionBytes: 4096,
} as const;

/** @internal The attribute names dynastore owns in the default layout. */
export const RESERVED = new Set(['id', 'name', 'version', 'expires', 'payload']);

/** @internal The names of a table's own attributes, as a layout (layout.ts) holds them. */
export interface AttributeNames {
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly value: string;
  readonly version: string;
  readonly expires: string;
}

const DEFAULT_NAMES: AttributeNames = {
  partitionKey: 'id',
  sortKey: 'name',
  value: 'payload',
  version: 'version',
  expires: 'expires',
};

/** @internal Size in bytes of a string once UTF-8 encoded, as DynamoDB counts it. */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Bigints past this magnitude are described by size: printing one costs more than linear time. */
const BIGINT_SHOWN = 10n ** 30n;

function describe(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'bigint':
      return value > -BIGINT_SHOWN && value < BIGINT_SHOWN ? `${value}n` : 'a bigint of over 30 digits';
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default:
      return describeObject(value as object | null);
  }
}

/** An object described by its kind, never by its contents; a Proxy that throws is "an object". */
function describeObject(value: object | null): string {
  if (value === null) return 'null';
  // A Proxy is not asked anything: its traps would run the caller's code while an error is being built.
  if (isProxy(value)) return 'an object';
  try {
    if (Array.isArray(value)) return 'an array';
    if (value instanceof Uint8Array) return value.byteLength === 1 ? '1 byte' : `${value.byteLength} bytes`;
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === null || proto === Object.prototype) return 'an object';
    const name: unknown = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string' && /^[A-Za-z_$][\w$]{0,40}$/.test(name) && name !== 'Object') {
      return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
    }
  } catch {
    // What a hostile object throws while being described must not replace the error being built.
  }
  return 'an object';
}

/**
 * @internal A short, safe rendering of a bad value for error messages: a
 * string quoted and cut to about 100 characters, an object by its kind only.
 * Never throws, and never takes more than linear time.
 */
export { describe as describeValue };

/** @internal A user's string quoted for a message, bounded (from errors.ts). */
export { quote };

/** @internal Refuses a string that is not well-formed UTF-16: DynamoDB stores UTF-8, where a lone surrogate becomes U+FFFD. */
export function checkWellFormed(what: string, value: string): string {
  if (!value.isWellFormed()) {
    throw invalidArgument(`${what} ${describe(value)} is not well-formed Unicode (it has a lone surrogate)`, value);
  }
  return value;
}

function checkString(what: string, value: unknown, maxBytes: number, allowEmpty: boolean): string {
  if (typeof value !== 'string') {
    throw invalidArgument(`${what} must be a string, got ${describe(value)}`, value);
  }
  if (!allowEmpty && value.length === 0) {
    throw invalidArgument(`${what} must not be empty`, value);
  }
  // A lone surrogate would be stored as U+FFFD, silently changing the key.
  checkWellFormed(what, value);
  // Every UTF-16 unit is at least one UTF-8 byte and at most three.
  if (value.length * 3 > maxBytes) {
    const bytes = utf8Length(value);
    if (bytes > maxBytes) {
      throw invalidArgument(
        `${what} ${describe(value)} is ${bytes} bytes in UTF-8, over DynamoDB's limit of ${maxBytes}`,
        value,
      );
    }
  }
  return value;
}

/** @internal Checks a partition name (the hash key `id`). */
export function checkPartitionKey(value: unknown, what = 'partition'): string {
  return checkString(what, value, LIMITS.partitionKeyBytes, false);
}

/** @internal Checks an entity key (the range key `name`). */
export function checkSortKey(value: unknown): string {
  return checkString('key', value, LIMITS.sortKeyBytes, false);
}

/** @internal Checks a listing prefix; empty lists everything. */
export function checkPrefix(value: unknown): string {
  return checkString('prefix', value, LIMITS.sortKeyBytes, true);
}

/** @internal Checks a table or index name against DynamoDB's naming rules. */
export function checkDynamoName(what: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_.-]{3,255}$/.test(value)) {
    throw invalidArgument(
      `${what} must be 3 to 255 characters of A-Z, a-z, 0-9, '_', '-' and '.', got ${describe(value)}`,
      value,
    );
  }
  return value;
}

/** @internal Checks a table name against DynamoDB's naming rules. */
export function checkTableName(value: unknown): string {
  return checkDynamoName('table name', value);
}

/**
 * @internal Checks an extra field's name: non-empty, well-formed, not one of
 * the table's `reserved` names (the default layout's unless given).
 */
export function checkFieldName(name: string, reserved: ReadonlySet<string> = RESERVED): void {
  if (reserved.has(name)) {
    throw new DynastoreError(
      'RESERVED_FIELD',
      `field ${quote(name)} is reserved: ${[...reserved].join(', ')} belong to dynastore in this table`,
      { value: name },
    );
  }
  checkAttributeName('field name', name);
}

/** An attribute name DynamoDB takes, as a field or as a key of a map value. */
function checkAttributeName(what: string, name: string): void {
  if (name.length === 0 || !name.isWellFormed()) {
    throw invalidArgument(`${what} ${describe(name)} must be a non-empty, well-formed string`, name);
  }
  if (name === '__proto__') {
    // aws-sdk v2 builds and parses its JSON by assignment, so it drops this name both ways.
    throw invalidArgument(`${what} "__proto__" cannot be sent or read back through aws-sdk v2`, name);
  }
  if (name.length * 3 > LIMITS.attributeNameBytes && utf8Length(name) > LIMITS.attributeNameBytes) {
    throw invalidArgument(`${what} ${describe(name)} is over DynamoDB's ${LIMITS.attributeNameBytes}-byte limit`, name);
  }
}

/**
 * @internal Refuses an expression DynamoDB would: each is limited to 4 KB.
 * Ours hold only placeholders, so only a write of very many fields gets near.
 */
export function checkExpressionSize(expression: string, key: string, fields: AttributeMap | undefined): string {
  if (expression.length > LIMITS.expressionBytes) {
    const fieldCount = fields === undefined ? 0 : Object.keys(fields).length;
    throw invalidArgument(
      `writing ${fieldCount} fields to ${describe(key)} takes a ${expression.length}-byte update expression, over DynamoDB's 4 KB limit: write fewer fields at once, or one map field through attributeValue`,
      key,
    );
  }
  return expression;
}

function binaryLength(b: unknown): number {
  if (typeof b === 'string') return utf8Length(b);
  if (b instanceof Uint8Array) return b.byteLength;
  return 0;
}

/** @internal DynamoDB's size rule for one attribute value. */
export function attributeSize(av: AttributeValue): number {
  if (av.S !== undefined) return utf8Length(av.S);
  if (av.N !== undefined) return av.N.length;
  if (av.B !== undefined) return binaryLength(av.B);
  if (av.BOOL !== undefined || av.NULL !== undefined) return 1;
  if (av.SS) return av.SS.reduce((n, s) => n + utf8Length(s), 0);
  if (av.NS) return av.NS.reduce((n, s) => n + s.length, 0);
  if (av.BS) return av.BS.reduce<number>((n, b) => n + binaryLength(b), 0);
  if (av.M) {
    let n = 3;
    for (const [k, v] of Object.entries(av.M)) n += utf8Length(k) + 1 + attributeSize(v);
    return n;
  }
  if (av.L) return av.L.reduce((n, v) => n + 1 + attributeSize(v), 3);
  return 0;
}

/**
 * @internal Refuses a write whose item would be over DynamoDB's 400 KB limit,
 * before it is sent: the key, version, payload, fields and expiry, counted
 * by DynamoDB's rule (attribute names and values in bytes) without building
 * the item.
 */
export function checkWriteSize(
  partition: string,
  key: string,
  payload: AttributeValue | undefined,
  fields: AttributeMap | undefined,
  expires: number | undefined,
  names: AttributeNames = DEFAULT_NAMES,
): void {
  // Every UTF-16 unit is at most three UTF-8 bytes: while that bound is within the limit, nothing is counted exactly.
  if (writeSizeBound(partition, key, payload, fields, expires, names) <= LIMITS.itemBytes) return;
  // the keys and version (a number of at most a few bytes, dynastore's or a caller's) with their names
  let total =
    utf8Length(names.partitionKey) +
    utf8Length(partition) +
    utf8Length(names.sortKey) +
    utf8Length(key) +
    utf8Length(names.version) +
    8;
  if (payload !== undefined) total += utf8Length(names.value) + attributeSize(payload);
  if (fields !== undefined)
    for (const name of Object.keys(fields)) total += utf8Length(name) + attributeSize(fields[name] as AttributeValue);
  if (expires !== undefined) total += utf8Length(names.expires) + String(expires).length;
  if (total > LIMITS.itemBytes) {
    throw invalidArgument(
      `item ${describe(key)} is ${total} bytes, over DynamoDB's 400 KB limit (${LIMITS.itemBytes} bytes)`,
      key,
    );
  }
}

/** At least the bytes checkWriteSize counts: strings at three bytes a UTF-16 unit, anything else as counted. */
function writeSizeBound(
  partition: string,
  key: string,
  payload: AttributeValue | undefined,
  fields: AttributeMap | undefined,
  expires: number | undefined,
  names: AttributeNames,
): number {
  let bound =
    3 * (names.partitionKey.length + partition.length + names.sortKey.length + key.length + names.version.length) + 8;
  if (payload !== undefined) bound += 3 * names.value.length + attributeBound(payload);
  if (fields !== undefined) {
    for (const name of Object.keys(fields)) bound += 3 * name.length + attributeBound(fields[name] as AttributeValue);
  }
  if (expires !== undefined) bound += 3 * names.expires.length + String(expires).length;
  return bound;
}

/** At least attributeSize(av): a string at three bytes a UTF-16 unit, anything else as counted. */
function attributeBound(av: AttributeValue): number {
  return av.S !== undefined ? 3 * av.S.length : attributeSize(av);
}

const ATTRIBUTE_TYPES = new Set(['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL']);

/**
 * Maps and lists nest 31 deep at most: AWS documents 32 levels, and DynamoDB
 * Local, which implements the check, refuses a map or list inside 31 others.
 */
const MAX_CONTAINER_DEPTH = 31;
const DEPTH = `nests deeper than DynamoDB's 32 levels: at most ${MAX_CONTAINER_DEPTH} maps and lists inside one another`;

/** DynamoDB's number range: the first significant digit's exponent, and how many digits. */
const NUMBER_LIMITS = { minExponent: -130, maxExponent: 125, digits: 38 } as const;

/** Exponents of more digits than this are refused unread, so they stay exact in a double. */
const EXPONENT_DIGITS = 9;

/**
 * A number's canonical form (`-` or not, its significant digits, `e`, the
 * exponent of the first), equal for equal numbers; or why DynamoDB would
 * refuse it. The grammar is what both DynamoDB Local and dynalite accept:
 * `-`, ASCII digits with at most one `.` and at least one digit, then
 * optionally `e` or `E`, a sign and digits. A hand-written scan, one pass:
 * a regular expression for this grammar is easily quadratic on a long
 * malformed string.
 */
function scanNumber(n: string): { key: string } | { why: string } {
  // An item holds 400 KB, and checkWriteSize counts a number by its characters.
  if (n.length > LIMITS.itemBytes) return { why: `is ${n.length} characters, more than an item holds` };
  const syntax = { why: "is not a number: DynamoDB takes decimal digits with an optional '-', '.' and exponent" };
  let i = n.charCodeAt(0) === 45 ? 1 : 0;
  let digits = 0;
  let point = -1;
  let first = -1;
  let last = -1;
  let firstAt = 0;
  let lastAt = 0;
  for (; i < n.length; i++) {
    const c = n.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (c !== 48) {
        if (first < 0) {
          first = i;
          firstAt = digits;
        }
        last = i;
        lastAt = digits;
      }
      digits++;
    } else if (c === 46 && point < 0) {
      point = digits;
    } else break;
  }
  if (digits === 0) return syntax;
  if (point < 0) point = digits;
  let exponent = 0;
  let exponentDigits = 0;
  if (i < n.length && (n.charCodeAt(i) === 101 || n.charCodeAt(i) === 69)) {
    i++;
    const sign = n.charCodeAt(i) === 45 ? -1 : 1;
    if (n.charCodeAt(i) === 45 || n.charCodeAt(i) === 43) i++;
    const start = i;
    for (; i < n.length; i++) {
      const c = n.charCodeAt(i);
      if (c < 48 || c > 57) break;
      if (exponentDigits > 0 || c !== 48) {
        exponentDigits++;
        if (exponentDigits <= EXPONENT_DIGITS) exponent = exponent * 10 + (c - 48);
      }
    }
    if (i === start) return syntax;
    exponent *= sign;
  }
  if (i !== n.length) return syntax;
  const range = { why: "is outside DynamoDB's range: magnitude 1e-130 to 9.99…e125 (38 digits), or 0" };
  if (exponentDigits > EXPONENT_DIGITS) return range;
  if (first < 0) return { key: '0' };
  const significant = lastAt - firstAt + 1;
  if (significant > NUMBER_LIMITS.digits) {
    return { why: `has ${significant} significant digits; DynamoDB stores ${NUMBER_LIMITS.digits} digits at most` };
  }
  const leading = point - 1 - firstAt + exponent;
  if (leading < NUMBER_LIMITS.minExponent || leading > NUMBER_LIMITS.maxExponent) return range;
  const mantissa = n.slice(first, last + 1).replace('.', '');
  return { key: `${n.charCodeAt(0) === 45 ? '-' : ''}${mantissa}e${leading}` };
}

/** A number's canonical form, or INVALID_ARGUMENT naming `what`. */
function numberKey(n: string, what: string): string {
  const scanned = scanNumber(n);
  // hasOwn, not `in`: a polluted Object.prototype.why or .key must not change the verdict.
  if (Object.hasOwn(scanned, 'why')) {
    throw invalidArgument(`${what} ${describe(n)} ${(scanned as { why: string }).why}`, n);
  }
  return (scanned as { key: string }).key;
}

/** @internal Whether DynamoDB stores `n` as a number; for checks that refuse with their own code. */
export function isStorableNumber(n: string): boolean {
  return Object.hasOwn(scanNumber(n), 'key');
}

/**
 * @internal A number DynamoDB stores: at most 38 significant digits, and
 * zero or a magnitude from 1e-130 to under 1e126. Linear in its length.
 */
export function checkNumber(n: string, what: string): string {
  numberKey(n, what);
  return n;
}

/** @internal A plain object: made by `{}`, `Object.create(null)` or another realm's `{}`; not an array, nor of a class. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  // Another realm's Object.prototype is accepted too: its own prototype is null.
  return proto === null || proto === Object.prototype || Object.getPrototypeOf(proto) === null;
}

/**
 * Bytes DynamoDB takes: a Uint8Array (by its internal slot, so not a Proxy of
 * one, which the SDKs cannot read), or a well-formed string, which both SDKs
 * send as its UTF-8.
 */
function isBytes(b: unknown): b is Uint8Array | string {
  return isUint8Array(b) || (typeof b === 'string' && b.isWellFormed());
}

/** Bytes as a string equal for equal contents, for finding a repeated set member. */
function bytesKey(b: Uint8Array | string): string {
  return (typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b.buffer, b.byteOffset, b.byteLength)).toString(
    'latin1',
  );
}

/** A map key in a path: `.name` when it reads as one, else quoted in brackets. */
function pathOf(path: string, key: string): string {
  return key.length <= 64 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${quote(key)}]`;
}

/**
 * @internal Checks a whole attribute value, as deep as it goes, by
 * DynamoDB's rules: exactly one type member, of the right kind; strings
 * well-formed; numbers in range; sets non-empty, of distinct members (numbers
 * compared by value, bytes by content); map keys non-empty; maps and lists at
 * most 31 deep. Answers a copy holding exactly what was checked, read once,
 * so a getter, a Proxy or a prototype cannot send something else; bytes are
 * shared, not copied.
 */
export function checkAttributeValue(av: unknown, path: string, depth = 0): AttributeValue {
  const bad = (why: string): DynastoreError => invalidArgument(`${path} ${why}`, av);
  if (!isPlainObject(av)) {
    throw bad(`must be a DynamoDB attribute value such as { S: 'x' } or { M: {...} }, got ${describe(av)}`);
  }
  const given: string[] = [];
  let type = '';
  let v: unknown;
  for (const key of Object.keys(av)) {
    const value = av[key];
    if (value === undefined) continue;
    given.push(key);
    type = key;
    v = value;
  }
  if (given.length !== 1 || !ATTRIBUTE_TYPES.has(type)) {
    const names = given.slice(0, 5).map((k) => (k.length <= 64 && /^\w+$/.test(k) ? k : quote(k)));
    const more = given.length > 5 ? ` and ${given.length - 5} more` : '';
    throw bad(
      `must have exactly one of S, N, B, SS, NS, BS, M, L, NULL, BOOL; has ${names.join(', ') || 'none'}${more}`,
    );
  }
  switch (type) {
    case 'S':
      if (typeof v !== 'string') throw bad(`S must be a string, got ${describe(v)}`);
      return { S: checkWellFormed(`${path}.S`, v) };
    case 'N':
      if (typeof v !== 'string') throw bad(`N must be a number as a string, got ${describe(v)}`);
      return { N: checkNumber(v, `${path}.N`) };
    case 'B':
      if (!isBytes(v)) throw bad(`B must be bytes (a Uint8Array), got ${describe(v)}`);
      return { B: v as Uint8Array };
    case 'BOOL':
      if (typeof v !== 'boolean') throw bad(`BOOL must be a boolean, got ${describe(v)}`);
      return { BOOL: v };
    case 'NULL':
      if (v !== true) throw bad(`NULL must be true, got ${describe(v)}`);
      return { NULL: true };
    case 'SS':
    case 'NS':
    case 'BS':
      return { [type]: checkSet(type, v, path, bad) };
    case 'M': {
      if (depth >= MAX_CONTAINER_DEPTH) throw bad(DEPTH);
      if (!isPlainObject(v)) throw bad(`M must be an object of attribute values, got ${describe(v)}`);
      const map: Record<string, AttributeValue> = {};
      for (const key of Object.keys(v)) {
        checkAttributeName(`${path} has a map key that`, key);
        map[key] = checkAttributeValue(v[key], pathOf(path, key), depth + 1);
      }
      return { M: map };
    }
    default: {
      if (depth >= MAX_CONTAINER_DEPTH) throw bad(DEPTH);
      if (!Array.isArray(v)) throw bad(`L must be an array, got ${describe(v)}`);
      const list: AttributeValue[] = [];
      // By index, not forEach: a hole is a missing value, not one to skip.
      for (let i = 0; i < v.length; i++) list.push(checkAttributeValue(v[i], `${path}[${i}]`, depth + 1));
      return { L: list };
    }
  }
}

/** A set's members, checked and copied: non-empty, each of its type, no two equal as DynamoDB compares them. */
function checkSet(type: 'SS' | 'NS' | 'BS', v: unknown, path: string, bad: (why: string) => DynastoreError): unknown[] {
  if (!Array.isArray(v) || v.length === 0) throw bad(`${type} must be a non-empty array`);
  const members: unknown[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < v.length; i++) {
    const member: unknown = v[i];
    let key: string | undefined;
    if (type === 'SS') {
      if (typeof member !== 'string') throw bad(`SS must hold strings, got ${describe(member)} at [${i}]`);
      key = checkWellFormed(`${path}.SS[${i}]`, member);
    } else if (type === 'NS') {
      if (typeof member !== 'string') throw bad(`NS must hold numbers as strings, got ${describe(member)} at [${i}]`);
      key = numberKey(member, `${path}.NS[${i}]`);
    } else {
      if (!isBytes(member)) throw bad(`BS must hold bytes (Uint8Arrays), got ${describe(member)} at [${i}]`);
      key = bytesKey(member);
    }
    if (seen.has(key)) throw bad(`${type} must not repeat a member: [${i}] ${describe(member)} equals an earlier one`);
    seen.add(key);
    members.push(member);
  }
  return members;
}
