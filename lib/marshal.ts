import type { AttributeMap, AttributeValue } from './attribute';
import type { Codec } from './client';
import { DynastoreError, invalidArgument } from './errors';
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
  return marshalWith(v2Codec, value);
}

/**
 * Converts a map attribute value, such as `KVPair.value`, back into a plain
 * object (Go's `UnmarshalStruct`).
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the decoded type
export function unmarshalStruct<T = Record<string, unknown>>(value: AttributeValue | undefined): T {
  return unmarshalWith<T>(v2Codec, value);
}

/**
 * @internal {@link marshalStruct} over the converter `codec` gives, which is
 * asked for only once the value passed the checks: the checks of `dynastore`
 * and `dynastore/v3` in one place.
 */
export function marshalWith(codec: () => Codec, value: object): AttributeValue {
  // Checked at run time too: JavaScript callers can pass anything.
  const input: unknown = value;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalidArgument(`marshalStruct takes an object, got ${describeValue(value)}`, value);
  }
  return { M: converted('marshalStruct', value, () => codec().marshall(value)) };
}

/** @internal {@link unmarshalStruct} over the converter `codec` gives. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the decoded type
export function unmarshalWith<T>(codec: () => Codec, value: AttributeValue | undefined): T {
  const map: unknown = value?.M;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw invalidArgument(
      `unmarshalStruct takes a map attribute value ({ M: ... }), got ${describeValue(value)}`,
      value,
    );
  }
  return converted('unmarshalStruct', value, () => codec().unmarshall(map as AttributeMap)) as T;
}

/**
 * What `convert` returns; a converter's own error (aws-sdk v3's refuses NaN,
 * and numbers it cannot hold exactly) as INVALID_ARGUMENT, with it as cause.
 */
function converted<T>(what: string, value: unknown, convert: () => T): T {
  try {
    return convert();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new DynastoreError('INVALID_ARGUMENT', `${what} cannot convert ${describeValue(value)}: ${reason}`, {
      cause: err,
      value,
    });
  }
}
