import type { AttributeMap, AttributeValue } from './attribute';
import { DynastoreError, invalidArgument } from './errors';

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

/** @internal The attribute names dynastore owns. */
export const RESERVED = new Set(['id', 'name', 'version', 'expires', 'payload']);

/** @internal Size in bytes of a string once UTF-8 encoded, as DynamoDB counts it. */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function describe(value: unknown): string {
  if (typeof value === 'string') {
    return value.length > 64 ? `${JSON.stringify(value.slice(0, 64))}… (${value.length} chars)` : JSON.stringify(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) {
    return String(value);
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return `${value.byteLength} bytes`;
  return `a ${typeof value}`;
}

/** @internal A short, safe rendering of a bad value for error messages. */
export { describe as describeValue };

function checkString(what: string, value: unknown, maxBytes: number, allowEmpty: boolean): string {
  if (typeof value !== 'string') {
    throw invalidArgument(`${what} must be a string, got ${describe(value)}`, value);
  }
  if (!allowEmpty && value.length === 0) {
    throw invalidArgument(`${what} must not be empty`, value);
  }
  // A lone surrogate would be stored as U+FFFD, silently changing the key.
  if (!value.isWellFormed()) {
    throw invalidArgument(`${what} ${describe(value)} is not well-formed Unicode (lone surrogate)`, value);
  }
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

/** @internal Checks an extra field's name: non-empty, well-formed, not reserved. */
export function checkFieldName(name: string): void {
  if (RESERVED.has(name)) {
    throw new DynastoreError(
      'RESERVED_FIELD',
      `field ${JSON.stringify(name)} is reserved: id, name, version, expires and payload belong to dynastore`,
      { value: name },
    );
  }
  if (name.length === 0 || !name.isWellFormed()) {
    throw invalidArgument(`field name ${describe(name)} must be a non-empty, well-formed string`, name);
  }
  if (name === '__proto__') {
    // aws-sdk v2 builds and parses its JSON by assignment, so it drops this name both ways.
    throw invalidArgument('field name "__proto__" cannot be sent or read back through aws-sdk v2', name);
  }
  if (name.length * 3 > LIMITS.attributeNameBytes && utf8Length(name) > LIMITS.attributeNameBytes) {
    throw invalidArgument(
      `field name ${describe(name)} is over DynamoDB's ${LIMITS.attributeNameBytes}-byte limit`,
      name,
    );
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
): void {
  // id, name and version (a number of at most a few bytes) with their names
  let total = 2 + utf8Length(partition) + 4 + utf8Length(key) + 7 + 8;
  if (payload !== undefined) total += 7 + attributeSize(payload);
  if (fields !== undefined)
    for (const name of Object.keys(fields)) total += utf8Length(name) + attributeSize(fields[name] as AttributeValue);
  if (expires !== undefined) total += 7 + String(expires).length;
  if (total > LIMITS.itemBytes) {
    throw invalidArgument(
      `item ${describe(key)} is ${total} bytes, over DynamoDB's 400 KB limit (${LIMITS.itemBytes} bytes)`,
      key,
    );
  }
}

const ATTRIBUTE_TYPES = new Set(['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL']);
const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** DynamoDB nests maps and lists 32 levels deep at most. */
const MAX_DEPTH = 32;

/** @internal A number DynamoDB stores: 38 significant digits, magnitude 1e-130 to under 1e126, or zero. */
export function checkNumber(n: string, what: string): string {
  const magnitude = Math.abs(Number(n));
  const digits = n
    .replace(/[eE].*$/, '')
    .replace(/[-.]/g, '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  if (!NUMBER.test(n) || (magnitude !== 0 && (magnitude < 1e-130 || magnitude >= 1e126)) || digits.length > 38) {
    throw invalidArgument(
      `${what} ${describe(n)} is not a number DynamoDB stores (38 digits, magnitude 1e-130 to 1e126)`,
      n,
    );
  }
  return n;
}

function isBinary(v: unknown): boolean {
  return v instanceof Uint8Array || typeof v === 'string';
}

/**
 * @internal Checks a whole attribute value, as deep as it goes: exactly one
 * type member, of the right kind, within DynamoDB's rules.
 */
export function checkAttributeValue(av: unknown, path: string, depth = 0): AttributeValue {
  const bad = (why: string): DynastoreError => invalidArgument(`${path} ${why}`, av);
  if (typeof av !== 'object' || av === null || Array.isArray(av)) {
    throw bad(`must be a DynamoDB attribute value such as { S: 'x' } or { M: {...} }, got ${describe(av)}`);
  }
  if (depth > MAX_DEPTH) throw bad(`nests deeper than DynamoDB's ${MAX_DEPTH} levels`);
  const entries = Object.entries(av as Record<string, unknown>).filter(([, v]) => v !== undefined);
  const [entry] = entries;
  if (entries.length !== 1 || entry === undefined || !ATTRIBUTE_TYPES.has(entry[0])) {
    const names = entries.map(([k]) => k).join(', ') || 'none';
    throw bad(`must have exactly one of S, N, B, SS, NS, BS, M, L, NULL, BOOL; has ${names}`);
  }
  const [type, v] = entry;
  const isSet = type === 'SS' || type === 'NS' || type === 'BS';
  if (isSet && (!Array.isArray(v) || v.length === 0)) throw bad(`${type} must be a non-empty array`);
  switch (type) {
    case 'S':
      if (typeof v !== 'string') throw bad(`S must be a string, got ${describe(v)}`);
      break;
    case 'N':
      if (typeof v !== 'string') throw bad(`N must be a number as a string, got ${describe(v)}`);
      checkNumber(v, `${path}.N`);
      break;
    case 'B':
      if (!isBinary(v)) throw bad(`B must be bytes, got ${describe(v)}`);
      break;
    case 'BOOL':
      if (typeof v !== 'boolean') throw bad(`BOOL must be a boolean, got ${describe(v)}`);
      break;
    case 'NULL':
      if (v !== true) throw bad(`NULL must be true, got ${describe(v)}`);
      break;
    case 'SS':
    case 'NS':
    case 'BS': {
      const items = v as unknown[];
      if (type === 'SS' && !items.every((s) => typeof s === 'string')) throw bad('SS must hold strings');
      if (type === 'NS') items.forEach((s, i) => checkNumber(String(s), `${path}.NS[${i}]`));
      if (type === 'BS' && !items.every(isBinary)) throw bad('BS must hold bytes');
      if (type !== 'BS' && new Set(items).size !== items.length) throw bad(`${type} must not repeat a member`);
      break;
    }
    case 'M':
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(`M must be an object, got ${describe(v)}`);
      for (const key of Object.keys(v)) {
        checkAttributeValue((v as Record<string, unknown>)[key], `${path}.${key}`, depth + 1);
      }
      break;
    default:
      if (!Array.isArray(v)) throw bad(`L must be an array, got ${describe(v)}`);
      (v as unknown[]).forEach((item, i) => checkAttributeValue(item, `${path}[${i}]`, depth + 1));
  }
  return av;
}
