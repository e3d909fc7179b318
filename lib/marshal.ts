import type { AttributeMap, AttributeValue } from './attribute';
import { invalidArgument } from './errors';
import { v2Codec } from './sdk-v2';
import { describeValue } from './validate';

/**
 * Converts a plain object into a map attribute value, ready for
 * `writeWithAttributeValue` (Go's `MarshalStruct`). Uses aws-sdk v2's
 * `AWS.DynamoDB.Converter` (`dynastore/v3` has the same function over aws-sdk
 * v3's converter): strings become S, numbers N, buffers B, arrays L,
 * objects M; undefined members are left out.
 *
 * @example
 * ```ts
 * await customers.put('c1', writeWithAttributeValue(marshalStruct({ name: 'welcome', tags: ['a'] })));
 * const customer = unmarshalStruct<Customer>((await customers.get('c1')).value!);
 * ```
 */
export function marshalStruct(value: object): AttributeValue {
  // Checked at run time too: JavaScript callers can pass anything.
  const input: unknown = value;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalidArgument(`marshalStruct takes an object, got ${describeValue(value)}`, value);
  }
  return { M: v2Codec().marshall(value) };
}

/**
 * Converts a map attribute value, such as `KVPair.value`, back into a plain
 * object (Go's `UnmarshalStruct`).
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the decoded type
export function unmarshalStruct<T = Record<string, unknown>>(value: AttributeValue | undefined): T {
  const map: unknown = value?.M;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw invalidArgument(
      `unmarshalStruct takes a map attribute value ({ M: ... }), got ${describeValue(value)}`,
      value,
    );
  }
  return v2Codec().unmarshall(map as AttributeMap) as T;
}
