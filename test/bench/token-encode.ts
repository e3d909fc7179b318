// What a paging token costs to make, and what would make it cheaper while it
// stays Go dynastore v1's format (base58 of a gzip stream of the key's JSON):
// each candidate encoder is timed on the benchmark's LastEvaluatedKey and on
// long keys, checked to decode with lib/token.ts, and its worst-case length
// checked against the bound decodeToken enforces. Not part of npm run bench;
// run with
//   node --expose-gc -r ts-node/register test/bench/token-encode.ts
import bs58 from 'bs58';
import { randomBytes, randomInt } from 'node:crypto';
import { constants, gunzipSync, gzipSync, type ZlibOptions } from 'node:zlib';
import type { AttributeMap } from '../../lib/attribute';
import { decodeToken, encodeToken, maxTokenChars, type TokenScope } from '../../lib/token';
import { median } from './measure';
import { base58, encodeBodyProposed, keyJson, STORED_MAX_BYTES, storedGzip } from './token-proposal';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);

type Encoder = (key: AttributeMap) => string;
const gz =
  (options: ZlibOptions): Encoder =>
  (key) =>
    bs58.encode(gzipSync(keyJson(key), options));
const SMALL: ZlibOptions = { memLevel: 1, windowBits: 10 };
const encoders: Record<string, Encoder> = {
  'now: gzipSync windowBits 10, memLevel 1, chunkSize 512, bs58': (key) => encodeToken(key, scopeOf(key)),
  'gzipSync defaults (level 6, windowBits 15, memLevel 8), bs58': gz({}),
  'gzipSync level 1, bs58': gz({ level: 1 }),
  'gzipSync memLevel 1, windowBits 10, bs58': gz(SMALL),
  'gzipSync level 1, memLevel 1, windowBits 10, bs58': gz({ ...SMALL, level: 1 }),
  'gzipSync defaults, BigInt base58': (key) => base58(gzipSync(keyJson(key))),
  [`stored gzip up to ${STORED_MAX_BYTES} bytes of JSON (else gzipSync defaults), bs58`]: (key) => {
    const input = Buffer.from(keyJson(key));
    return bs58.encode(input.length <= STORED_MAX_BYTES ? storedGzip(input) : gzipSync(input));
  },
  'proposed: stored gzip up to 256 bytes, BigInt base58': encodeBodyProposed,
};

function scopeOf(key: AttributeMap): TokenScope {
  const attrs = Object.keys(key);
  return {
    table: 'bench',
    index: '',
    partitionAttribute: 'id',
    partition: key.id?.S ?? '',
    sortAttribute: 'name',
    prefix: '',
    keyAttributes: new Map(attrs.map((a) => [a, a === 'id' ? 2048 : 1024])),
  };
}

/** Microseconds per call of each function, median of rounds of `n` calls, the functions taken in turn each round. */
function times(n: number, fs: Array<() => unknown>): number[] {
  const rounds: number[][] = fs.map(() => []);
  for (let r = 0; r < ROUNDS + 1; r++) {
    fs.forEach((f, k) => {
      global.gc?.();
      const t = process.hrtime.bigint();
      for (let i = 0; i < n; i++) f();
      if (r > 0) rounds[k]?.push(Number(process.hrtime.bigint() - t) / 1e3 / n);
    });
  }
  return rounds.map(median);
}

const worst = (bytes: number): string =>
  Array.from({ length: bytes }, () => String.fromCharCode(randomInt(32))).join('');
const keys: Record<string, AttributeMap> = {
  'bench key (bench, item/0000099)': { id: { S: 'bench' }, name: { S: 'item/0000099' } },
  'typical key (tenant id, 60-char path)': {
    id: { S: 'tenant-7f3a9c2e-1b4d-4e8a-9c0f-5d6e7a8b9c0d' },
    name: { S: 'orders/2024/11/22/7f3a9c2e-1b4d-4e8a-9c0f-5d6e7a8b9c0d/item-0042' },
  },
  'worst key (2048 + 1024 random control characters)': { id: { S: worst(2048) }, name: { S: worst(1024) } },
};

