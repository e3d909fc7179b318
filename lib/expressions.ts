import type { DynamoDB } from 'aws-sdk';

/**
 * @internal Collects placeholders for one request. Every attribute name goes
 * through `name()` (`#n0`, `#n1`, …) and every value through `value()`
 * (`:v0`, …), so nothing a caller gives is ever pasted into an expression.
 */
export class Placeholders {
  readonly names: DynamoDB.ExpressionAttributeNameMap = {};
  readonly values: DynamoDB.ExpressionAttributeValueMap = {};
  private readonly byName = new Map<string, string>();
  private valueCount = 0;

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

  /** A new placeholder for a value. */
  value(av: DynamoDB.AttributeValue): string {
    const placeholder = `:v${this.valueCount++}`;
    this.values[placeholder] = av;
    return placeholder;
  }

  /** The maps to send: DynamoDB refuses an empty ExpressionAttributeValues. */
  attributes(): Pick<DynamoDB.UpdateItemInput, 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
    return this.valueCount === 0
      ? { ExpressionAttributeNames: this.names }
      : { ExpressionAttributeNames: this.names, ExpressionAttributeValues: this.values };
  }
}

const ONE: DynamoDB.AttributeValue = Object.freeze({ N: '1' });

/** @internal What a write sets. */
export interface WriteParts {
  payload?: DynamoDB.AttributeValue;
  fields?: DynamoDB.AttributeMap;
  /** Unix seconds; undefined removes `expires`. */
  expires?: number;
}

/**
 * @internal The UpdateExpression of a write: the given payload and fields
 * replace the stored ones, `expires` is set or removed, `version` goes up by
 * one (from nothing to 1 on a new item).
 */
export function updateExpression(p: Placeholders, write: WriteParts): string {
  const sets: string[] = [];
  if (write.payload !== undefined) sets.push(`${p.name('payload')} = ${p.value(write.payload)}`);
  if (write.fields !== undefined) {
    for (const field of Object.keys(write.fields)) {
      sets.push(`${p.name(field)} = ${p.value(write.fields[field] as DynamoDB.AttributeValue)}`);
    }
  }
  let expression: string;
  if (write.expires !== undefined) {
    sets.push(`${p.name('expires')} = ${p.value({ N: String(write.expires) })}`);
    expression = `SET ${sets.join(', ')}`;
  } else {
    expression = sets.length > 0 ? `SET ${sets.join(', ')} REMOVE ${p.name('expires')}` : `REMOVE ${p.name('expires')}`;
  }
  return `${expression} ADD ${p.name('version')} ${p.value(ONE)}`;
}

/** @internal The item is live: it has no `expires`, or one in the future. Use on an item known to exist. */
export function isLive(p: Placeholders, now: string): string {
  const expires = p.name('expires');
  return `(attribute_not_exists(${expires}) OR ${expires} > ${now})`;
}

/** @internal The item exists, is live and is at `version`. */
export function isLiveAtVersion(p: Placeholders, version: number, now: string): string {
  return `${p.name('version')} = ${p.value({ N: String(version) })} AND ${isLive(p, now)}`;
}

/** @internal No live item: absent, or expired. */
export function isAbsentOrExpired(p: Placeholders, now: string): string {
  return `attribute_not_exists(${p.name('id')}) OR ${p.name('expires')} <= ${now}`;
}

/** @internal Not expired: absent, or live. */
export function isAbsentOrLive(p: Placeholders, now: string): string {
  const expires = p.name('expires');
  return `attribute_not_exists(${p.name('id')}) OR attribute_not_exists(${expires}) OR ${expires} > ${now}`;
}

/** @internal `partition = :pk`, and `begins_with(sort, :prefix)` when a prefix is given. */
export function keyCondition(
  p: Placeholders,
  partitionAttribute: string,
  partition: string,
  sortAttribute: string,
  prefix: string,
): string {
  const match = `${p.name(partitionAttribute)} = ${p.value({ S: partition })}`;
  return prefix === '' ? match : `${match} AND begins_with(${p.name(sortAttribute)}, ${p.value({ S: prefix })})`;
}
