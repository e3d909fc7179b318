import { expect } from 'chai';
import { attributeSize, checkItemSize, utf8Length } from '../../lib/validate';
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
    expect(attributeSize({ B: 'abc' })).to.equal(3);
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

  it('refuses an item over 400 KB, counting attribute names too', () => {
    const name = 'n'.repeat(1000);
    const item = { [name]: { S: 'x'.repeat(400 * 1024 - 1000) } };
    expect(() => checkItemSize(item, 'k')).not.to.throw();
    item[name] = { S: 'x'.repeat(400 * 1024 - 999) };
    expect(() => checkItemSize(item, 'k')).to.throw(DynastoreError, '400 KB');
  });
});
