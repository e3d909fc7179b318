import { expect } from 'chai';
import { DynastoreError, KVPair, operationName } from '../../lib';
import { decodeItem, isExpired, versionOf } from '../../lib/kvpair';
import { resolveTableOptions } from '../../lib/layout';
import { v3Codec } from '../../lib/sdk-v3';

/** Runs `body` with `names` set on Object.prototype (enumerable, as an attacker would), and removes them after. */
function withPollutedPrototype(names: Record<string, unknown>, body: () => void): void {
  const proto = Object.prototype as Record<string, unknown>;
  try {
    for (const [name, value] of Object.entries(names)) proto[name] = value;
    body();
  } finally {
    for (const name of Object.keys(names)) Reflect.deleteProperty(proto, name);
  }
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  return expect.fail('expected it to throw');
}

describe('KVPair', () => {
  it('decodes a stored item: key attributes, version, expires, payload, and the rest as fields', () => {
    const kv = decodeItem({
      id: { S: 'users' },
      name: { S: 'user/1' },
      version: { N: '12' },
      expires: { N: '1700000000' },
      payload: { S: 'hello' },
      created: { S: '2020' },
      count: { N: '3' },
    });
    expect(kv).to.include({ partition: 'users', key: 'user/1', version: 12, expires: 1700000000 });
    expect(kv.value).to.deep.equal({ S: 'hello' });
    expect(kv.fields).to.deep.equal({ created: { S: '2020' }, count: { N: '3' } });
    expect(kv.decodeFields()).to.deep.equal({ created: '2020', count: 3 });
  });

  it('reads expires 0 and version 0 when absent (an item written by someone else)', () => {
    const kv = decodeItem({ id: { S: 'p' }, name: { S: 'k' } });
    expect(kv).to.include({ version: 0, expires: 0, value: undefined });
    expect(kv.fields).to.deep.equal({});
  });

  it('reads only own attributes: a polluted Object.prototype adds no field, version, expiry or payload', () => {
    const polluted = { x: 1, admin: { BOOL: true }, version: { N: '7' }, expires: { N: '1' }, payload: { S: 'evil' } };
    withPollutedPrototype(polluted, () => {
      const kv = decodeItem({ id: { S: 'p' }, name: { S: 'k' }, a: { S: '1' } });
      expect(Object.keys(kv.fields)).to.deep.equal(['a']);
      expect(kv).to.include({ version: 0, expires: 0, value: undefined });
      expect(isExpired({ id: { S: 'p' } }, 100)).to.equal(false);
      expect(kv.decodeFields()).to.deep.equal({ a: '1' });
      expect(decodeItem({ id: { S: 'p' }, name: { S: 'k' } }, v3Codec).decodeFields()).to.deep.equal({});
    });
  });

  it('reads the members of the key, version and expiry as own properties: a polluted S or N is no value', () => {
    withPollutedPrototype({ S: 'evil', N: '99' }, () => {
      const kv = decodeItem({ id: { B: Buffer.from('p') }, name: { NULL: true }, version: { S: '3' }, expires: {} });
      expect(kv).to.include({ partition: '', key: '', version: 0, expires: 0 });
    });
  });

  it('decodes each item into a pair of its own, in the layout the table names', () => {
    const layout = resolveTableOptions({
      attributes: { partitionKey: 'ns', sortKey: 'k', value: 'item', version: 'v' },
    });
    const first = decodeItem(
      { ns: { S: 'a' }, k: { S: '1' }, item: { S: 'x' }, v: { N: '2' }, id: { S: 'f' }, expires: { N: '5' } },
      undefined,
      layout,
    );
    const second = decodeItem({ ns: { S: 'b' }, k: { S: '2' }, other: { N: '1' } }, undefined, layout);
    expect(first).to.include({ partition: 'a', key: '1', version: 2, expires: 5 });
    expect(first.value).to.deep.equal({ S: 'x' });
    // `id` is no attribute of this layout's: a field like any other.
    expect(first.fields).to.deep.equal({ id: { S: 'f' } });
    expect(second).to.include({ partition: 'b', key: '2', version: 0, expires: 0, value: undefined });
    expect(second.fields).to.deep.equal({ other: { N: '1' } });
    expect(first.fields).to.not.equal(second.fields);
  });

  it('an attribute named __proto__ is a field, and leaves the prototype of fields alone', () => {
    const item = JSON.parse('{"id":{"S":"p"},"name":{"S":"k"},"__proto__":{"S":"x"}}') as Record<string, never>;
    const kv = decodeItem(item);
    expect(Object.getPrototypeOf(kv.fields)).to.equal(Object.prototype);
    expect(Object.keys(kv.fields)).to.deep.equal(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(kv.fields, '__proto__')?.value).to.deep.equal({ S: 'x' });
  });

  it('reads a version that is not a positive safe integer as 0: none dynastore can compare', () => {
    expect(versionOf({ version: { N: '3' } })).to.equal(3);
    expect(versionOf({ version: { N: '9007199254740991' } })).to.equal(9007199254740991);
    for (const version of [
      { N: '0' },
      { N: '-3' },
      { N: '1.5' },
      { N: '9007199254740992' },
      { S: '3' },
      { NULL: true },
    ]) {
      expect(versionOf({ version }), JSON.stringify(version)).to.equal(0);
    }
    expect(versionOf({})).to.equal(0);
  });

  it('reads an expires that is not a number as 0 (never), and a huge one as it is', () => {
    expect(decodeItem({ expires: { S: '1000' } }).expires).to.equal(0);
    expect(decodeItem({ expires: { M: {} } }).expires).to.equal(0);
    expect(decodeItem({ expires: { N: '9.99e125' } }).expires).to.equal(9.99e125);
  });

  it('decodes keys of a type other than S as empty, and any payload as is, without throwing', () => {
    const kv = decodeItem({ id: { N: '1' }, name: { B: Buffer.from('k') }, payload: { NULL: true } });
    expect(kv).to.include({ partition: '', key: '' });
    expect(kv.value).to.deep.equal({ NULL: true });
    expect(kv.stringValue()).to.equal('');
    expect(kv.bytesValue()).to.equal(undefined);
    expect(kv.decodeValue()).to.equal(null);
  });

  it("decodeValue: a value the SDK's converter cannot convert is INVALID_ARGUMENT, with its error as cause", () => {
    const kv = decodeItem({ id: { S: 'p' }, name: { S: 'k' }, payload: { N: '12345678901234567890.5' } }, v3Codec);
    const err = thrown(() => kv.decodeValue());
    expect(err).to.be.instanceOf(DynastoreError).with.property('code', 'INVALID_ARGUMENT');
    expect((err as DynastoreError).cause).to.be.instanceOf(Error);
  });

  describe('built by hand', () => {
    it('takes a partition, a key, a non-negative version, and optional expires, value and fields', () => {
      expect(new KVPair({ partition: 'p', key: 'k', version: 0 })).to.include({ version: 0, expires: 0 });
      const kv = new KVPair({ partition: 'p', key: 'k', version: 2, expires: 5, value: { S: 'v' }, fields: {} });
      expect(kv).to.include({ version: 2, expires: 5 });
    });

    it('takes only own properties of init: a polluted Object.prototype gives it no fields or value', () => {
      let kv: KVPair | undefined;
      // Asserted after: chai itself misreads property descriptors while Object.prototype.value is set.
      withPollutedPrototype({ fields: { admin: { BOOL: true } }, value: { S: 'evil' }, expires: 5 }, () => {
        kv = new KVPair({ partition: 'p', key: 'k', version: 1 });
      });
      expect(kv).to.include({ value: undefined, expires: 0 });
      expect(Object.keys(kv?.fields ?? { missing: true })).to.deep.equal([]);
    });

    it('copies value and fields once: a Proxy among them is INVALID_ARGUMENT, never read again later', () => {
      const trap = (): never => {
        throw new Error('trap');
      };
      for (const name of ['value', 'fields']) {
        const hostile = new Proxy({}, { getOwnPropertyDescriptor: trap, ownKeys: trap });
        const err = thrown(() => new KVPair({ partition: 'p', key: 'k', version: 1, [name]: hostile }));
        expect(err).to.be.instanceOf(DynastoreError).with.property('code', 'INVALID_ARGUMENT');
      }
      const value = { S: 'v' };
      const kv = new KVPair({ partition: 'p', key: 'k', version: 1, value, fields: { f: { N: '1' } } });
      value.S = 'changed';
      expect([kv.stringValue(), kv.decodeFields()]).to.deep.equal(['v', { f: 1 }]);
    });

    it('refuses a value or fields that is not a plain object (a Map, a Buffer, a class instance)', () => {
      for (const bad of [
        new Map(),
        Buffer.from('v'),
        new (class Value {
          S = 'v';
        })(),
        Object.create({ S: 'v' }),
      ]) {
        const err = thrown(() => new KVPair({ partition: 'p', key: 'k', version: 1, value: bad as never }));
        expect(err).to.be.instanceOf(DynastoreError).with.property('code', 'INVALID_ARGUMENT');
      }
    });

    it('refuses anything else with INVALID_ARGUMENT, never a TypeError', () => {
      const bad: unknown[] = [
        undefined,
        null,
        5,
        'kv',
        {},
        { partition: 'p', key: 'k' },
        { partition: 1, key: 'k', version: 1 },
        { partition: 'p', key: null, version: 1 },
        { partition: 'p', key: 'k', version: -1 },
        { partition: 'p', key: 'k', version: 1.5 },
        { partition: 'p', key: 'k', version: Number.NaN },
        { partition: 'p', key: 'k', version: 2 ** 60 },
        { partition: 'p', key: 'k', version: 1, expires: Number.POSITIVE_INFINITY },
        { partition: 'p', key: 'k', version: 1, expires: '5' },
        { partition: 'p', key: 'k', version: 1, value: 'v' },
        { partition: 'p', key: 'k', version: 1, fields: [] },
        Object.defineProperty({}, 'partition', {
          get() {
            throw new Error('boom');
          },
        }),
        new Proxy(
          {},
          {
            get() {
              throw new Error('trap');
            },
          },
        ),
      ];
      for (const [i, init] of bad.entries()) {
        expect(() => new KVPair(init as never), `bad init #${i}`)
          .to.throw(DynastoreError)
          .with.property('code', 'INVALID_ARGUMENT');
      }
    });
  });

  describe('accessors', () => {
    const kv = (value?: object): KVPair =>
      new KVPair({ partition: 'p', key: 'k', version: 1, ...(value ? { value } : {}) });

    it('stringValue returns S, or an empty string', () => {
      expect(kv({ S: 'x' }).stringValue()).to.equal('x');
      expect(kv({ N: '1' }).stringValue()).to.equal('');
      expect(kv().stringValue()).to.equal('');
    });

    it('bytesValue decodes base64 strings (as Go and writeWithBytes store bytes) and binary', () => {
      expect(kv({ S: '+/8A' }).bytesValue()).to.deep.equal(Buffer.from([0xfb, 0xff, 0x00]));
      expect(kv({ S: '' }).bytesValue()).to.deep.equal(Buffer.alloc(0));
      expect(kv({ B: Buffer.from([1]) }).bytesValue()).to.deep.equal(Buffer.from([1]));
      expect(kv({ B: Uint8Array.of(2) }).bytesValue()).to.deep.equal(Buffer.from([2]));
      expect(kv({ B: 'Aw==' }).bytesValue()).to.deep.equal(Buffer.from([3]));
    });

    it('bytesValue is undefined for no payload, a non-base64 string, or another type', () => {
      expect(kv().bytesValue()).to.equal(undefined);
      expect(kv({ S: 'not base64!' }).bytesValue()).to.equal(undefined);
      expect(kv({ S: 'abc' }).bytesValue()).to.equal(undefined);
      expect(kv({ N: '1' }).bytesValue()).to.equal(undefined);
    });

    it('decodeValue converts with AWS.DynamoDB.Converter', () => {
      expect(kv({ M: { a: { N: '1' }, b: { L: [{ S: 'x' }] } } }).decodeValue()).to.deep.equal({ a: 1, b: ['x'] });
      expect(kv({ S: 's' }).decodeValue<string>()).to.equal('s');
      expect(kv().decodeValue()).to.equal(undefined);
    });
  });

  it('isExpired: a number expires not in the future; one that is not a number never expires (as DynamoDB TTL)', () => {
    expect(isExpired({}, 100)).to.equal(false);
    expect(isExpired({ expires: { N: '101' } }, 100)).to.equal(false);
    expect(isExpired({ expires: { N: '100' } }, 100)).to.equal(true);
    expect(isExpired({ expires: { N: '99' } }, 100)).to.equal(true);
    expect(isExpired({ expires: { N: '0' } }, 100)).to.equal(true);
    expect(isExpired({ expires: { N: '9.99e125' } }, 100)).to.equal(false);
    expect(isExpired({ expires: { S: '99' } }, 100)).to.equal(false);
    expect(isExpired({ expires: { NULL: true } }, 100)).to.equal(false);
    expect(isExpired({ expires: { M: { N: { S: '1' } } } }, 100)).to.equal(false);
  });
});

