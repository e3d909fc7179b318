/**
 * A DynamoDB attribute value, the same for every SDK: exactly one member is
 * set. aws-sdk v3's `AttributeValue` fits it as is; aws-sdk v2's does too,
 * with bytes as a `Buffer` or `Uint8Array`.
 *
 * @example
 * ```ts
 * const payload: AttributeValue = { M: { name: { S: 'Stax' }, visits: { N: '3' } } };
 * ```
 */
export interface AttributeValue {
  /** A string. */
  S?: string;
  /** A number, as a decimal string. */
  N?: string;
  /** Bytes. */
  B?: Uint8Array;
  /** A set of strings. */
  SS?: string[];
  /** A set of numbers, as decimal strings. */
  NS?: string[];
  /** A set of byte strings. */
  BS?: Uint8Array[];
  /** A map. */
  M?: Record<string, AttributeValue>;
  /** A list. */
  L?: AttributeValue[];
  /** Null; always `true` when set. */
  NULL?: boolean;
  /** A boolean. */
  BOOL?: boolean;
}

/** A map of attribute names to values: an item, a key, or the fields of one. */
export type AttributeMap = Record<string, AttributeValue>;
