// Field names and values that mean something in DynamoDB expressions
// (#, :, ., spaces, brackets, keywords, placeholder look-alikes) and any
// Unicode: stored and read back verbatim on each server, and never pasted
// into an expression (every expression sent is placeholders and keywords).
import { expect } from 'chai';
import fc from 'fast-check';
import { type FieldValue, type RequestParams, type Table } from '../../lib';
import { budget } from '../helpers/budget';
import { record } from '../helpers/report';
import { forEachTarget } from '../helpers/sdk';
import { createTable, rawClient } from '../helpers/server';

/** What an expression may consist of: our placeholders, operators and keywords, nothing a caller wrote. */
const PLACEHOLDERS_ONLY =
  /^(?:\s|,|=|<=|>|\(|\)|SET|REMOVE|ADD|AND|OR|NOT|BETWEEN|attribute_not_exists|attribute_exists|begins_with|#n\d+|:v\d+)+$/;

const TRICKY = [
  '#',
  ':',
  '.',
  ' ',
  '#n0',
  ':v0',
  '#name',
  ':now',
  'a.b',
  'a[0]',
  'with space',
  'SET',
  'REMOVE x',
  'ADD #n0 :v0',
  'AND',
  'attribute_exists(id)',
  'size(x) > :v1',
  ' = ',
  ', #n1 = :v1',
  '"quoted"',
  "'single'",
  '\\',
  '\u0000',
  '\t\n',
  'é',
  '😀',
  'ユーザー',
  '\u202e',
];
// Index key attributes of docs/table.json are typed S and refuse empty strings: they are not free fields.
const RESERVED_HERE = new Set(['id', 'name', 'version', 'expires', 'payload', 'created', 'pk1', 'sk1', '__proto__']);

const fieldName = fc
  .oneof(
    fc.constantFrom(...TRICKY),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
    fc.string({ minLength: 1, maxLength: 6 }),
  )
  .filter((n) => !RESERVED_HERE.has(n) && n.isWellFormed());
const fieldValue: fc.Arbitrary<FieldValue> = fc.oneof(
  fc.constantFrom(...TRICKY, ''),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer(),
  fc.double({ min: -1e12, max: 1e12, noNaN: true }).filter((n) => n !== 0 && Math.abs(n) > 1e-100),
  fc.boolean(),
);

forEachTarget('field names and values fuzz', (target) => {
  let table: Table;
  const sent: RequestParams[] = [];

  before(async () => {
    const endpoint = await target.server.endpoint();
    const tableName = await createTable(rawClient(endpoint), 'fields');
    table = target
      .session(endpoint, {
        hooks: {
          requestBuilt: (_ctx, params) => {
            sent.push(params);
          },
        },
      })
      .table(tableName);
  });

  it('stores and reads back every field verbatim, through put and atomicPut, never interpreted', async function () {
    const numRuns = target.server.name === 'dynalite' ? target.runs(150, 50) : target.runs(60, 20);
    // Six requests a run.
    this.timeout(budget(numRuns * 6));
    let n = 0;
    let fieldsTried = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fieldName, fieldValue, { minKeys: 1, maxKeys: 8 }),
        fc.constantFrom(...TRICKY),
        async (fields, key) => {
          const p = table.partition(`fuzz-${++n}`);
          fieldsTried += Object.keys(fields).length;
          await p.put(key, { fields, value: key });
          const put = await p.get(key);
          expect(put.decodeFields()).to.deep.equal(fields);
          expect(put.stringValue()).to.equal(key);
          expect(put.key).to.equal(key);
          const created = await p.atomicPut(`${key}/new`, { fields });
          expect(created.decodeFields()).to.deep.equal(fields);
          const updated = await p.atomicPut(`${key}/new`, { fields, previous: created, value: key });
          expect((await p.get(`${key}/new`)).decodeFields()).to.deep.equal(updated.decodeFields());
          const listed = await p.listPage(key);
          expect(listed.keys.map((kv) => kv.decodeFields())).to.deep.include(fields);
        },
      ),
      { numRuns },
    );
    for (const params of sent) {
      for (const name of [
        'UpdateExpression',
        'ConditionExpression',
        'KeyConditionExpression',
        'FilterExpression',
        'ProjectionExpression',
      ]) {
        const expression = (params as unknown as Record<string, string | undefined>)[name];
        if (expression !== undefined) expect(expression, name).to.match(PLACEHOLDERS_ONLY);
      }
    }
    record(
      this,
      `fuzz-fields-${target.name}`,
      `field names and values fuzzed on ${target.name}: writes / fields / requests with only placeholders`,
      `${n * 3} / ${fieldsTried * 3} / ${sent.length}`,
    );
  });
});
