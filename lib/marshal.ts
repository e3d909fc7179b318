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
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument(`marshalStruct takes an object, got ${describeValue(value)}`, value);
  }
  return { M: Converter.marshall(value) };
}

/**
 * Converts a map attribute value, such as `KVPair.value`, back into a plain
 * object (Go's `UnmarshalStruct`).
 */
export function unmarshalStruct<T = Record<string, unknown>>(value: DynamoDB.AttributeValue | undefined): T {
  if (typeof value !== 'object' || value === null || typeof value.M !== 'object' || value.M === null) {
    throw invalidArgument(`unmarshalStruct takes a map attribute value ({ M: ... }), got ${describeValue(value)}`, value);
  }
  return Converter.unmarshall(value.M) as T;
}
