import type { AttributeMap, AttributeValue } from './attribute';
import bs58 from 'bs58';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { DynastoreError, quote } from './errors';
import { isStorableNumber } from './validate';

/**
 * @internal Bounds on what a token may be. A token's length is bounded by the
 * key it can hold: `charsPerKeyByte` times the bytes its key attributes may
 * take (DynamoDB's size limits, except the partition attribute, which must
 * equal the request's partition and so takes exactly its size), plus
 * `overheadChars` for the JSON around them (Go writes null members). The
 * longest tokens measured, ours and Go's, with every key at its limit and full
 * of the characters JSON escapes six-fold (random control characters, Go's
 * `<>&`), came to 1.6 characters per key byte; the bound leaves a quarter more.
 * Base58 decoding (bs58) is quadratic, so the bound also caps what a hostile
 * token can cost (npm run fuzz:tokens). A session with a tokenSecret checks
 * the HMAC before decoding anything.
 */
export const TOKEN_LIMITS = {
  charsPerKeyByte: 2,
  overheadChars: 512,
  maxJsonBytes: 64 * 1024,
} as const;

/** @internal The longest token a scope accepts. */
export function maxTokenChars(scope: TokenScope): number {
  let keyBytes = 0;
  for (const [attr, limit] of scope.keyAttributes) {
    keyBytes += attr === scope.partitionAttribute ? Buffer.byteLength(scope.partition, 'utf8') : limit;
  }
  return Math.ceil(keyBytes * TOKEN_LIMITS.charsPerKeyByte) + TOKEN_LIMITS.overheadChars;
}

