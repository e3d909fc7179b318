import { expect } from 'chai';
import bs58 from 'bs58';
import { randomInt } from 'node:crypto';
import { constants, deflateRawSync, gunzipSync, gzipSync } from 'node:zlib';
import { DynastoreError } from '../../lib';
import { decodeToken, encodeToken, maxTokenChars, TOKEN_LIMITS, type TokenScope } from '../../lib/token';

const tableScope = (partition: string, prefix = ''): TokenScope => ({
  table: 'agents',
  index: '',
  partitionAttribute: 'id',
  partition,
  sortAttribute: 'name',
  prefix,
  keyAttributes: new Map([
    ['id', 2048],
    ['name', 1024],
  ]),
});

/** Unsigned tokens do not depend on the scope they are made for. */
const UNSIGNED = tableScope('any');

/** A token exactly as Go dynastore v1 writes it: Go's gzip header, a sync-flushed deflate stream with no final block and no trailer, JSON with every AttributeValue member, the unused ones null. */
function goToken(key: Record<string, { S?: string; N?: string; B?: string }>): string {
  const members = ['B', 'BOOL', 'BS', 'L', 'M', 'N', 'NS', 'NULL', 'S', 'SS'];
  const goJson: Record<string, Record<string, unknown>> = {};
  for (const [attr, av] of Object.entries(key)) {
    goJson[attr] = Object.fromEntries(members.map((m) => [m, (av as Record<string, unknown>)[m] ?? null]));
  }
  const header = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);
  const body = deflateRawSync(JSON.stringify(goJson) + '\n', { finishFlush: constants.Z_SYNC_FLUSH });
  return bs58.encode(Buffer.concat([header, body]));
}

/** Decodes as Go's gzip reader and encoding/json into map[string]*dynamodb.AttributeValue would. */
function decodeLikeGo(token: string): Record<string, Record<string, unknown>> {
  const json = JSON.parse(gunzipSync(bs58.decode(token)).toString('utf8')) as Record<string, Record<string, unknown>>;
  const goFields = new Set(['B', 'BOOL', 'BS', 'L', 'M', 'N', 'NS', 'NULL', 'S', 'SS']);
  for (const av of Object.values(json)) {
    for (const [member, value] of Object.entries(av)) {
      expect(goFields.has(member), `Go has no AttributeValue member ${member}`).to.equal(true);
      // S and N are *string, B is []byte, which encoding/json reads from a base64 string
      expect(value).to.be.a('string');
    }
  }
  return json;
}

function invalid(token: string, scope: TokenScope = tableScope('welcome'), secret?: Uint8Array): DynastoreError {
  try {
    decodeToken(token, scope, secret);
  } catch (err) {
    expect(err).to.be.instanceOf(DynastoreError);
    expect((err as DynastoreError).code).to.equal('INVALID_TOKEN');
    return err as DynastoreError;
  }
  expect.fail('expected INVALID_TOKEN');
}

function tokenOfJson(json: string): string {
  return bs58.encode(gzipSync(json));
}

