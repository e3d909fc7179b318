import type { AttributeMap, AttributeValue } from './attribute';
import type { Layout } from './layout';

/**
 * @internal Hands out placeholders while an expression is built. Every
 * attribute name goes through `name()` (`#n0`, `#n1`, …) and every value
 * through `value()` (`:v0`, …), so nothing a caller gives is ever pasted into
 * an expression.
 */
class Placeholders {
  readonly names: Record<string, string> = {};
  readonly valueKeys: string[] = [];
  private readonly byName = new Map<string, string>();

  /** The placeholder of an attribute name; the same name always gets the same one. */
  name(attribute: string): string {
    let placeholder = this.byName.get(attribute);
    if (placeholder === undefined) {
      placeholder = `#n${this.byName.size}`;
      this.byName.set(attribute, placeholder);
      this.names[placeholder] = attribute;
    }
    return placeholder;
  }

  /** The placeholder of the next value; values are supplied in this order when the request is made. */
  value(): string {
    const placeholder = `:v${this.valueKeys.length}`;
    this.valueKeys.push(placeholder);
    return placeholder;
  }
}

/** Expressions built once for one shape of request: the strings and a shared, frozen names map. */
interface Compiled<T> {
  readonly expressions: T;
  readonly names: Record<string, string>;
  readonly valueKeys: readonly string[];
}

/**
 * Requests of one shape (operation, which parts are present, field and index
 * names) always have the same expressions; only the values change. Building
 * them once per shape saves the work per call, and spares the SDK freshly
 * concatenated strings, which it would flatten on every request (V8 flattens
 * a cached one once). Bounded, oldest shape out first, since field names are
 * the caller's.
 */
const compiledShapes = new Map<string, Compiled<unknown>>();
const MAX_SHAPES = 1000;
const MAX_SHAPE_KEY = 2048;

function compile<T>(layout: Layout, name: string, build: (p: Placeholders) => T): Compiled<T> {
  // The names map holds the table's attribute names: a shape is compiled per layout.
  const shape = layout.id === '' ? name : `${name}@${layout.id}`;
  let compiled = compiledShapes.get(shape) as Compiled<T> | undefined;
  if (compiled === undefined) {
    const p = new Placeholders();
    const expressions = build(p);
    compiled = { expressions, names: Object.freeze(p.names), valueKeys: p.valueKeys };
    // A shape with very long field names is rare and could hold much memory: build it each time instead.
    if (shape.length <= MAX_SHAPE_KEY) {
      if (compiledShapes.size >= MAX_SHAPES) compiledShapes.delete(compiledShapes.keys().next().value as string);
      compiledShapes.set(shape, compiled);
    }
  }
  return compiled;
}

/** This call's values, keyed by the placeholders the shape gave them, in order. */
function valueMap(compiled: Compiled<unknown>, values: readonly AttributeValue[]): Record<string, AttributeValue> {
  const map: Record<string, AttributeValue> = {};
  for (let i = 0; i < values.length; i++) map[compiled.valueKeys[i] as string] = values[i] as AttributeValue;
  return map;
}

/** @internal Expression strings and their attribute maps, ready to spread into a request. */
export interface ExpressionMembers {
  UpdateExpression?: string;
  ConditionExpression?: string;
  KeyConditionExpression?: string;
  FilterExpression?: string;
  ProjectionExpression?: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
}

const ONE: AttributeValue = Object.freeze({ N: '1' });

/** The largest version a KVPair reads as is; a stored version beyond it reads as 0 (kvpair.ts). */
const MAX_VERSION: AttributeValue = Object.freeze({ N: String(Number.MAX_SAFE_INTEGER) });

/** @internal What a write sets. */
export interface WriteParts {
  payload?: AttributeValue;
  fields?: AttributeMap;
  /** Unix seconds; undefined removes `expires`, unless `keepExpires`. */
  expires?: number;
  /** Set: the write neither sets nor removes `expires` (the keepTtl option). */
  keepExpires?: boolean;
}

