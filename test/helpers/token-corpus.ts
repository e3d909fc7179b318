// A deterministic corpus of hostile paging tokens, shared by the fuzz test
// (only INVALID_TOKEN may come out) and the fuzz script (how long each takes,
// how much memory the lot costs).
import bs58 from 'bs58';
import { gzipSync } from 'node:zlib';
import { encodeToken, maxTokenChars, type TokenScope } from '../../lib/token';

export interface HostileToken {
  kind: string;
  token: string;
  scope: TokenScope;
  secret?: Buffer;
}

/** mulberry32: a small seeded generator, so every run tries the same tokens. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

export const SECRET = Buffer.from('the fuzz corpus signing secret');

const table: TokenScope = {
  table: 'agents',
  index: '',
  partitionAttribute: 'id',
  partition: 'users',
  sortAttribute: 'name',
  prefix: 'user/',
  keyAttributes: new Map([
    ['id', 2048],
    ['name', 1024],
  ]),
};
const local: TokenScope = {
  ...table,
  index: 'local:idx_created',
  sortAttribute: 'created',
  prefix: '2020',
  keyAttributes: new Map([
    ['id', 2048],
    ['name', 1024],
    ['created', 1024],
  ]),
};
const global: TokenScope = {
  ...table,
  index: 'global:idx_global_1',
  partitionAttribute: 'pk1',
  partition: 'owner',
  sortAttribute: 'sk1',
  prefix: 's',
  keyAttributes: new Map([
    ['id', 2048],
    ['name', 1024],
    ['pk1', 2048],
    ['sk1', 1024],
  ]),
};
export const SCOPES = [table, local, global] as const;

/** The counts of each kind; 10,000 in all. */
export const CORPUS_SIZE = 10_000;