describe('DynastoreError', () => {
  it('is() checks the class and, when given, the code', () => {
    const err = new DynastoreError('KEY_EXISTS', 'exists', { value: 'k' });
    expect(DynastoreError.is(err)).to.equal(true);
    expect(DynastoreError.is(err, 'KEY_EXISTS')).to.equal(true);
    expect(DynastoreError.is(err, 'KEY_NOT_FOUND')).to.equal(false);
    expect(DynastoreError.is(new Error('x'))).to.equal(false);
    expect(DynastoreError.is(undefined)).to.equal(false);
    expect(err).to.include({ name: 'DynastoreError', code: 'KEY_EXISTS', message: 'exists', value: 'k' });
  });

  it('carries the cause when there is one', () => {
    const cause = new Error('under');
    expect(new DynastoreError('REQUEST_FAILED', 'failed', { cause }).cause).to.equal(cause);
    expect(new DynastoreError('REQUEST_FAILED', 'failed')).not.to.have.property('cause');
  });
});

describe('operationName', () => {
  it("reads ctx.operation, or '' when there is none", () => {
    expect(operationName({ operation: 'Put' })).to.equal('Put');
    expect(operationName({})).to.equal('');
    expect(operationName(undefined)).to.equal('');
    expect(operationName({ operation: 5 })).to.equal('');
  });

  it("never throws: a Proxy whose traps throw has no operation, and an inherited one is ''", () => {
    const trap = (): never => {
      throw new Error('trap');
    };
    const proxy = new Proxy({}, { get: trap, getOwnPropertyDescriptor: trap, has: trap, getPrototypeOf: trap });
    expect(operationName(proxy)).to.equal('');
    expect(operationName(Object.create({ operation: 'Put' }))).to.equal('');
  });
});
