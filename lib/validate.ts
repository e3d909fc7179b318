import type { DynamoDB } from 'aws-sdk';
import { DynastoreError, invalidArgument } from './errors';

/** @internal DynamoDB's limits, in UTF-8 bytes. */
export const LIMITS = {
  partitionKeyBytes: 2048,
  sortKeyBytes: 1024,
  itemBytes: 400 * 1024,
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

/** @internal Checks a table name against DynamoDB's naming rules. */
export function checkTableName(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_.-]{3,255}$/.test(value)) {
    throw invalidArgument(
      `table name must be 3 to 255 characters of A-Z, a-z, 0-9, '_', '-' and '.', got ${describe(value)}`,
      value,
    );
  }
  return value;
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
}

function binaryLength(b: unknown): number {
  if (typeof b === 'string') return utf8Length(b);
  if (b instanceof Uint8Array) return b.byteLength;
  return 0;
}

/** @internal DynamoDB's size rule for one attribute value. */
export function attributeSize(av: DynamoDB.AttributeValue): number {
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

/** @internal Refuses an item over DynamoDB's 400 KB limit before it is sent. */
export function checkItemSize(item: DynamoDB.AttributeMap, key: string): void {
  let total = 0;
  for (const [name, av] of Object.entries(item)) total += utf8Length(name) + attributeSize(av);
  if (total > LIMITS.itemBytes) {
    throw invalidArgument(
      `item ${describe(key)} is ${total} bytes, over DynamoDB's 400 KB limit (${LIMITS.itemBytes} bytes)`,
      key,
    );
  }
}