function number(n: number): AttributeValue {
  return { N: String(n) };
}

/** The parts of a write, by payload (0 or 1) plus twice the expiry (0 removed, 1 set, 2 kept). */
const WRITE_PARTS = ['', 'p', 'e', 'pe', 'k', 'pk'] as const;

/**
 * The shapes of writes without fields, by kind and parts: made once, so the
 * common write looks its shape up by a string V8 has already hashed.
 */
const FIELDLESS_SHAPES: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  ['put', 'swap', 'swap0'].map((kind) => [kind, WRITE_PARTS.map((parts) => `${kind}:${parts}[]`)]),
);

/** The shape of a write of `kind`: which parts it has, and the names of its fields. */
function writeShape(kind: 'put' | 'swap' | 'swap0', write: WriteParts, fields: readonly string[]): string {
  const expiry = write.keepExpires === true ? 2 : write.expires === undefined ? 0 : 1;
  const parts = (write.payload === undefined ? 0 : 1) + 2 * expiry;
  if (fields.length === 0) return FIELDLESS_SHAPES[kind]?.[parts] as string;
  return `${kind}:${WRITE_PARTS[parts] ?? ''}${JSON.stringify(fields)}`;
}

/**
 * The UpdateExpression of a write: the given payload and fields replace the
 * stored ones, `expires` is set, removed or kept, `version` goes up by one (from
 * nothing to 1 on a new item), or, for a write over an item with no version
 * of dynastore's (`unversioned`), is set to 1 whatever it held. Takes values
 * in the order of `writeValues`.
 */
function updateExpression(
  p: Placeholders,
  layout: Layout,
  write: WriteParts,
  fields: readonly string[],
  unversioned = false,
): string {
  const sets: string[] = [];
  if (write.payload !== undefined) sets.push(`${p.name(layout.value)} = ${p.value()}`);
  for (const field of fields) sets.push(`${p.name(field)} = ${p.value()}`);
  if (write.expires !== undefined) sets.push(`${p.name(layout.expires)} = ${p.value()}`);
  const remove = write.expires === undefined && write.keepExpires !== true ? ` REMOVE ${p.name(layout.expires)}` : '';
  const version = p.name(layout.version);
  // ADD fails on a version that is not a number, and would keep a negative or fractional one.
  if (unversioned) sets.push(`${version} = ${p.value()}`);
  const add = unversioned ? '' : ` ADD ${version} ${p.value()}`;
  return `${sets.length > 0 ? `SET ${sets.join(', ')}` : ''}${remove}${add}`.trimStart();
}

/** The values of `updateExpression`, in its order. */
function writeValues(write: WriteParts, fields: readonly string[], into: AttributeValue[]): void {
  if (write.payload !== undefined) into.push(write.payload);
  for (const field of fields) into.push((write.fields as AttributeMap)[field] as AttributeValue);
  if (write.expires !== undefined) into.push(number(write.expires));
  into.push(ONE);
}

// Expiry, one rule for reads (isExpired in kvpair.ts) and every condition: an
// item is expired when its `expires` is a number not after now. An `expires`
// that is not a number never expires, as DynamoDB's TTL ignores it. In an
// expression, `#expires <= :now` is false when `expires` is absent and when
// it is not a number (DynamoDB compares values of different types as
// unequal, never as an error), so it is exactly "expired", and its negation
// exactly "live or absent".

/** The item is not expired: absent, or live. */
function isNotExpired(p: Placeholders, layout: Layout, now: string): string {
  return `NOT (${p.name(layout.expires)} <= ${now})`;
}

/**
 * The item is live and at the version of the next value; for `unversioned`
 * (version 0), it exists, is live, and its version is none a KVPair reads as
 * such: absent, not a number, or not from 1 to 2^53 − 1 (the next two
 * values). A fraction in that range is left out, as no condition can test
 * for an integer.
 */
