import { expect } from 'chai';
import { DynastoreError } from '../../lib';
import { keyNotFound, MAX_MESSAGE_CHARS, quote } from '../../lib/errors';
import {
  attributeSize,
  checkAttributeValue,
  checkDynamoName,
  checkFieldName,
  checkNumber,
  checkPartitionKey,
  checkPrefix,
  checkSortKey,
  checkWriteSize,
  describeValue,
  utf8Length,
} from '../../lib/validate';

/** The INVALID_ARGUMENT `check` throws. */
function refused(check: () => unknown): DynastoreError {
  try {
    check();
  } catch (err) {
    expect(err).to.be.instanceOf(DynastoreError);
    expect((err as DynastoreError).code).to.equal('INVALID_ARGUMENT');
    return err as DynastoreError;
  }
  expect.fail('expected INVALID_ARGUMENT');
}

/** Milliseconds `run` takes. */
function timed(run: () => void): number {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** `leaf` inside `depth` lists. */
function nested(depth: number, leaf: object): unknown {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = { L: [v] };
  return v;
}

const KB400 = 400 * 1024;

describe('sizes, as DynamoDB counts them', () => {
  it('counts strings in UTF-8 bytes, not UTF-16 units', () => {
    expect(utf8Length('abc')).to.equal(3);
    expect(utf8Length('é')).to.equal(2);
    expect(utf8Length('€')).to.equal(3);
    expect(utf8Length('😀')).to.equal(4);
  });

  it('sizes every attribute type', () => {
    expect(attributeSize({ S: 'é' })).to.equal(2);
    expect(attributeSize({ N: '12345' })).to.equal(5);
    expect(attributeSize({ B: Buffer.alloc(7) })).to.equal(7);
    // A string written as bytes from JavaScript: both SDKs send its UTF-8 bytes.
    expect(attributeSize({ B: 'abc' as unknown as Uint8Array })).to.equal(3);
    expect(attributeSize({ BOOL: true })).to.equal(1);
    expect(attributeSize({ NULL: true })).to.equal(1);
    expect(attributeSize({ SS: ['a', 'bé'] })).to.equal(4);
    expect(attributeSize({ NS: ['1', '22'] })).to.equal(3);
    expect(attributeSize({ BS: [Buffer.alloc(2), Buffer.alloc(3)] })).to.equal(5);
    // maps and lists: 3 bytes of overhead, 1 per element, plus names and values
    expect(attributeSize({ M: { ab: { S: 'x' } } })).to.equal(3 + 2 + 1 + 1);
    expect(attributeSize({ L: [{ S: 'x' }, { N: '1' }] })).to.equal(3 + 2 + 2);
    expect(attributeSize({})).to.equal(0);
  });

  it('refuses a write over 400 KB, counting key, attribute names and values', () => {
    // id, name and version with their names: 2 + 1 + 4 + 1 + 7 + 8 bytes; the payload's name 7.
    const overhead = 2 + 1 + 4 + 1 + 7 + 8 + 7;
    expect(() =>
      checkWriteSize('p', 'k', { S: 'x'.repeat(400 * 1024 - overhead) }, undefined, undefined),
    ).not.to.throw();
    expect(() => checkWriteSize('p', 'k', { S: 'x'.repeat(400 * 1024 - overhead + 1) }, undefined, undefined)).to.throw(
      DynastoreError,
      '400 KB',
    );
    const name = 'n'.repeat(1000);
    expect(() =>
      checkWriteSize('p', 'k', undefined, { [name]: { S: 'x'.repeat(400 * 1024 - 1000) } }, undefined),
    ).to.throw(DynastoreError, '400 KB');
    expect(() =>
      checkWriteSize('p', 'k', { S: 'x'.repeat(400 * 1024 - overhead - 17) }, undefined, 1700000000),
    ).not.to.throw();
    expect(() =>
      checkWriteSize('p', 'k', { S: 'x'.repeat(400 * 1024 - overhead - 16) }, undefined, 1700000000),
    ).to.throw(DynastoreError);
  });
});

describe('numbers, as DynamoDB stores them', () => {
  // Each as DynamoDB Local and dynalite both answered a PutItem of it (scripted by hand, not in the suite).
  const stored = [
    '0',
    '-0',
    '1.',
    '.5',
    '-.5',
    '00012',
    '1e+5',
    '1E5',
    '1.e5',
    '-1.5e-3',
    '0e999',
    '0e-999',
    '1e0000000000000000000005',
    '12345678901234567890123456789012345678',
    '1234567890123456789012345678901234567800000',
    '9.9999999999999999999999999999999999999E+125',
    '-9.9999999999999999999999999999999999999E+125',
    '1E-130',
    `0.${'0'.repeat(129)}1`,
    `1${'0'.repeat(125)}`,
    `${'0'.repeat(5000)}1`,
    `1${'0'.repeat(5000)}e-5000`,
  ];
  const refusedByDynamoDB: Array<[string, string]> = [
    ['', 'not a number'],
    ['-', 'not a number'],
    [' 1', 'not a number'],
    ['1 ', 'not a number'],
    ['Infinity', 'not a number'],
    ['NaN', 'not a number'],
    ['0x10', 'not a number'],
    ['e5', 'not a number'],
    ['1e', 'not a number'],
    ['.e5', 'not a number'],
    ['--1', 'not a number'],
    ['1..2', 'not a number'],
    ['1e5.5', 'not a number'],
    ['1_000', 'not a number'],
    ['1e999', 'range'],
    ['1E+126', 'range'],
    ['1E-131', 'range'],
    // A double rounds this to 1e-130, in range: the check must not go through Number.
    ['0.99999999999999999999E-130', 'range'],
    [`1${'0'.repeat(126)}`, 'range'],
    [`0.${'0'.repeat(130)}1`, 'range'],
    // DynamoDB Local cannot read an exponent this long, even of zero.
    ['0.0e99999999999999999999', 'range'],
    ['123456789012345678901234567890123456789', '39 significant digits'],
    ['1.23456789012345678901234567890123456789e5', '39 significant digits'],
  ];

  it('stores what DynamoDB stores, including forms a double would round out of range', () => {
    for (const n of stored) expect(checkNumber(n, 'n'), n.slice(0, 40)).to.equal(n);
  });

  it('refuses what DynamoDB refuses, saying why', () => {
    for (const [n, why] of refusedByDynamoDB) expect(refused(() => checkNumber(n, 'n')).message, n).to.contain(why);
  });

  it("refuses a leading '+' and non-ASCII digits, which dynalite refuses", () => {
    for (const n of ['+1', '１', '٣']) expect(refused(() => checkNumber(n, 'n')).message).to.contain('not a number');
  });

  it('refuses a malformed 400 KB number in linear time (it took minutes)', () => {
    for (const n of [`${'1'.repeat(KB400)}x`, `${'0'.repeat(KB400)}x`, `1.${'0'.repeat(KB400)}e`]) {
      const ms = timed(() => {
        refused(() => checkAttributeValue({ N: n }, 'attributeValue'));
        refused(() => checkAttributeValue({ NS: ['1', n] }, 'attributeValue'));
      });
      expect(ms).to.be.below(1000);
    }
  });

  it('refuses a number longer than an item before reading it', () => {
    expect(refused(() => checkNumber('1'.repeat(KB400 + 1), 'n')).message).to.contain('more than an item holds');
  });
});

describe('attribute values DynamoDB would refuse, refused before sending', () => {
  const av = (value: unknown): unknown => checkAttributeValue(value, 'attributeValue');

  it('accepts empty strings and bytes outside keys, and in sets, as DynamoDB does', () => {
    for (const ok of [
      { S: '' },
      { B: Buffer.alloc(0) },
      { SS: ['', 'a'] },
      { BS: [Buffer.alloc(0)] },
      { M: {} },
      { L: [] },
    ]) {
      expect(av(ok)).to.deep.equal(ok);
    }
  });

  it('refuses empty sets', () => {
    for (const type of ['SS', 'NS', 'BS']) expect(refused(() => av({ [type]: [] })).message).to.contain('non-empty');
  });

  it('refuses a set that repeats a member, numbers compared by value and bytes by content', () => {
    for (const dup of [
      { SS: ['a', 'b', 'a'] },
      { NS: ['1', '1.0'] },
      { NS: ['100', '1e2'] },
      { NS: ['0', '-0'] },
      { NS: ['0.1', '1e-1'] },
      { BS: [Buffer.from('ab'), Uint8Array.from([97, 98])] },
      { BS: ['ab', Buffer.from('ab')] },
    ]) {
      expect(refused(() => av(dup)).message).to.contain('must not repeat a member');
    }
    expect(av({ NS: ['1', '-1', '10'] })).to.deep.equal({ NS: ['1', '-1', '10'] });
  });

  it('refuses set members of the wrong type: numbers not as strings, bytes not as Uint8Array', () => {
    expect(refused(() => av({ NS: [1, 2] })).message).to.contain('NS must hold numbers as strings');
    expect(refused(() => av({ NS: ['1', '1e999'] })).message).to.contain('NS[1]');
    expect(refused(() => av({ BS: [new ArrayBuffer(2)] })).message).to.contain('BS must hold bytes');
    expect(refused(() => av({ SS: ['a', 5] })).message).to.contain('SS must hold strings');
  });

  it('refuses B that is not a Uint8Array or a well-formed string', () => {
    // A Proxy of bytes passes instanceof, but neither SDK can read it.
    const proxied = new Proxy(Buffer.from('a'), {});
    for (const b of [new ArrayBuffer(2), new DataView(new ArrayBuffer(2)), [1, 2], 5, Uint16Array.from([1]), proxied]) {
      expect(refused(() => av({ B: b })).message).to.contain('B must be bytes');
    }
  });

  it('refuses holes in sets and lists, which a check by forEach skipped', () => {
    // eslint-disable-next-line no-sparse-arrays
    for (const holey of [{ SS: ['a', , 'b'] }, { L: [{ S: 'a' }, , { S: 'b' }] }]) refused(() => av(holey));
  });

  it('refuses lone surrogates in strings, set members, string bytes and map keys', () => {
    for (const bad of [
      { S: 'a\ud800' },
      { SS: ['ok', '\udc00b'] },
      { B: 'a\ud800' },
      { BS: ['\ud800'] },
      { M: { 'k\ud800': { S: 'x' } } },
      { L: [{ S: '\udfff' }] },
    ]) {
      refused(() => av(bad));
    }
    expect(av({ S: '😀' })).to.deep.equal({ S: '😀' });
  });

  it('refuses map keys DynamoDB refuses or aws-sdk v2 drops: empty, and __proto__', () => {
    expect(refused(() => av({ M: { '': { S: 'x' } } })).message).to.contain('non-empty');
    expect(refused(() => av(JSON.parse('{"M":{"__proto__":{"S":"x"}}}'))).message).to.contain('__proto__');
  });

  it('nests maps and lists 31 deep, as DynamoDB Local does, and no deeper', () => {
    expect(() => av(nested(31, { S: 'x' }))).not.to.throw();
    expect(() => av(nested(30, { M: {} }))).not.to.throw();
    expect(refused(() => av(nested(32, { S: 'x' }))).message).to.contain('32 levels');
    expect(refused(() => av(nested(31, { L: [] }))).message).to.contain('32 levels');
  });

  it('refuses objects that are not plain: a Date or Map as M, a class instance, inherited members', () => {
    class Value {
      S = 'x';
    }
    expect(refused(() => av({ M: new Map([['a', { S: 'x' }]]) })).message).to.contain('got a Map');
    expect(refused(() => av({ M: new Date() })).message).to.contain('got a Date');
    refused(() => av(new Value()));
    // aws-sdk v2 reads members through the prototype: this would send both S and N.
    refused(() => av(Object.assign(Object.create({ N: '1' }) as object, { S: 'x' })));
    expect(av(Object.assign(Object.create(null) as object, { S: 'x' }))).to.deep.equal({ S: 'x' });
  });

  it('answers a copy of what it checked, each member read once', () => {
    let reads = 0;
    const tricky = {
      get S(): string {
        return reads++ === 0 ? 'checked' : 'a\ud800';
      },
    };
    const checked = av({ L: [tricky] }) as { L: Array<{ S: string }> };
    expect(checked.L[0]?.S).to.equal('checked');
    expect(checked.L[0]?.S).to.equal('checked');
    expect(reads).to.equal(1);
  });
});

describe('lone surrogates in keys and names', () => {
  it('refuses them in partition and sort keys, prefixes and field names with INVALID_ARGUMENT', () => {
    for (const check of [
      () => checkPartitionKey('p\ud800'),
      () => checkSortKey('\udc00k'),
      () => checkPrefix('a/\ud83d'),
      () => checkFieldName('f\ud800'),
    ]) {
      expect(refused(check).message).to.match(/lone surrogate|well-formed/);
    }
    expect(checkSortKey('k/😀')).to.equal('k/😀');
  });
});

describe('messages stay short, whatever was given', () => {
  const huge = 'x'.repeat(KB400);

  it('describeValue shows 100 characters of a string and its length', () => {
    const shown = describeValue(huge);
    expect(shown).to.equal(`${JSON.stringify('x'.repeat(100))}… (${KB400} chars)`);
    expect(quote(huge)).to.equal(shown);
    expect(quote('short')).to.equal('"short"');
    // Never half a surrogate pair.
    expect(quote(`${'a'.repeat(99)}😀${'b'.repeat(10)}`)).to.equal(`"${'a'.repeat(99)}"… (111 chars)`);
  });

  it('describeValue names other values by kind, never by content, and never throws', () => {
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('no');
        },
      },
    );
    expect(describeValue(10n ** 100_000n)).to.equal('a bigint of over 30 digits');
    expect(describeValue(12n)).to.equal('12n');
    expect(describeValue(-0)).to.equal('-0');
    expect(describeValue(Symbol(huge))).to.equal('a symbol');
    expect(describeValue(hostile)).to.equal('an object');
    expect(describeValue(new (class extends Date {})())).to.equal('an object');
    expect(describeValue(new Error(huge))).to.equal('an Error');
    expect(describeValue(Buffer.alloc(3))).to.equal('3 bytes');
  });

  it('cuts a map key, a member name or a field name of 400 KB', () => {
    for (const check of [
      () => checkAttributeValue({ M: { [huge]: null } }, 'attributeValue'),
      () => checkAttributeValue({ M: { [huge]: { S: 'x' } }, ['M' + huge]: { S: 'x' } }, 'attributeValue'),
      () => checkAttributeValue({ [huge]: 1 }, 'attributeValue'),
      () => checkAttributeValue({ NS: [huge] }, 'attributeValue'),
      () => checkFieldName(`${huge}\ud800`),
      () => checkDynamoName('index', huge),
      () => checkSortKey(huge),
    ]) {
      const message = refused(check).message;
      expect(message.length).to.be.below(400);
      expect(message).to.contain(`chars)`);
    }
  });

  it('DynastoreError keeps at most 1,000 characters of any message, its head and its tail', () => {
    const err = new DynastoreError('INVALID_ARGUMENT', `start ${huge} end`, { value: huge });
    expect(err.message.length).to.be.at.most(MAX_MESSAGE_CHARS);
    expect(err.message).to.match(/^start x+… \(\d+ chars cut\) …x+ end$/);
    expect(err.value).to.equal(huge);
    expect(keyNotFound('t', 'p', huge).message.length).to.be.below(400);
    expect(new DynastoreError('INVALID_ARGUMENT', 'short').message).to.equal('short');
  });

  it('checks every string in linear time: 400 KB hostile inputs each in well under a second', () => {
    const inputs = [
      () => checkDynamoName('table name', `${'a'.repeat(KB400)}!`),
      () => checkFieldName(`${'a'.repeat(KB400)}\ud800`),
      () => checkSortKey('é'.repeat(KB400)),
      () => checkAttributeValue({ SS: Array.from({ length: 50_000 }, (_, i) => `${i}`).concat('7') }, 'a'),
      () => checkAttributeValue({ NS: Array.from({ length: 50_000 }, (_, i) => `${i}`).concat('7.0') }, 'a'),
      () => checkAttributeValue({ M: { [`${'a'.repeat(KB400)}.`]: 5 } }, 'a'),
    ];
    for (const input of inputs) expect(timed(() => refused(input))).to.be.below(1000);
  });
});