export function hostileTokens(seed = 20261121): HostileToken[] {
  const random = generator(seed);
  const int = (n: number): number => Math.floor(random() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const scope = (): TokenScope => pick(SCOPES);
  const text = (n: number, alphabet: string): string =>
    Array.from({ length: n }, () => alphabet[int(alphabet.length)]).join('');

  const validKey = (s: TokenScope): Record<string, { S: string }> => {
    const key: Record<string, { S: string }> = {
      id: { S: 'users' },
      name: { S: `user/${text(1 + int(40), BASE58 + '/é😀 ')}` },
    };
    if (s === local) key.created = { S: `2020-${text(1 + int(20), '0123456789-:T')}` };
    if (s === global) {
      key.pk1 = { S: 'owner' };
      key.sk1 = { S: `s${text(int(30), BASE58)}` };
    }
    return key;
  };
  const validToken = (s: TokenScope): string => encodeToken(validKey(s), s);
  const jsonToken = (json: string): string => bs58.encode(gzipSync(json));

  const randomJson = (depth: number): unknown => {
    switch (int(depth > 3 ? 4 : 7)) {
      case 0:
        return null;
      case 1:
        return random() * 1e6 - 5e5;
      case 2:
        return text(int(20), 'abcSNB{}"\\:,');
      case 3:
        return random() < 0.5;
      case 4:
        return Array.from({ length: int(4) }, () => randomJson(depth + 1));
      default:
        return Object.fromEntries(
          Array.from({ length: int(5) }, () => [
            pick(['id', 'name', 'created', 'pk1', 'sk1', 'S', 'N', 'B', 'x', '__proto__']),
            randomJson(depth + 1),
          ]),
        );
    }
  };
  const nearMiss = (): string => {
    const attr = (): unknown =>
      pick([
        { S: 'users' },
        { S: '' },
        { N: '12' },
        { N: 'NaN' },
        { B: 'AAE=' },
        { B: '***' },
        { S: 1 },
        { S: null },
        { S: 'users', N: '1' },
        { SS: ['a'] },
        'users',
        [],
        { S: 'x'.repeat(3000) },
      ]);
    const attrs = pick([
      ['id', 'name'],
      ['id'],
      ['id', 'name', 'created'],
      ['id', 'name', 'pk1', 'sk1'],
      ['name', 'x'],
    ]);
    return JSON.stringify(Object.fromEntries(attrs.map((a) => [a, attr()])));
  };

  // A few large payloads, compressed and encoded once: gzip bombs of 1.5 MB, within the length bounds.
  const bombs = [
    Buffer.alloc(1536 * 1024, 0x20),
    `{"id":{"S":"users"},"name":{"S":"user/${'a'.repeat(1536 * 1024)}"}}`,
    '['.repeat(1536 * 1024),
    `{${'"k":{"S":"v"},'.repeat(100_000)}"id":{"S":"users"}}`,
  ].map((payload) => bs58.encode(gzipSync(payload, { level: 9 })));

  const corpus: HostileToken[] = [];
  const add = (kind: string, count: number, make: () => Omit<HostileToken, 'kind'>): void => {
    for (let i = 0; i < count; i++) corpus.push({ kind, ...make() });
  };

  add('random base58', 1870, () => {
    const s = scope();
    return { scope: s, token: text(1 + int(200), BASE58) };
  });
  for (const s of SCOPES) {
    const where = s.index === '' ? 'table' : s.index.startsWith('local') ? 'local index' : 'global index';
    add(`random base58 near the ${where} length bound`, 40, () => ({
      scope: s,
      token: text(maxTokenChars(s) - int(200), BASE58),
    }));
  }
  // The worst case: the bound grows with the partition value, at most 2 KB.
  const longPartition: TokenScope = { ...global, partition: 'o'.repeat(2048) };
  add('random base58 near the bound of a global index listing a 2 KB partition', 10, () => ({
    scope: longPartition,
    token: text(maxTokenChars(longPartition) - int(200), BASE58),
  }));
  add('random characters', 1000, () => ({
    scope: scope(),
    token: Array.from({ length: 1 + int(120) }, () => String.fromCodePoint(int(0x2000))).join(''),
  }));
  add('truncated valid token', 1500, () => {
    const s = scope();
    const token = validToken(s);
    if (random() < 0.5) return { scope: s, token: token.slice(0, int(token.length)) };
    const bytes = Buffer.from(bs58.decode(token));
    return { scope: s, token: bs58.encode(bytes.subarray(0, int(bytes.length))) };
  });
  add('bit-flipped valid token', 2000, () => {
    const s = scope();
    const bytes = Buffer.from(bs58.decode(validToken(s)));
    for (let flips = 1 + int(3); flips > 0; flips--) {
      const at = int(bytes.length);
      bytes[at] = (bytes[at] as number) ^ (1 << int(8));
    }
    return { scope: s, token: bs58.encode(bytes) };
  });
  add('gzip bomb', 500, () => ({ scope: scope(), token: pick(bombs) }));
  add('JSON of the wrong shape', 1000, () => ({ scope: scope(), token: jsonToken(JSON.stringify(randomJson(0))) }));
  add('JSON that nearly fits', 500, () => ({ scope: scope(), token: jsonToken(nearMiss()) }));
  add('token of another partition, prefix or index', 1000, () => {
    const from = scope();
    const token = validToken(from);
    const to = pick<TokenScope>([
      ...SCOPES.filter((s) => s !== from),
      { ...from, partition: 'others' },
      { ...from, prefix: 'zzz' },
    ]);
    return { scope: to, token };
  });
  add('signed token, tampered or misused', 500, () => {
    const s = scope();
    const signed = encodeToken(validKey(s), s, SECRET);
    switch (int(4)) {
      case 0: {
        // Change one base58 character, never the separator.
        let at = int(signed.length);
        if (signed[at] === '.') at = 0;
        const c = BASE58[(BASE58.indexOf(signed[at] as string) + 1 + int(57)) % 58] as string;
        return { scope: s, secret: SECRET, token: signed.slice(0, at) + c + signed.slice(at + 1) };
      }
      case 1:
        return { scope: { ...s, table: 'other' }, secret: SECRET, token: signed };
      case 2:
        return { scope: s, secret: SECRET, token: signed.split('.')[0] as string };
      default:
        return { scope: s, secret: Buffer.from('a different secret, 16+ bytes'), token: signed };
    }
  });
  return corpus;
}