function isLiveAtVersion(p: Placeholders, layout: Layout, now: string, unversioned = false): string {
  const version = p.name(layout.version);
  if (!unversioned) return `${version} = ${p.value()} AND ${isNotExpired(p, layout, now)}`;
  return `attribute_exists(${p.name(layout.partitionKey)}) AND NOT (${version} BETWEEN ${p.value()} AND ${p.value()}) AND ${isNotExpired(p, layout, now)}`;
}

/** No live item: absent, or expired. */
function isAbsentOrExpired(p: Placeholders, layout: Layout, now: string): string {
  return `attribute_not_exists(${p.name(layout.partitionKey)}) OR ${p.name(layout.expires)} <= ${now}`;
}

/** The values `isLiveAtVersion` takes after now. */
function versionValues(version: number): AttributeValue[] {
  return version === 0 ? [ONE, MAX_VERSION] : [number(version)];
}

/** @internal The members of an update with a condition. */
export interface UpdateMembers extends ExpressionMembers {
  UpdateExpression: string;
  ConditionExpression: string;
}

/** The members of an update with a condition. */
function updateMembers(
  compiled: Compiled<{ UpdateExpression: string; ConditionExpression: string }>,
  values: readonly AttributeValue[],
): UpdateMembers {
  return {
    UpdateExpression: compiled.expressions.UpdateExpression,
    ConditionExpression: compiled.expressions.ConditionExpression,
    ExpressionAttributeNames: compiled.names,
    ExpressionAttributeValues: valueMap(compiled, values),
  };
}

/**
 * @internal An upsert (put): the update, on condition the item is not
 * expired (absent or live), so an expired one is replaced instead.
 */
export function putExpressions(layout: Layout, write: WriteParts, now: number): UpdateMembers {
  const fields = write.fields === undefined ? [] : Object.keys(write.fields);
  const compiled = compile(layout, writeShape('put', write, fields), (p) => {
    const UpdateExpression = updateExpression(p, layout, write, fields);
    return { UpdateExpression, ConditionExpression: isNotExpired(p, layout, p.value()) };
  });
  const values: AttributeValue[] = [];
  writeValues(write, fields, values);
  values.push(number(now));
  return updateMembers(compiled, values);
}

/**
 * @internal A compare-and-swap update: the write, on condition the item is
 * live at `version`. Version 0 is an item with no version of dynastore's
 * (see isLiveAtVersion); the write then sets version 1.
 */
export function swapExpressions(layout: Layout, write: WriteParts, version: number, now: number): UpdateMembers {
  const fields = write.fields === undefined ? [] : Object.keys(write.fields);
  const unversioned = version === 0;
  const compiled = compile(layout, writeShape(unversioned ? 'swap0' : 'swap', write, fields), (p) => {
    const nowValue = p.value();
    const UpdateExpression = updateExpression(p, layout, write, fields, unversioned);
    return { UpdateExpression, ConditionExpression: isLiveAtVersion(p, layout, nowValue, unversioned) };
  });
  const values: AttributeValue[] = [number(now)];
  writeValues(write, fields, values);
  values.push(...versionValues(version));
  return updateMembers(compiled, values);
}

/** @internal The condition of a create or a delete without previous: no live item. */
export function absentOrExpiredCondition(layout: Layout, now: number): ExpressionMembers {
  const compiled = compile(layout, 'absentOrExpired', (p) => isAbsentOrExpired(p, layout, p.value()));
  return {
    ConditionExpression: compiled.expressions,
    ExpressionAttributeNames: compiled.names,
    ExpressionAttributeValues: valueMap(compiled, [number(now)]),
  };
}

/** @internal The condition of a compare-and-delete: the item is live at `version` (0: see isLiveAtVersion). */
export function liveAtVersionCondition(layout: Layout, version: number, now: number): ExpressionMembers {
  const unversioned = version === 0;
  const compiled = compile(layout, `liveAtVersion${unversioned ? '0' : ''}`, (p) => {
    const nowValue = p.value();
    return isLiveAtVersion(p, layout, nowValue, unversioned);
  });
  return {
    ConditionExpression: compiled.expressions,
    ExpressionAttributeNames: compiled.names,
    ExpressionAttributeValues: valueMap(compiled, [number(now), ...versionValues(version)]),
  };
}

