import DynamoDB from 'aws-sdk/clients/dynamodb';
import { invalidArgument } from './errors';
import { describeValue } from './validate';

const { Converter } = DynamoDB;

/**
 * Converts a plain object into a map attribute value, ready for
 * `writeWithAttributeValue` (Go's `MarshalStruct`). Uses
 * `AWS.DynamoDB.Converter`: strings become S, numbers N, buffers B, arrays L,
 * objects M; undefined members are left out.
 *
 * @example
 * ```ts
 * await customers.put('c1', writeWithAttributeValue(marshalStruct({ name: 'welcome', tags: ['a'] })));
 * const customer = unmarshalStruct<Customer>((await customers.get('c1')).value!);
 * ```
 */
export function marshalStruct(value: object): DynamoDB.AttributeValue {
  // Checked at run time too: JavaScript callers can pass anything.
  const input: unknown = value;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalidArgument(`marshalStruct takes an object, got ${describeValue(value)}`, value);
  }
  return { M: Converter.marshall(value) };
}

/**
 * Converts a map attribute value, such as `KVPair.value`, back into a plain
 * object (Go's `UnmarshalStruct`).
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the decoded type
export function unmarshalStruct<T = Record<string, unknown>>(value: DynamoDB.AttributeValue | undefined): T {
  const map: unknown = value?.M;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw invalidArgument(
      `unmarshalStruct takes a map attribute value ({ M: ... }), got ${describeValue(value)}`,
      value,
    );
  }
  return Converter.unmarshall(map as DynamoDB.AttributeMap) as T;
}