/** @internal What a token must match to be used for a request. */
export interface TokenScope {
  /** The table listed. */
  table: string;
  /** The index listed, or `''` for the table itself. */
  index: string;
  /** The attribute the request's partition is matched on (`id`, or a global index's). */
  partitionAttribute: string;
  partition: string;
  /** The attribute the prefix is matched on (`name`, or the index's sort key). */
  sortAttribute: string;
  prefix: string;
  /**
   * The direction listed: a key resumes a listing only in the direction it
   * was reached in (a token used the other way returns again what was
   * returned). Absent means forward, DynamoDB's default.
   */
  scanIndexForward?: boolean;
  /**
   * Exactly the attributes a LastEvaluatedKey of this table or index carries,
   * each with DynamoDB's size limit for it in bytes (2048 for partition keys,
   * 1024 for sort keys).
   */
  keyAttributes: ReadonlyMap<string, number>;
  /** The table's own key attributes, which are strings; `id` and `name` when unset. */
  stringAttributes?: readonly string[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function invalidToken(token: string, reason: string): DynastoreError {
  const shown = token.length > 24 ? `${token.slice(0, 24)}…` : token;
  return new DynastoreError('INVALID_TOKEN', `invalid paging token ${JSON.stringify(shown)}: ${reason}`, {
    value: token,
  });
}

/** The separator of a signed token's signature; outside the base58 alphabet. */
const SIGNATURE = '.';

/** HMAC-SHA256 of a token's body, bound to everything the token is for. */
function signature(secret: Uint8Array, scope: TokenScope, body: string): Buffer {
  const bound = [
    // v2: the direction is bound too.
    'dynastore-token-v2',
    scope.scanIndexForward === false ? 'backward' : 'forward',
    scope.table,
    scope.index,
    scope.partitionAttribute,
    scope.partition,
    scope.sortAttribute,
    scope.prefix,
    body,
  ];
  return createHmac('sha256', secret).update(JSON.stringify(bound)).digest();
}

/**
 * @internal Encodes a LastEvaluatedKey as Go dynastore v1 does: the key's
 * JSON in DynamoDB's wire format, gzipped, in base58 (Bitcoin alphabet).
 * Ours closes the gzip stream; Go's reader accepts both. With a secret, the
 * token also carries an HMAC-SHA256 bound to the table, index, partition,
 * prefix and direction (`body.signature`); such tokens are not for Go.
 */
export function encodeToken(key: AttributeMap, scope: TokenScope, secret?: Uint8Array): string {
  const body = encodeBody(key);
  return secret === undefined ? body : `${body}${SIGNATURE}${bs58.encode(signature(secret, scope, body))}`;
}

function encodeBody(key: AttributeMap): string {
  const wire: Record<string, Record<string, string>> = {};
  // Own keys only: a polluted Object.prototype must not add attributes to a token.
  for (const attr of Object.keys(key)) {
    const av = key[attr] as AttributeValue;
    if (av.S !== undefined) wire[attr] = { S: av.S };
    else if (av.N !== undefined) wire[attr] = { N: av.N };
    else if (av.B !== undefined) wire[attr] = { B: Buffer.from(av.B).toString('base64') };
  }
  return bs58.encode(gzipSync(JSON.stringify(wire) + '\n', GZIP));
}

/**
 * zlib sized for a key of at most a few KB: a 1 KB window, the smallest
 * hash table and a 512-byte output chunk (the defaults allocate about
 * 300 KB per call: a 32 KB window, a 128 KB hash and a 16 KB output buffer).
 * The stream is ordinary gzip, which Go and every inflater read; for the
 * largest key the token stays within the bound decodeToken enforces
 * (`test/bench/token-encode.ts` measures both).
 */
const GZIP = { windowBits: 10, memLevel: 1, chunkSize: 512 } as const;

function decodeAttribute(token: string, attr: string, wire: unknown): AttributeValue {
  const name = quote(attr);
  if (typeof wire !== 'object' || wire === null || Array.isArray(wire)) {
    throw invalidToken(token, `attribute ${name} is not an attribute value`);
  }
  let value: AttributeValue | undefined;
  for (const [type, v] of Object.entries(wire)) {
    // Go writes every member of its AttributeValue struct, the unused ones as null.
    if (v === null) continue;
    if (value !== undefined) throw invalidToken(token, `attribute ${name} has more than one type`);
    if (type === 'S' && typeof v === 'string') {
      // JSON can spell a lone surrogate (\ud800), which DynamoDB would store as U+FFFD: another key.
      if (!v.isWellFormed()) throw invalidToken(token, `attribute ${name} is not well-formed Unicode`);
      value = { S: v };
    } else if (type === 'N' && typeof v === 'string' && isStorableNumber(v)) value = { N: v };
    else if (type === 'B' && typeof v === 'string' && v.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(v)) {
      value = { B: Buffer.from(v, 'base64') };
    } else throw invalidToken(token, `attribute ${name} is not a key value of type S, N or B`);
  }
  if (value === undefined) throw invalidToken(token, `attribute ${name} has no value`);
  return value;
}

/** Room a signature takes: the separator and 32 bytes in base58. */
const SIGNED_EXTRA_CHARS = 1 + 44;

/** The body of a signed token whose signature matches this scope. */
function verified(token: string, scope: TokenScope, secret: Uint8Array): string {
  const at = token.lastIndexOf(SIGNATURE);
  if (at < 0) throw invalidToken(token, 'it is not signed, and this session signs its tokens');
  const given = bs58.decodeUnsafe(token.slice(at + 1));
  const expected = signature(secret, scope, token.slice(0, at));
  if (given?.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw invalidToken(
      token,
      'its signature does not match: it was changed, or issued for another table, partition, prefix, index or direction',
    );
  }
  return token.slice(0, at);
}

/** A key value DynamoDB would accept: non-empty and within the attribute's size limit. */
function checkKeyValue(token: string, attr: string, value: AttributeValue, maxBytes: number): void {
  const size =
    value.S !== undefined ? Buffer.byteLength(value.S, 'utf8') : value.B !== undefined ? (value.B as Buffer).length : 1;
  if (size === 0 || size > maxBytes) {
    throw invalidToken(token, `attribute ${quote(attr)} is ${size} bytes, not 1 to ${maxBytes}`);
  }
}

/**
 * @internal Decodes a token from {@link encodeToken} or Go dynastore v1 and
 * checks it belongs to the request; anything else is INVALID_TOKEN.
 *
 * Implementation notes: a signed token is bound to everything in the scope.
 * An unsigned one (Go's format) is only a key, so only the key is checked:
 * its length before decoding; base58, gzip within
 * {@link TOKEN_LIMITS}.maxJsonBytes, UTF-8 JSON; exactly the key attributes
 * of this table or index; each one S, N or B of 1 byte to its DynamoDB limit,
 * strings well-formed, numbers storable; the partition attribute equal to the
 * request's partition; the sort attribute beginning with the prefix. It is
 * NOT bound to the table name (another table of the same key schema), the
 * index name (another index on the same attributes), the direction, or the
 * exact prefix: a token from a listing of `a/b/` holds a key beginning with
 * `a/b/`, which begins with `a/` too, so it resumes a listing of `a/` there.
 */
export function decodeToken(token: string, scope: TokenScope, secret?: Uint8Array): AttributeMap {
  const maxChars = maxTokenChars(scope) + (secret === undefined ? 0 : SIGNED_EXTRA_CHARS);
  if (token.length > maxChars) {
    throw invalidToken(token, `longer than ${maxChars} characters`);
  }
  // A signature is checked first, so a forged token costs one HMAC, not a decode.
  const body = secret === undefined ? token : verified(token, scope, secret);
  const compressed = bs58.decodeUnsafe(body);
  if (compressed === undefined || compressed.length < 10 || compressed[0] !== 0x1f || compressed[1] !== 0x8b) {
    throw invalidToken(token, 'not base58-encoded gzip');
  }

  let parsed: unknown;
  try {
    // Go never closes its gzip stream, so the trailer is missing: flush what decompresses.
    const json = gunzipSync(compressed, {
      finishFlush: constants.Z_SYNC_FLUSH,
      maxOutputLength: TOKEN_LIMITS.maxJsonBytes,
      // A key's JSON is small: a 1 KB output chunk instead of 16 KB, grown as needed.
      chunkSize: 1024,
    });
    parsed = JSON.parse(utf8.decode(json));
  } catch (err) {
    const tooLarge = (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    throw invalidToken(
      token,
      tooLarge ? `decompresses past ${TOKEN_LIMITS.maxJsonBytes} bytes` : (err as Error).message,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidToken(token, 'not a key object');
  }

  const attrs = Object.keys(parsed);
  if (attrs.length !== scope.keyAttributes.size || !attrs.every((a) => scope.keyAttributes.has(a))) {
    const shown = attrs.slice(0, 5).map(quote).join(', ') + (attrs.length > 5 ? ` and ${attrs.length - 5} more` : '');
    throw invalidToken(
      token,
      `its key attributes (${shown}) are not this table's or index's (${[...scope.keyAttributes.keys()].join(', ')})`,
    );
  }
  const key: AttributeMap = {};
  for (const attr of attrs) {
    const value = decodeAttribute(token, attr, (parsed as Record<string, unknown>)[attr]);
    checkKeyValue(token, attr, value, scope.keyAttributes.get(attr) ?? 0);
    key[attr] = value;
  }
  // The table's own keys are strings, and so is whatever the partition argument is matched on.
  for (const attr of [...(scope.stringAttributes ?? ['id', 'name']), scope.partitionAttribute]) {
    if (scope.keyAttributes.has(attr) && key[attr]?.S === undefined)
      throw invalidToken(token, `attribute ${quote(attr)} is not a string`);
  }

  if (key[scope.partitionAttribute]?.S !== scope.partition) {
    throw invalidToken(token, `it was issued for another partition than ${quote(scope.partition)}`);
  }
  const sort = key[scope.sortAttribute];
  if (scope.prefix !== '' && (sort?.S === undefined || !sort.S.startsWith(scope.prefix))) {
    throw invalidToken(token, `it was issued for another prefix than ${quote(scope.prefix)}`);
  }
  return key;
}
