// A cheaper encoder for paging tokens in Go dynastore v1's format, proposed
// for lib/token.ts and measured by token-encode.ts and listpage-cost.ts:
// base58 (Bitcoin alphabet) of a gzip stream of the key's JSON, as now, but
// - a short key's JSON goes in a stored (uncompressed) deflate block written
//   by hand, so no zlib stream is made: making one is most of gzipSync's
//   cost for a few dozen bytes, and deflate saves little on them;
// - base58 is computed with a BigInt, nine digits a step, in place of bs58's
//   digit-by-digit loop (quadratic in JavaScript): the same string.
// Any gzip reader (Go's compress/gzip, Node's gunzip) reads either stream.
import { crc32, gzipSync } from 'node:zlib';
import type { AttributeMap, AttributeValue } from '../../lib/attribute';

/** lib/token.ts's JSON of a key: Go's wire format, one line. */
export function keyJson(key: AttributeMap): string {
  const wire: Record<string, Record<string, string>> = {};
  for (const attr in key) {
    const av = key[attr] as AttributeValue;
    if (av.S !== undefined) wire[attr] = { S: av.S };
    else if (av.N !== undefined) wire[attr] = { N: av.N };
    else if (av.B !== undefined) wire[attr] = { B: Buffer.from(av.B).toString('base64') };
  }
  return JSON.stringify(wire) + '\n';
}

/** The 10-byte gzip header zlib writes: deflate, no flags, no time, OS 3 (Unix). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);

/**
 * Keys whose JSON is at most this many bytes are stored, not compressed. It
 * keeps tokens well inside decodeToken's length bound (which allows at least
 * 512 characters, and 256 bytes stored come to at most 382), and a key this
 * short compresses by a few bytes at most.
 */
export const STORED_MAX_BYTES = 256;

/** A gzip member holding `input` (at most 65,535 bytes) in one stored deflate block. */
export function storedGzip(input: Buffer): Buffer {
  const out = Buffer.allocUnsafe(10 + 5 + input.length + 8);
  GZIP_HEADER.copy(out, 0);
  out[10] = 1; // BFINAL, BTYPE 00: stored
  out.writeUInt16LE(input.length, 11);
  out.writeUInt16LE(~input.length & 0xffff, 13);
  input.copy(out, 15);
  out.writeUInt32LE(crc32(input), 15 + input.length);
  out.writeUInt32LE(input.length, 19 + input.length);
  return out;
}

/** The Bitcoin alphabet, as character codes. */
const ALPHABET = Buffer.from('123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz', 'latin1');
/** 58^9, the largest power of 58 below 2^53: each remainder is an exact Number. */
const NINE_DIGITS = 58n ** 9n;

/** Base58 in the Bitcoin alphabet, exactly as bs58.encode writes it. */
export function base58(bytes: Uint8Array): string {
  let zeroes = 0;
  while (zeroes < bytes.length && bytes[zeroes] === 0) zeroes++;
  // Digits are written from the end; 138 digits per 100 bytes is enough (log 256 / log 58 = 1.3657).
  const out = Buffer.allocUnsafe(zeroes + Math.ceil((bytes.length - zeroes) * 1.3658) + 1);
  let at = out.length;
  if (zeroes < bytes.length) {
    let x = BigInt('0x' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex', zeroes));
    while (x >= NINE_DIGITS) {
      const q = x / NINE_DIGITS;
      let r = Number(x - q * NINE_DIGITS);
      // A full group keeps its leading zero digits.
      for (let d = 0; d < 9; d++) {
        const digit = r % 58;
        out[--at] = ALPHABET[digit] as number;
        r = (r - digit) / 58;
      }
      x = q;
    }
    for (let r = Number(x); r > 0;) {
      const digit = r % 58;
      out[--at] = ALPHABET[digit] as number;
      r = (r - digit) / 58;
    }
  }
  out.fill(ALPHABET[0] as number, at - zeroes, at);
  return out.toString('latin1', at - zeroes);
}

/**
 * The JSON of a short key in a stored gzip member in one buffer: the JSON is
 * written in place, so the only other work is its CRC-32.
 */
function storedGzipOf(json: string, length: number): Buffer {
  const out = Buffer.allocUnsafe(10 + 5 + length + 8);
  GZIP_HEADER.copy(out, 0);
  out[10] = 1; // BFINAL, BTYPE 00: stored
  out.writeUInt16LE(length, 11);
  out.writeUInt16LE(~length & 0xffff, 13);
  out.write(json, 15, 'utf8');
  out.writeUInt32LE(crc32(out.subarray(15, 15 + length)), 15 + length);
  out.writeUInt32LE(length, 19 + length);
  return out;
}

/** lib/token.ts's encodeBody with both changes. */
export function encodeBodyProposed(key: AttributeMap): string {
  const json = keyJson(key);
  const length = Buffer.byteLength(json, 'utf8');
  return base58(length <= STORED_MAX_BYTES ? storedGzipOf(json, length) : gzipSync(json));
}