function main(): void {
  // Every candidate makes tokens lib/token.ts decodes; a candidate whose worst-case tokens pass the
  // length bound decodeToken enforces would refuse the library's own tokens, and is out.
  const within: Record<string, string> = {};
  for (const [name, encode] of Object.entries(encoders)) {
    let longest = 0;
    for (let i = 0; i < 20; i++) {
      for (const key of [...Object.values(keys), { id: { S: worst(2048) }, name: { S: worst(1024) } }]) {
        const token = encode(key);
        longest = Math.max(longest, token.length / maxTokenChars(scopeOf(key)));
        if (token.length > maxTokenChars(scopeOf(key))) continue;
        const back = decodeToken(token, scopeOf(key));
        if (JSON.stringify(back) !== JSON.stringify(key)) throw new Error(`${name}: does not round-trip`);
      }
    }
    within[name] = longest <= 1 ? `yes (${(100 * longest).toFixed(0)}%)` : `NO (${(100 * longest).toFixed(0)}%)`;
  }
  for (let n = 0; n < 5000; n++) {
    const bytes = randomBytes(n % 300);
    if (n % 3 === 0) bytes.fill(0, 0, n % 5);
    if (base58(bytes) !== bs58.encode(bytes)) throw new Error(`base58 differs from bs58 on ${bytes.toString('hex')}`);
  }

  console.log(`encode, µs per token (median of ${ROUNDS} rounds); token length in characters`);
  console.log(`| encoder | ${Object.keys(keys).join(' | ')} | worst token within the bound |`);
  console.log(
    `|---|${Object.keys(keys)
      .map(() => '---:')
      .join('|')}|---|`,
  );
  const cells: string[][] = Object.keys(encoders).map(() => []);
  Object.values(keys).forEach((key, k) => {
    const us = times(
      k === 2 ? 100 : 3000,
      Object.values(encoders).map((encode) => () => encode(key)),
    );
    Object.values(encoders).forEach((encode, e) => {
      cells[e]?.push(
        `${us[e]?.toFixed(1)} µs (${((us[0] as number) / (us[e] as number)).toFixed(2)}×), ${encode(key).length} chars`,
      );
    });
  });
  Object.keys(encoders).forEach((name, e) => {
    console.log(`| ${name} | ${cells[e]?.join(' | ')} | ${within[name]} |`);
  });
  console.log('\nparts of the current encoder and decoder, bench key, µs:');
  const benchKey = keys['bench key (bench, item/0000099)'] as AttributeMap;
  const json = keyJson(benchKey);
  const gzipped = gzipSync(json);
  const token = encodeToken(benchKey, scopeOf(benchKey));
  const scope = scopeOf(benchKey);
  const compressed = Buffer.from(bs58.decode(token));
  const parts: Record<string, () => unknown> = {
    'JSON of the key': () => keyJson(benchKey),
    'gzipSync defaults': () => gzipSync(json),
    'gzipSync memLevel 1, windowBits 10': () => gzipSync(json, SMALL),
    'stored gzip by hand': () => storedGzip(Buffer.from(json)),
    [`bs58.encode (${gzipped.length} bytes)`]: () => bs58.encode(gzipped),
    [`BigInt base58 (${gzipped.length} bytes)`]: () => base58(gzipped),
    'decodeToken (a start key given back)': () => decodeToken(token, scope),
    'of which gunzipSync as decodeToken calls it': () =>
      gunzipSync(compressed, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: 65536 }),
  };
  const us = times(3000, Object.values(parts));
  console.log('| part | µs |\n|---|---:|');
  Object.keys(parts).forEach((name, i) => console.log(`| ${name} | ${us[i]?.toFixed(2)} |`));
}

main();
