// The edges of what an attributeValue may be, against a real server: what
// the library accepts, the server stores; what the server would refuse, the
// library refuses first, with no request sent.
import { expect } from 'chai';
import { writeWithAttributeValue, type AttributeValue, type Partition } from '../../lib';
import { codeOf } from '../helpers/expect';
import { forEachTarget } from '../helpers/sdk';
import { createTable, rawClient } from '../helpers/server';

function nested(depth: number, leaf: AttributeValue): AttributeValue {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = { L: [v] };
  return v;
}

forEachTarget('attribute values at DynamoDB limits', (target) => {
  let requests = 0;
  let p: Partition;

  before(async () => {
    const endpoint = await target.server.endpoint();
    const tableName = await createTable(rawClient(endpoint), 'values');
    p = target
      .session(endpoint, {
        hooks: {
          requestBuilt: () => {
            requests++;
          },
        },
      })
      .table(tableName)
      .partition('p');
  });

  const stored: Array<[string, AttributeValue]> = [
    ['the largest number', { N: '9.9999999999999999999999999999999999999E+125' }],
    ['the smallest number', { N: '-1E-130' }],
    ['38 digits', { N: '-1234567890123456789012345678901234.5678' }],
    ['zero with a long exponent', { N: '0e999' }],
    ['a number padded with zeros', { N: `${'0'.repeat(1000)}1.5${'0'.repeat(1000)}` }],
    ['an empty string and empty bytes', { M: { s: { S: '' }, b: { B: Buffer.alloc(0) } } }],
    ['sets with empty members', { L: [{ SS: ['', 'a'] }, { BS: [Buffer.alloc(0), Buffer.from('a')] }] }],
    ['numbers distinct by value', { NS: ['1', '-1', '10', '0.1'] }],
    ['31 lists inside one another', nested(31, { S: 'deep' })],
    ['30 lists around an empty map', nested(30, { M: {} })],
  ];

  for (const [what, value] of stored) {
    it(`stores ${what}`, async () => {
      await p.put(what, writeWithAttributeValue(value));
      expect((await p.get(what)).value).to.not.equal(undefined);
    });
  }

  const refused: Array<[string, AttributeValue]> = [
    ['a number over the range', { N: '1E+126' }],
    ['a number a double rounds into range', { N: '0.99999999999999999999E-130' }],
    ['39 digits', { N: '123456789012345678901234567890123456789' }],
    ['a set repeating a number in another form', { NS: ['1', '1.0'] }],
    ['a set repeating bytes', { BS: [Buffer.from('a'), Buffer.from('a')] }],
    ['an empty set', { SS: [] }],
    ['an empty map key', { M: { '': { S: 'x' } } }],
    ['32 lists inside one another', nested(32, { S: 'deep' })],
    ['a lone surrogate', { S: 'a\ud800' }],
    ['a malformed 400 KB number', { N: `${'1'.repeat(400 * 1024)}x` }],
  ];

  for (const [what, value] of refused) {
    it(`refuses ${what} with INVALID_ARGUMENT, sending nothing`, async () => {
      requests = 0;
      const started = Date.now();
      expect(await codeOf(p.put('refused', writeWithAttributeValue(value)))).to.equal('INVALID_ARGUMENT');
      expect(requests).to.equal(0);
      expect(Date.now() - started).to.be.below(1000);
    });
  }
});
