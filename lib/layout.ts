import type { AttributeMap } from './attribute';
import { DynastoreError, invalidArgument, quote } from './errors';
import { describeValue, isPlainObject, utf8Length } from './validate';

// A table's layout: the names of the five attributes dynastore owns in each
// item. Every request, condition, decoding and token of a table reads its
// names from here; the default is Go dynastore v1's.

/**
 * The names of the attributes dynastore reads and writes in a table's items.
 * Each is optional; an unset one keeps its default. All five must differ.
 *
 * @example LaunchDarkly's DynamoDB layout
 * ```ts
 * const table = session.table('launchdarkly', {
 *   attributes: { partitionKey: 'namespace', sortKey: 'key', value: 'item' },
 * });
 * ```
 */
export interface TableAttributes {
  /**
   * The table's hash key: the partition name, a string.
   * @defaultValue `'id'`
   */
  partitionKey?: string;
  /**
   * The table's range key: the item's key, a string.
   * @defaultValue `'name'`
   */
  sortKey?: string;
  /**
   * The payload: what `value`, `attributeValue`, `KVPair.value` read and write.
   * @defaultValue `'payload'`
   */
  value?: string;
  /**
   * The version, a number: the write counter of `put` and `atomicPut`, or the
   * caller's version for `putIfNewer` and `putMany`.
   * @defaultValue `'version'`
   */
  version?: string;
  /**
   * The expiry in unix seconds, a number, for DynamoDB's TTL.
   * @defaultValue `'expires'`
   */
  expires?: string;
}

/**
 * Options of {@link Session.table}: a plain object, whose only option is
 * `attributes`; any other name fails with `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * const flags = session.table('flags', { attributes: { partitionKey: 'namespace', sortKey: 'key' } });
 * ```
 */
export interface TableOptions {
  /**
   * Other names for the attributes dynastore owns, for a table another tool
   * laid out. The names must be DynamoDB attribute names (1 to 255 bytes of
   * well-formed UTF-8) and all differ; they become the reserved field names
   * of this table (`RESERVED_FIELD`).
   * @defaultValue `{ partitionKey: 'id', sortKey: 'name', value: 'payload', version: 'version', expires: 'expires' }`
   */
  attributes?: TableAttributes;
}

/** @internal A table's attribute names, resolved and checked. */
export interface Layout {
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly value: string;
  readonly version: string;
  readonly expires: string;
  /** The five names: a field may not take one. */
  readonly reserved: ReadonlySet<string>;
  /** Tells layouts apart in the compiled-expression cache: `''` for the default. */
  readonly id: string;
}

const ROLES = ['partitionKey', 'sortKey', 'value', 'version', 'expires'] as const;
type Role = (typeof ROLES)[number];

function layoutOf(names: Readonly<Record<Role, string>>, id: string): Layout {
  return Object.freeze({ ...names, reserved: new Set(ROLES.map((r) => names[r])), id });
}

/** @internal Go dynastore v1's layout. */
export const DEFAULT_LAYOUT: Layout = layoutOf(
  { partitionKey: 'id', sortKey: 'name', value: 'payload', version: 'version', expires: 'expires' },
  '',
);

/** DynamoDB's limit on a key attribute's name, in UTF-8 bytes. */
const NAME_BYTES = 255;

/**
 * @internal The layout {@link TableOptions} ask for, read once from own
 * properties; INVALID_ARGUMENT for anything else, with what a getter or
 * Proxy threw as `cause`.
 */
export function resolveTableOptions(options: unknown): Layout {
  if (options === undefined) return DEFAULT_LAYOUT;
  try {
    if (!isPlainObject(options)) {
      throw invalidArgument(`table options must be a plain object, got ${describeValue(options)}`, options);
    }
    let attributes: unknown;
    for (const key of Reflect.ownKeys(options)) {
      if (key !== 'attributes') {
        const name = typeof key === 'symbol' ? 'a symbol' : quote(key);
        throw invalidArgument(`unknown table option ${name}: the table option is attributes`, key);
      }
      attributes = options[key];
    }
    return attributes === undefined ? DEFAULT_LAYOUT : readAttributes(attributes);
  } catch (err) {
    if (DynastoreError.is(err, 'INVALID_ARGUMENT')) throw err;
    throw new DynastoreError('INVALID_ARGUMENT', 'table options could not be read: they threw (see cause)', {
      cause: err,
      value: options,
    });
  }
}

function readAttributes(attributes: unknown): Layout {
  if (!isPlainObject(attributes)) {
    throw invalidArgument(`attributes must be a plain object of names, got ${describeValue(attributes)}`, attributes);
  }
  const names: Record<Role, string> = { ...DEFAULT_LAYOUT };
  for (const key of Reflect.ownKeys(attributes)) {
    if (typeof key === 'symbol' || !(ROLES as readonly string[]).includes(key)) {
      const name = typeof key === 'symbol' ? 'a symbol' : quote(key);
      throw invalidArgument(`unknown attribute ${name}: the attributes are ${ROLES.join(', ')}`, key);
    }
    const value = attributes[key];
    if (value === undefined) continue;
    names[key as Role] = checkAttributeName(`attributes.${key}`, value);
  }
  const seen = new Map<string, Role>();
  for (const role of ROLES) {
    const other = seen.get(names[role]);
    if (other !== undefined) {
      throw invalidArgument(
        `attributes.${other} and attributes.${role} are both ${quote(names[role])}: the five attribute names must differ`,
        names[role],
      );
    }
    seen.set(names[role], role);
  }
  const isDefault = ROLES.every((role) => names[role] === DEFAULT_LAYOUT[role]);
  return isDefault ? DEFAULT_LAYOUT : layoutOf(names, JSON.stringify(ROLES.map((role) => names[role])));
}

function checkAttributeName(what: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || !value.isWellFormed() || utf8Length(value) > NAME_BYTES) {
    throw invalidArgument(
      `${what} must be an attribute name of 1 to ${NAME_BYTES} bytes of well-formed Unicode, got ${describeValue(value)}`,
      value,
    );
  }
  if (value === '__proto__') {
    // aws-sdk v2 builds and parses its JSON by assignment, so it drops this name both ways.
    throw invalidArgument(`${what} "__proto__" cannot be sent or read back through aws-sdk v2`, value);
  }
  return value;
}

/** @internal The primary key of the item at `key` in `partition`. */
export function itemKey(layout: Layout, partition: string, key: string): AttributeMap {
  if (layout === DEFAULT_LAYOUT) return { id: { S: partition }, name: { S: key } };
  return { [layout.partitionKey]: { S: partition }, [layout.sortKey]: { S: key } };
}