describe('paging tokens', () => {
  // From Go dynastore v1's compression_test.go: the key {"id": {S: "welcome"}}.
  const GO_VECTOR =
    '43hq9ZEtH5MmQ4HqcunoWHkJBoQUnu22Dsa1L9xdfG7ReiUJqPULC8AqoQxYg3jswJH4gGSncjrachbipBHxxmvTAryjUCj2sTomdzs8';

  it("decodes Go's own test vector (no gzip trailer, null members)", () => {
    const scope = { ...tableScope('welcome'), keyAttributes: new Map([['id', 2048]]) };
    expect(decodeToken(GO_VECTOR, scope)).to.deep.equal({ id: { S: 'welcome' } });
  });

  it('decodes Go-format tokens of table keys', () => {
    const token = goToken({ id: { S: 'agent' }, name: { S: 'testList/subfolder/key2' } });
    expect(decodeToken(token, tableScope('agent', 'testList/'))).to.deep.equal({
      id: { S: 'agent' },
      name: { S: 'testList/subfolder/key2' },
    });
  });

  it('round-trips S, N and B key values', () => {
    const key = { id: { S: 'p' }, name: { S: 'k/é/😀' }, n: { N: '-12.5e3' }, b: { B: Buffer.from([0, 255, 7]) } };
    const scope = {
      ...tableScope('p'),
      keyAttributes: new Map([
        ['id', 2048],
        ['name', 1024],
        ['n', 1024],
        ['b', 1024],
      ]),
    };
    expect(decodeToken(encodeToken(key, UNSIGNED), scope)).to.deep.equal(key);
  });

  it('makes tokens Go decodes: members S, N and B, bytes in base64', () => {
    const token = encodeToken({ id: { S: 'p' }, name: { S: 'k' }, b: { B: Buffer.from('hi') } }, UNSIGNED);
    expect(decodeLikeGo(token)).to.deep.equal({ id: { S: 'p' }, name: { S: 'k' }, b: { B: 'aGk=' } });
  });

  it("encodes only the key's own attributes, whatever Object.prototype holds", () => {
    const key = { id: { S: 'p' }, name: { S: 'k' } };
    const clean = encodeToken(key, UNSIGNED);
    const proto = Object.prototype as Record<string, unknown>;
    let polluted: string;
    // Enumerable, as an assignment would add it: a for…in over the key would find it.
    proto.value = { S: 'planted' };
    try {
      polluted = encodeToken(key, UNSIGNED);
    } finally {
      delete proto.value;
    }
    expect(polluted).to.equal(clean);
  });

  it('accepts its own tokens for keys at their size limits that compress worst, for table, local and global scopes', () => {
    // Random control characters: JSON escapes each as six characters, and they compress worst of all content tried.
    const worst = (bytes: number): string =>
      Array.from({ length: bytes }, () => String.fromCharCode(randomInt(32))).join('');
    const scopes: Array<[string, number][]> = [
      [
        ['id', 2048],
        ['name', 1024],
      ],
      [
        ['id', 2048],
        ['name', 1024],
        ['created', 1024],
      ],
      [
        ['id', 2048],
        ['name', 1024],
        ['pk1', 2048],
        ['sk1', 1024],
      ],
    ];
    for (const attrs of scopes) {
      const partitionAttribute = attrs.length === 4 ? 'pk1' : 'id';
      for (let i = 0; i < 3; i++) {
        const key = Object.fromEntries(attrs.map(([a, limit]) => [a, { S: worst(limit) }]));
        const scope: TokenScope = {
          table: 'agents',
          index: attrs.length === 2 ? '' : 'some-index',
          partitionAttribute,
          partition: key[partitionAttribute]?.S as string,
          sortAttribute: attrs[attrs.length - 1]?.[0] as string,
          prefix: '',
          keyAttributes: new Map(attrs),
        };
        const token = encodeToken(key, UNSIGNED);
        expect(token.length).to.be.at.most(maxTokenChars(scope));
        expect(decodeToken(token, scope)).to.deep.equal(key);
      }
    }
  });

  describe('refuses with INVALID_TOKEN', () => {
    const valid = encodeToken({ id: { S: 'welcome' }, name: { S: 'user/1' } }, UNSIGNED);

    it('a token of another partition', () => {
      expect(invalid(valid, tableScope('other')).message).to.contain('another partition');
    });

    it('a token of another prefix', () => {
      expect(invalid(valid, tableScope('welcome', 'group/')).message).to.contain('another prefix');
    });

    it('a token of the table used for an index, and the other way round', () => {
      const local: TokenScope = {
        ...tableScope('welcome'),
        sortAttribute: 'created',
        keyAttributes: new Map([
          ['id', 2048],
          ['name', 1024],
          ['created', 1024],
        ]),
      };
      invalid(valid, local);
      invalid(encodeToken({ id: { S: 'welcome' }, name: { S: 'a' }, created: { S: '2020' } }, UNSIGNED));
    });

    it('a token of another index', () => {
      const token = encodeToken({ id: { S: 'welcome' }, name: { S: 'a' }, created: { S: '2020' } }, UNSIGNED);
      invalid(token, {
        ...tableScope('welcome'),
        sortAttribute: 'updated',
        keyAttributes: new Map([
          ['id', 2048],
          ['name', 1024],
          ['updated', 1024],
        ]),
      });
    });

    it('characters outside the base58 alphabet', () => {
      invalid('0OIl');
      invalid(valid + '!');
    });

    it('an empty or too short token', () => {
      invalid('1');
      invalid(bs58.encode(Buffer.from([0x1f, 0x8b])));
    });

    it('a token over the size bound, without decoding it', () => {
      // The partition attribute takes the request partition's size; the sort key DynamoDB's limit.
      const limit = maxTokenChars(tableScope('welcome'));
      expect(limit).to.equal((7 + 1024) * TOKEN_LIMITS.charsPerKeyByte + TOKEN_LIMITS.overheadChars);
      expect(invalid('2'.repeat(limit + 1)).message).to.contain('longer than');
    });

    it('base58 that is not gzip', () => {
      invalid(bs58.encode(Buffer.from('{"id":{"S":"welcome"}}')));
    });

    it('truncated and bit-flipped tokens', () => {
      const raw = Buffer.from(bs58.decode(valid));
      invalid(bs58.encode(raw.subarray(0, 14)));
      for (let i = 10; i < raw.length; i++) {
        const flipped = Buffer.from(raw);
        flipped[i] = (flipped[i] as number) ^ 0x10;
        try {
          const key = decodeToken(bs58.encode(flipped), tableScope('welcome'));
          // A flip that still decodes must still be a key of this partition.
          expect(key.id).to.deep.equal({ S: 'welcome' });
        } catch (err) {
          expect((err as DynastoreError).code).to.equal('INVALID_TOKEN');
        }
      }
    });

    it('a gzip bomb of valid JSON, stopping at the decompression bound', () => {
      const json = `{"id":{"S":"welcome"},"name":{"S":"${'a'.repeat(1536 * 1024)}"}}`;
      const bomb = bs58.encode(gzipSync(json, { level: 9 }));
      expect(bomb.length).to.be.below(maxTokenChars(tableScope('welcome')));
      const started = process.hrtime.bigint();
      expect(invalid(bomb).message).to.contain(`decompresses past ${TOKEN_LIMITS.maxJsonBytes} bytes`);
      expect(Number(process.hrtime.bigint() - started) / 1e6).to.be.below(1000);
    });

    it('an attribute with more than one type', () => {
      expect(invalid(tokenOfJson('{"id":{"S":"welcome"},"name":{"S":"x","N":"1"}}')).message).to.contain(
        'more than one type',
      );
    });

    it('key values DynamoDB would refuse: table keys not strings, empty, or over the size limits', () => {
      for (const [json, mention] of [
        ['{"id":{"S":"welcome"},"name":{"N":"1"}}', 'not a string'],
        ['{"id":{"S":"welcome"},"name":{"B":"AAE="}}', 'not a string'],
        ['{"id":{"S":"welcome"},"name":{"S":""}}', '0 bytes'],
        [`{"id":{"S":"welcome"},"name":{"S":"${'x'.repeat(1025)}"}}`, '1025 bytes'],
      ] as const) {
        expect(invalid(tokenOfJson(json)).message).to.contain(mention);
      }
    });

    it('JSON of the wrong shape', () => {
      for (const json of [
        'not json',
        '[]',
        'null',
        '"id"',
        '{"id":"welcome","name":"x"}',
        '{"id":{"S":1},"name":{"S":"x"}}',
        '{"id":{"S":"welcome","N":"1"},"name":{"S":"x"}}',
        '{"id":{"X":"welcome"},"name":{"S":"x"}}',
        '{"id":{"S":null},"name":{"S":"x"}}',
        '{"id":{"S":"welcome"},"name":{"N":"1e"}}',
        '{"id":{"S":"welcome"},"name":{"B":"not base64!"}}',
        '{"id":{"S":"welcome"}}',
        '{"id":{"S":"welcome"},"name":{"S":"x"},"extra":{"S":"y"}}',
        '{"id":{"S":"welcome"},"__proto__":{"S":"x"}}',
        '{"id":{"S":"welcome"},"name":[]}',
      ]) {
        invalid(tokenOfJson(json));
      }
    });

    it('a key string with a lone surrogate, which DynamoDB would store as U+FFFD, another key', () => {
      // JSON spells a lone surrogate as an escape; gzip and UTF-8 carry it through.
      for (const json of [
        '{"id":{"S":"welcome"},"name":{"S":"user/\\ud800"}}',
        '{"id":{"S":"welcome"},"name":{"S":"\\udc00"}}',
        '{"id":{"S":"welcome"},"name":{"S":"user/\\ud83d"}}',
      ]) {
        expect(invalid(tokenOfJson(json)).message).to.contain('not well-formed');
      }
      const index: TokenScope = {
        ...tableScope('welcome'),
        sortAttribute: 'created',
        keyAttributes: new Map([
          ['id', 2048],
          ['name', 1024],
          ['created', 1024],
        ]),
      };
      const token = encodeToken({ id: { S: 'welcome' }, name: { S: 'a\udfff' }, created: { S: '2020' } }, UNSIGNED);
      expect(invalid(token, index).message).to.contain('not well-formed');
      // A pair is fine.
      const pair = encodeToken({ id: { S: 'welcome' }, name: { S: 'user/😀' } }, UNSIGNED);
      expect(decodeToken(pair, tableScope('welcome'))).to.deep.equal({ id: { S: 'welcome' }, name: { S: 'user/😀' } });
    });

    it('a number key DynamoDB would not store', () => {
      const index: TokenScope = {
        ...tableScope('welcome'),
        sortAttribute: 'n',
        keyAttributes: new Map([
          ['id', 2048],
          ['name', 1024],
          ['n', 1024],
        ]),
      };
      for (const n of ['1e999', '1e-131', '1234567890123456789012345678901234567890', '+1', 'Infinity']) {
        invalid(tokenOfJson(`{"id":{"S":"welcome"},"name":{"S":"x"},"n":{"N":"${n}"}}`), index);
      }
      expect(
        decodeToken(tokenOfJson('{"id":{"S":"welcome"},"name":{"S":"x"},"n":{"N":"-1.5e3"}}'), index),
      ).to.deep.equal({ id: { S: 'welcome' }, name: { S: 'x' }, n: { N: '-1.5e3' } });
    });

    it('with a short message, however long the names inside', () => {
      const name = 'n'.repeat(30_000);
      const message = invalid(tokenOfJson(`{"id":{"S":"welcome"},"${name}":{"S":"x"}}`)).message;
      expect(message.length).to.be.below(400);
      expect(message).to.contain('(30000 chars)');
    });

    it('JSON that is not valid UTF-8', () => {
      invalid(
        bs58.encode(
          gzipSync(Buffer.concat([Buffer.from('{"id":{"S":"wel'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')])),
        ),
      );
    });
  });

  describe('unsigned, what only a key can say', () => {
    // The README's list: an unsigned token is a key, checked as one, and nothing more.
    const key = { id: { S: 'welcome' }, name: { S: 'a/b/2' } };
    const token = encodeToken(key, tableScope('welcome', 'a/b/'));

    it('resumes a listing of a shorter prefix: a key under a/b/ is under a/', () => {
      expect(decodeToken(token, tableScope('welcome', 'a/'))).to.deep.equal(key);
      expect(decodeToken(token, tableScope('welcome', ''))).to.deep.equal(key);
      invalid(token, tableScope('welcome', 'a/c/'));
    });

    it('is not bound to the direction or the table name', () => {
      expect(decodeToken(token, { ...tableScope('welcome', 'a/'), scanIndexForward: false })).to.deep.equal(key);
      expect(decodeToken(token, { ...tableScope('welcome'), table: 'another-table' })).to.deep.equal(key);
    });
  });

  it('makes the same token for a key met again, and each key its own, whatever came between', () => {
    const a = { id: { S: 'welcome' }, name: { S: 'user/1' } };
    const b = { id: { S: 'welcome' }, name: { S: 'user/2' } };
    const first = encodeToken(a, UNSIGNED);
    const other = encodeToken(b, UNSIGNED);
    expect(other).to.not.equal(first);
    expect(encodeToken({ id: { S: 'welcome' }, name: { S: 'user/1' } }, UNSIGNED)).to.equal(first);
    expect(encodeToken(a, UNSIGNED)).to.equal(first);
    expect(decodeToken(first, tableScope('welcome'))).to.deep.equal(a);
    expect(decodeToken(encodeToken(b, UNSIGNED), tableScope('welcome'))).to.deep.equal(b);
    expect(decodeLikeGo(first)).to.deep.equal(a);
  });

  it('signs a key met again for the scope it is made for now', () => {
    const secret = Buffer.from('a secret of at least 16 bytes');
    const key = { id: { S: 'welcome' }, name: { S: 'user/1' } };
    const forUser = tableScope('welcome', 'user/');
    const forAll = tableScope('welcome');
    const one = encodeToken(key, forUser, secret);
    const two = encodeToken(key, forAll, secret);
    expect(one.split('.')[0]).to.equal(two.split('.')[0]);
    expect(one).to.not.equal(two);
    expect(decodeToken(one, forUser, secret)).to.deep.equal(key);
    expect(decodeToken(two, forAll, secret)).to.deep.equal(key);
    invalid(one, forAll, secret);
  });

  describe('signed with a tokenSecret', () => {
    const secret = Buffer.from('a secret of at least 16 bytes');
    const scope = tableScope('welcome', 'user/');
    const key = { id: { S: 'welcome' }, name: { S: 'user/1' } };
    const signed = encodeToken(key, scope, secret);

    it('round-trips, and carries the Go-format body before the signature', () => {
      expect(signed).to.match(/^[1-9A-HJ-NP-Za-km-z]+\.[1-9A-HJ-NP-Za-km-z]+$/);
      expect(decodeToken(signed, scope, secret)).to.deep.equal(key);
      expect(decodeToken(signed.split('.')[0] as string, scope)).to.deep.equal(key);
    });

    it('refuses the token changed in any one character', () => {
      const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
      for (let i = 0; i < signed.length; i++) {
        if (signed[i] === '.') continue;
        const other = alphabet[(alphabet.indexOf(signed[i] as string) + 1) % alphabet.length] as string;
        const changed = signed.slice(0, i) + other + signed.slice(i + 1);
        expect(() => decodeToken(changed, scope, secret))
          .to.throw(DynastoreError)
          .with.property('code', 'INVALID_TOKEN');
      }
    });

    it('refuses it for another table, partition, prefix or index, even where an unsigned token would pass', () => {
      const others: TokenScope[] = [
        { ...scope, table: 'other-table' },
        { ...scope, prefix: 'user' },
        { ...scope, prefix: '' },
        { ...scope, index: 'local:idx' },
      ];
      for (const other of others) {
        // Unsigned, these scopes accept the key: only the signature tells them apart.
        expect(decodeToken(encodeToken(key, other), other)).to.deep.equal(key);
        expect(invalid(signed, other, secret).message).to.contain('signature does not match');
      }
      expect(() => decodeToken(signed, tableScope('other'), secret)).to.throw(DynastoreError, 'signature');
      expect(() => decodeToken(signed, scope, Buffer.from('another secret of 16 bytes'))).to.throw(
        DynastoreError,
        'signature',
      );
    });

    it('refuses it for the other direction: a key resumes a listing only the way it was reached', () => {
      const forward = encodeToken(key, scope, secret);
      const backward = encodeToken(key, { ...scope, scanIndexForward: false }, secret);
      // Absent is forward, DynamoDB's default.
      expect(decodeToken(forward, { ...scope, scanIndexForward: true }, secret)).to.deep.equal(key);
      expect(decodeToken(backward, { ...scope, scanIndexForward: false }, secret)).to.deep.equal(key);
      expect(invalid(forward, { ...scope, scanIndexForward: false }, secret).message).to.contain('direction');
      expect(invalid(backward, scope, secret).message).to.contain('signature does not match');
      expect(invalid(backward, { ...scope, scanIndexForward: true }, secret).code).to.equal('INVALID_TOKEN');
    });

    it('refuses an unsigned token when signing, and a signed one when not', () => {
      expect(() => decodeToken(encodeToken(key, scope), scope, secret)).to.throw(DynastoreError, 'not signed');
      expect(invalid(signed, scope).code).to.equal('INVALID_TOKEN');
    });
  });
});