/** @internal The projection of exists: only the key and the expiry. */
export function existsProjection(layout: Layout): ExpressionMembers {
  const compiled = compile(layout, 'exists', (p) => `${p.name(layout.partitionKey)}, ${p.name(layout.expires)}`);
  return { ProjectionExpression: compiled.expressions, ExpressionAttributeNames: compiled.names };
}

/**
 * @internal A listing query: `partition = :pk`, `begins_with(sort, :prefix)`
 * when a prefix is given, and a filter dropping expired items.
 */
export function queryExpressions(
  layout: Layout,
  partitionAttribute: string,
  partition: string,
  sortAttribute: string,
  prefix: string,
  now: number,
): ExpressionMembers & { KeyConditionExpression: string } {
  const shape = `query:${JSON.stringify([partitionAttribute, sortAttribute, prefix === ''])}`;
  const compiled = compile(layout, shape, (p) => {
    const match = `${p.name(partitionAttribute)} = ${p.value()}`;
    const KeyConditionExpression =
      prefix === '' ? match : `${match} AND begins_with(${p.name(sortAttribute)}, ${p.value()})`;
    return { KeyConditionExpression, FilterExpression: isNotExpired(p, layout, p.value()) };
  });
  const values: AttributeValue[] =
    prefix === '' ? [{ S: partition }, number(now)] : [{ S: partition }, { S: prefix }, number(now)];
  return {
    KeyConditionExpression: compiled.expressions.KeyConditionExpression,
    FilterExpression: compiled.expressions.FilterExpression,
    ExpressionAttributeNames: compiled.names,
    ExpressionAttributeValues: valueMap(compiled, values),
  };
}

/**
 * @internal A query of the keys under a prefix (`deleteTree`): `partition =
 * :pk`, `begins_with(sort, :prefix)` when a prefix is given, expired items
 * included (no filter), and only the key attributes projected.
 */
export function keysQueryExpressions(
  layout: Layout,
  partition: string,
  prefix: string,
): ExpressionMembers & { KeyConditionExpression: string; ProjectionExpression: string } {
  const compiled = compile(layout, `keys:${prefix === '' ? '' : 'p'}`, (p) => {
    const pk = p.name(layout.partitionKey);
    const sk = p.name(layout.sortKey);
    const match = `${pk} = ${p.value()}`;
    return {
      KeyConditionExpression: prefix === '' ? match : `${match} AND begins_with(${sk}, ${p.value()})`,
      ProjectionExpression: `${pk}, ${sk}`,
    };
  });
  const values: AttributeValue[] = prefix === '' ? [{ S: partition }] : [{ S: partition }, { S: prefix }];
  return {
    KeyConditionExpression: compiled.expressions.KeyConditionExpression,
    ProjectionExpression: compiled.expressions.ProjectionExpression,
    ExpressionAttributeNames: compiled.names,
    ExpressionAttributeValues: valueMap(compiled, values),
  };
}

/**
 * @internal The condition of putIfNewer: the stored item has no version (or
 * there is none), its version is lower than the next value, or it has
 * expired. A stored version that is not a number compares as neither lower
 * nor absent: such an item is never overwritten.
 */
export function newerCondition(layout: Layout, version: number, now: number): ExpressionMembers {
  const compiled = compile(layout, 'newer', (p) => {
    const v = p.name(layout.version);
    return `attribute_not_exists(${v}) OR ${v} < ${p.value()} OR ${p.name(layout.expires)} <= ${p.value()}`;
  });
  return {
    ConditionExpression: compiled.expressions,
    ExpressionAttributeNames: compiled.names,
    ExpressionAttributeValues: valueMap(compiled, [number(version), number(now)]),
  };
}
