import { expect } from 'chai';
import { attributeSize, checkWriteSize, utf8Length } from '../../lib/validate';
import { DynastoreError } from '../../lib';

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
