import { expect } from 'chai';
import {
  DynastoreError,
  readConsistentDisable,
  readScanIndexForwardDisable,
  readWithGlobalIndex,
  readWithLimit,
  readWithLocalIndex,
  readWithStartKey,
  writeWithAttributeValue,
  writeWithBytes,
  writeWithFields,
  writeWithNoExpires,
  writeWithPreviousKV,
  writeWithString,
  writeWithTTL,
  type ReadOptions,
  type WriteOptions,
} from '../../lib';
import { resolveDeleteOptions, resolveReadOptions, resolveWriteOptions } from '../../lib/options';
import { rejection } from '../helpers/expect';
import { mockedSession, restoreMocks } from '../helpers/mock';

function refused(fn: () => unknown): DynastoreError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(DynastoreError);
    return err as DynastoreError;
  }
  expect.fail('expected a DynastoreError');
}

describe('options', () => {
  describe('Go-named helpers are plain objects', () => {
    it('write helpers', () => {
      const bytes = Uint8Array.of(1, 2);
      expect(writeWithString('s')).to.deep.equal({ value: 's', attributeValue: undefined });
      expect(writeWithBytes(bytes)).to.deep.equal({ value: bytes, attributeValue: undefined });
      expect(writeWithFields({ a: 'b' })).to.deep.equal({ fields: { a: 'b' } });
      expect(writeWithTTL(1000)).to.deep.equal({ ttl: 1000 });
      expect(writeWithNoExpires()).to.deep.equal({ ttl: undefined });
      expect(writeWithPreviousKV({ version: 2 })).to.deep.equal({ previous: { version: 2 } });
      expect(writeWithAttributeValue({ N: '1' })).to.deep.equal({ attributeValue: { N: '1' }, value: undefined });
    });

    it('read helpers', () => {
      expect(readConsistentDisable()).to.deep.equal({ consistent: false });
      expect(readScanIndexForwardDisable()).to.deep.equal({ scanIndexForward: false });
      expect(readWithLimit(5)).to.deep.equal({ limit: 5 });
      expect(readWithStartKey('abc')).to.deep.equal({ startKey: 'abc' });
      expect(readWithLocalIndex('i', 'c')).to.deep.equal({
        index: { type: 'local', name: 'i', sortKeyAttribute: 'c' },
      });
      expect(readWithGlobalIndex('g', 'p', 's')).to.deep.equal({
        index: { type: 'global', name: 'g', partitionKeyAttribute: 'p', sortKeyAttribute: 's' },
      });
    });
  });

  describe('merging', () => {
    it('applies defaults: consistent and ascending', () => {
      expect(resolveReadOptions([])).to.deep.equal({ consistent: true, scanIndexForward: true });
    });

    it('later options win, helpers and plain objects alike', () => {
      expect(resolveWriteOptions([writeWithTTL(1000), writeWithNoExpires()])).to.deep.equal({});
      expect(resolveWriteOptions([writeWithNoExpires(), { ttl: 5 }])).to.deep.equal({ ttl: 5 });
      expect(resolveWriteOptions([writeWithString('a'), writeWithAttributeValue({ N: '1' })]).payload).to.deep.equal({
        N: '1',
      });
      expect(resolveWriteOptions([writeWithAttributeValue({ N: '1' }), writeWithString('a')]).payload).to.deep.equal({
        S: 'a',
      });
      expect(resolveWriteOptions([writeWithFields({ a: 'x' }), writeWithFields({ b: 'y' })]).fields).to.deep.equal({
        b: { S: 'y' },
      });
      expect(resolveReadOptions([readWithLimit(5), { limit: 7 }, undefined]).limit).to.equal(7);
      expect(resolveReadOptions([readConsistentDisable(), { consistent: true }]).consistent).to.equal(true);
    });

    it('accepts well-formed attribute values of every type, nested', () => {
      const av = {
        M: {
          s: { S: '' },
          n: { N: '-12.5e3' },
          b: { B: Buffer.from([1]) },
          ss: { SS: ['a', 'b'] },
          ns: { NS: ['1', '2'] },
          bs: { BS: [Buffer.from([1]), Buffer.from([1])] },
          l: { L: [{ NULL: true }, { BOOL: false }] },
          big: { N: '12345678901234567890123456789012345678' },
          zero: { N: '0.000' },
        },
      };
      expect(resolveWriteOptions([writeWithAttributeValue(av)]).payload).to.equal(av);
      expect(
        refused(() => resolveWriteOptions([writeWithAttributeValue({ N: '123456789012345678901234567890123456789' })]))
          .message,
      ).to.contain('38 digits');
    });

    it('refuses a field named __proto__, which aws-sdk v2 drops both ways', () => {
      const fields = JSON.parse('{"__proto__":"x","a":"y"}') as Record<string, string>;
      const err = refused(() => resolveWriteOptions([writeWithFields(fields)]));
      expect(err.code).to.equal('INVALID_ARGUMENT');
      expect(err.message).to.contain('__proto__');
    });

    it('converts fields: string S, number N, boolean BOOL, bytes B', () => {
      const fields = resolveWriteOptions([
        writeWithFields({ s: 'x', n: -1.5, b: false, bin: Uint8Array.of(7) }),
      ]).fields;
      expect(fields).to.deep.equal({
        s: { S: 'x' },
        n: { N: '-1.5' },
        b: { BOOL: false },
        bin: { B: Buffer.from([7]) },
      });
    });

    it('treats an empty start key as none, as Go does', () => {
      expect(resolveReadOptions([readWithStartKey('')])).to.not.have.property('startKey');
    });

    it('passes signal and context through', () => {
      const signal = new AbortController().signal;
      expect(resolveDeleteOptions([{ signal, context: { a: 1 } }])).to.deep.equal({ signal, context: { a: 1 } });
    });
  });

  describe('validation names the bad value', () => {
    const write: Array<[string, WriteOptions, string]> = [
      ['ttl 0', { ttl: 0 }, 'ttl'],
      ['negative ttl', { ttl: -5 }, 'ttl'],
      ['NaN ttl', { ttl: NaN }, 'ttl'],
      ['infinite ttl', { ttl: Infinity }, 'ttl'],
      ['string ttl', { ttl: '5' as unknown as number }, 'ttl'],
      ['number value', { value: 5 as unknown as string }, 'value'],
      ['value and attributeValue', { value: 'a', attributeValue: { S: 'b' } }, 'either value or attributeValue'],
      ['attributeValue without a type', { attributeValue: { X: 1 } as never }, 'attributeValue'],
      ['attributeValue with two types', { attributeValue: { S: 'x', N: '1' } }, 'has S, N'],
      ['attributeValue S not a string', { attributeValue: { S: 123 } as never }, 'attributeValue S must be a string'],
      ['attributeValue N not a number', { attributeValue: { N: '12a' } }, '"12a"'],
      ['attributeValue NULL false', { attributeValue: { NULL: false } }, 'NULL must be true'],
      ['attributeValue BOOL not boolean', { attributeValue: { BOOL: 'yes' } as never }, 'BOOL'],
      ['attributeValue B not bytes', { attributeValue: { B: 5 as never } }, 'B must be bytes'],
      ['attributeValue L not a list', { attributeValue: { L: 'abc' } as never }, 'L must be an array'],
      ['attributeValue SS not a list', { attributeValue: { SS: 'ab' } as never }, 'SS must be a non-empty array'],
      ['attributeValue empty NS', { attributeValue: { NS: [] } }, 'NS must be a non-empty array'],
      ['attributeValue SS repeating', { attributeValue: { SS: ['a', 'a'] } }, 'must not repeat'],
      ['attributeValue SS of numbers', { attributeValue: { SS: [1] } as never }, 'SS must hold strings'],
      ['attributeValue BS of numbers', { attributeValue: { BS: [5] } }, 'BS must hold bytes'],
      ['attributeValue NS out of range', { attributeValue: { NS: ['1', '1e200'] } }, 'NS[1]'],
      ['attributeValue M holding null', { attributeValue: { M: { a: null } } as never }, 'attributeValue.a'],
      ['attributeValue M not an object', { attributeValue: { M: [] } as never }, 'M must be an object'],
      [
        'attributeValue deep in a list',
        { attributeValue: { L: [{ M: { x: { S: 1 } } }] } as never },
        'attributeValue[0].x',
      ],
      [
        'attributeValue nested deeper than 32 levels',
        { attributeValue: Array.from({ length: 40 }).reduce<object>((inner) => ({ L: [inner] }), { S: 'x' }) },
        '32 levels',
      ],
      ['attributeValue with an unknown member', { attributeValue: { S: 'x', Z: 1 } as never }, 'has S, Z'],
      ['field number too large for DynamoDB', { fields: { n: 1e300 } }, '1e+300'],
      ['field number too small for DynamoDB', { fields: { n: 5e-324 } }, '5e-324'],
      ['fields not an object', { fields: 'a' as never }, 'fields'],
      ['NaN field', { fields: { n: NaN } }, '"n"'],
      ['object field', { fields: { o: {} as never } }, '"o"'],
      ['empty field name', { fields: { '': 'x' } }, 'field name'],
      ['previous without a version', { previous: {} as never }, 'previous.version'],
      ['previous version 0', { previous: { version: 0 } }, 'previous.version'],
      ['previous not an object', { previous: 3 as never }, 'previous'],
      ['signal not a signal', { signal: {} as never }, 'signal'],
      ['context not an object', { context: [] as never }, 'context'],
      ['unknown option', { limit: 5 } as never, '"limit"'],
    ];
    for (const [what, option, mention] of write) {
      it(`write: ${what}`, () => {
        const err = refused(() => resolveWriteOptions([option]));
        expect(err.code).to.equal('INVALID_ARGUMENT');
        expect(err.message).to.contain(mention);
      });
    }

    const read: Array<[string, ReadOptions, string]> = [
      ['limit 0', { limit: 0 }, 'limit'],
      ['fractional limit', { limit: 1.5 }, '1.5'],
      ['negative limit', { limit: -1 }, '-1'],
      ['string limit', { limit: '10' as never }, '"10"'],
      ['start key not a string', { startKey: 5 as never }, 'startKey'],
      ['consistent not boolean', { consistent: 'yes' as never }, 'consistent'],
      ['scanIndexForward not boolean', { scanIndexForward: 0 as never }, 'scanIndexForward'],
      [
        'index of unknown type',
        { index: { type: 'other', name: 'idx', sortKeyAttribute: 's' } as never },
        'index type',
      ],
      ['index without a name', readWithLocalIndex('', 'c'), 'index name'],
      ['index name DynamoDB refuses', readWithLocalIndex('ab', 'c'), 'index name must be 3 to 255'],
      ['global index without partition attribute', readWithGlobalIndex('gsi', '', 's'), 'partitionKeyAttribute'],
      ['index not an object', { index: 'idx' as never }, 'index'],
      ['unknown option', { ttl: 5 } as never, '"ttl"'],
    ];
    for (const [what, option, mention] of read) {
      it(`read: ${what}`, () => {
        const err = refused(() => resolveReadOptions([option]));
        expect(err.code).to.equal('INVALID_ARGUMENT');
        expect(err.message).to.contain(mention);
      });
    }

    it('an option that is not an object', () => {
      expect(refused(() => resolveReadOptions([5 as never])).message).to.contain('objects');
      expect(refused(() => resolveDeleteOptions([{ ttl: 1 } as never])).message).to.contain('"ttl"');
    });

    for (const name of ['id', 'name', 'version', 'expires', 'payload']) {
      it(`field ${name} is RESERVED_FIELD`, () => {
        const err = refused(() => resolveWriteOptions([writeWithFields({ [name]: 'x' })]));
        expect(err.code).to.equal('RESERVED_FIELD');
        expect(err.value).to.equal(name);
      });
    }
  });

  describe('bad keys and items are refused before any request', () => {
    afterEach(restoreMocks);

    const cases: Array<[string, (t: ReturnType<typeof mockedSession>['session']) => Promise<unknown>, string]> = [
      ['empty partition', (s) => s.table('agents').get('', 'k'), 'partition must not be empty'],
      ['empty key', (s) => s.table('agents').put('p', ''), 'key must not be empty'],
      ['non-string key', (s) => s.table('agents').exists('p', 5 as never), 'key must be a string'],
      // 513 characters, but 1026 bytes in UTF-8: over the limit, though dynalite counts characters
      ['key over 1024 UTF-8 bytes', (s) => s.table('agents').put('p', 'é'.repeat(513)), '1026 bytes'],
      ['partition over 2048 UTF-8 bytes', (s) => s.table('agents').delete('€'.repeat(683), 'k'), '2049 bytes'],
      ['key with a lone surrogate', (s) => s.table('agents').atomicPut('p', 'a\ud800'), 'lone surrogate'],
      ['prefix over 1024 bytes', (s) => s.table('agents').listPage('p', 'x'.repeat(1025)), 'prefix'],
      ['item over 400 KB', (s) => s.table('agents').put('p', 'k', writeWithString('x'.repeat(410_000))), '400'],
      [
        'item over 400 KB by multi-byte characters',
        (s) => s.table('agents').atomicPut('p', 'k', writeWithString('€'.repeat(140_000))),
        'bytes',
      ],
      ['invalid table name', (s) => Promise.resolve().then(() => s.table('a')), 'table name'],
      [
        'atomicDelete with a non-integer previous version',
        (s) => s.table('agents').atomicDelete('p', 'k', { version: 1.5 }),
        'previous.version',
      ],
      [
        'iterate with a bad limit',
        (s) => Promise.resolve().then(() => s.table('agents').iterate('p', '', { limit: 0 })),
        'limit',
      ],
      [
        'partition() with an empty name',
        (s) => Promise.resolve().then(() => s.table('agents').partition('')),
        'partition',
      ],
    ];
    for (const [what, run, mention] of cases) {
      it(what, async () => {
        const { session, calls } = mockedSession({
          getItem: {},
          putItem: {},
          updateItem: {},
          deleteItem: {},
          query: {},
        });
        const err = await rejection(run(session));
        expect(err.code).to.equal('INVALID_ARGUMENT');
        expect(err.message).to.contain(mention);
        expect(err).to.have.property('value');
        expect(calls).to.have.length(0);
      });
    }

    it('an item just under 400 KB is sent', async () => {
      const { session, calls } = mockedSession({ updateItem: {} });
      await session.table('agents').put('p', 'k', writeWithString('x'.repeat(400 * 1024 - 100)));
      expect(calls).to.have.length(1);
    });
  });
});
