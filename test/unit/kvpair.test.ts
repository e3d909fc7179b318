import { expect } from 'chai';
import { DynastoreError, KVPair, marshalStruct, operationName, unmarshalStruct } from '../../lib';
import { decodeItem, isExpired } from '../../lib/kvpair';

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

  it('isExpired: expires set and not in the future; a non-number expires counts as expired', () => {
    expect(isExpired({}, 100)).to.equal(false);
    expect(isExpired({ expires: { N: '101' } }, 100)).to.equal(false);
    expect(isExpired({ expires: { N: '100' } }, 100)).to.equal(true);
    expect(isExpired({ expires: { N: '99' } }, 100)).to.equal(true);
    expect(isExpired({ expires: { S: '200' } }, 100)).to.equal(true);
  });
});

describe('marshalStruct and unmarshalStruct', () => {
  it('round-trip a plain object through a map attribute value', () => {
    const customer = {
      name: 'welcome',
      status: 'enabled',
      tags: ['a', 'b'],
      visits: 3,
      active: true,
      photo: Buffer.from([1]),
    };
    const av = marshalStruct(customer);
    expect(av.M?.name).to.deep.equal({ S: 'welcome' });
    expect(av.M?.visits).to.deep.equal({ N: '3' });
    expect(unmarshalStruct(av)).to.deep.equal(customer);
  });

  it('refuse what is not an object or a map', () => {
    for (const bad of [null, 5, 'x', [1]]) {
      expect(() => marshalStruct(bad as never))
        .to.throw(DynastoreError)
        .with.property('code', 'INVALID_ARGUMENT');
    }
    for (const bad of [undefined, { S: 'x' }, { M: null }]) {
      expect(() => unmarshalStruct(bad as never))
        .to.throw(DynastoreError)
        .with.property('code', 'INVALID_ARGUMENT');
    }
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
});
