import type { AttributeMap, AttributeValue } from './attribute';
import type { Codec } from './client';
import { v2Codec } from './sdk-v2';

/** What a {@link KVPair} is built from. */
export interface KVPairInit {
  /** The partition name. */
  partition: string;
  /** The entity key. */
  key: string;
  /** The stored version. */
  version: number;
  /** Unix seconds; 0 or absent means never. */
  expires?: number;
  /** The payload attribute value. */
  value?: AttributeValue;
  /** The extra top-level attributes. */
  fields?: AttributeMap;
}

/**
 * One stored item: its partition, key, version and expiry, the payload as
 * the raw attribute value, and the extra top-level fields.
 *
 * @example
 * ```ts
 * const kv = await users.get('user/123');
 * const profile = JSON.parse(kv.stringValue()) as Profile;
 * ```
 */
export class KVPair {
  /** The partition name (the hash key `id`). */
  readonly partition: string;
  /** The entity key (the range key `name`). */
  readonly key: string;
  /** 1 after the first write, +1 for each write since; compare-and-swap checks it. */
  readonly version: number;
  /** When the item expires, in unix seconds; 0 means never. */
  readonly expires: number;
  /** The payload as DynamoDB stores it, or undefined when the item has none. */
  readonly value: AttributeValue | undefined;
  /** The extra top-level attributes (everything but the reserved ones), as stored. */
  readonly fields: AttributeMap;

  /** The converter of the SDK that read the pair; aws-sdk v2's for a pair built by hand. */
  readonly #codec: Codec | undefined;

  /** @param codec - @internal the converter of the SDK that read it */
  constructor(init: KVPairInit, codec?: Codec) {
    this.#codec = codec;
    this.partition = init.partition;
    this.key = init.key;
    this.version = init.version;
    this.expires = init.expires ?? 0;
    this.value = init.value;
    this.fields = init.fields ?? {};
  }

  /** The payload as a string, or `''` when it is not a string (Go's `StringValue`). */
  stringValue(): string {
    return this.value?.S ?? '';
  }

  /**
   * The payload as bytes: a binary payload as is, a string payload decoded
   * from standard base64 (how `writeWithBytes` and Go store bytes).
   * Undefined when there is no payload or it is neither.
   */
  bytesValue(): Buffer | undefined {
    const value = this.value;
    if (value === undefined) return undefined;
    if (value.S !== undefined) {
      const s = value.S;
      if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
      return Buffer.from(s, 'base64');
    }
    const b = value.B;
    if (b instanceof Uint8Array) return Buffer.isBuffer(b) ? b : Buffer.from(b);
    if (typeof b === 'string') return Buffer.from(b, 'base64');
    return undefined;
  }

  /**
   * The payload converted to a plain JavaScript value with
   * converter of the SDK the session uses (Go's `DecodeValue`): a map payload from
   * {@link marshalStruct} becomes an object.
   */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the decoded type
  decodeValue<T = unknown>(): T | undefined {
    return this.value === undefined ? undefined : ((this.#codec ?? v2Codec()).output(this.value) as T);
  }

  /** The extra fields converted to a plain object (Go's `DecodeFields`). */
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the decoded type
  decodeFields<T = Record<string, unknown>>(): T {
    return (this.#codec ?? v2Codec()).unmarshall(this.fields) as T;
  }
}

/** One page of a listing. */
export interface KVPairPage {
  /** The live items of this page, in sort-key order. May be empty while `lastKey` is set. */
  keys: KVPair[];
  /** Pass to `readWithStartKey` for the next page; undefined when the listing is done. */
  lastKey?: string;
}

/** @internal An item is expired when `expires` is set and not in the future. */
export function isExpired(item: AttributeMap, nowSeconds: number): boolean {
  const expires = item.expires;
  if (expires === undefined) return false;
  // Anything but a number counts as expired, as the server-side condition `expires > :now` treats it.
  return expires.N === undefined || !(Number(expires.N) > nowSeconds);
}

/** @internal Builds a KVPair from a stored item. */
export function decodeItem(item: AttributeMap, codec?: Codec): KVPair {
  const fields: AttributeMap = {};
  for (const name in item) {
    switch (name) {
      case 'id':
      case 'name':
      case 'version':
      case 'expires':
      case 'payload':
        break;
      default:
        fields[name] = item[name] as AttributeValue;
    }
  }
  const version = item.version?.N;
  const expires = item.expires?.N;
  return new KVPair(
    {
      partition: item.id?.S ?? '',
      key: item.name?.S ?? '',
      version: version === undefined ? 0 : Number(version),
      expires: expires === undefined ? 0 : Number(expires),
      value: item.payload,
      fields,
    },
    codec,
  );
}
