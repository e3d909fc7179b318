// Where dynalite and DynamoDB Local differ, and what the library does about
// it: refuse up front what DynamoDB would refuse, so both behave the same;
// where only the table definition knows (index keys), DynamoDB's refusal
// comes back as REQUEST_FAILED and nothing is written.
import { expect } from 'chai';
import type DynamoDB from 'aws-sdk/clients/dynamodb';
import { writeWithFields, type Partition } from '../../lib';
import { codeOf, rejection } from '../helpers/expect';
import { record } from '../helpers/report';
import { forEachTarget } from '../helpers/sdk';
import { createTable, rawClient } from '../helpers/server';

forEachTarget('server differences', (target) => {
  const server = target.server;
  let ddb: DynamoDB;
  let tableName: string;
  let p: Partition;
  let sent = 0;

  before(async () => {
    const endpoint = await server.endpoint();
    ddb = rawClient(endpoint);
    tableName = await createTable(ddb, 'differences');
    p = target
      .session(endpoint, {
        hooks: {
          requestBuilt: () => {
            sent++;
          },
        },
      })
      .table(tableName)
      .partition('p');
  });

  const raw = async (key: string): Promise<DynamoDB.AttributeMap | undefined> =>
    (
      await ddb
        .getItem({ TableName: tableName, Key: { id: { S: 'p' }, name: { S: key } }, ConsistentRead: true })
        .promise()
    ).Item;

  it('an update of 300 fields is over DynamoDB 4 KB expression limit: INVALID_ARGUMENT, nothing sent (dynalite would take it)', async function () {
    const fields = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`field_number_${i}`, 'v']));
    sent = 0;
    const err = await rejection(p.put('many', writeWithFields(fields)));
    expect(err.code).to.equal('INVALID_ARGUMENT');
    expect(err.message).to.contain('4 KB');
    expect(sent).to.equal(0);
    // A create writes the whole item, with no expression: it takes them.
    expect((await p.atomicPut('many', writeWithFields(fields))).decodeFields()).to.deep.equal(fields);
    // 200 fields fit in one update.
    const fewer = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`field_number_${i}`, 'w']));
    await p.put('many', writeWithFields(fewer));
    record(
      this,
      'diff-expression',
      'server difference: update expressions over 4 KB (dynalite accepts, DynamoDB refuses)',
      'refused before sending',
    );
  });

  it('a field name over 64 KiB: INVALID_ARGUMENT, nothing sent (dynalite would take it)', async function () {
    sent = 0;
    expect(await codeOf(p.put('long-name', writeWithFields({ ['f'.repeat(65536)]: 'v' })))).to.equal(
      'INVALID_ARGUMENT',
    );
    expect(sent).to.equal(0);
    record(
      this,
      'diff-name',
      'server difference: attribute names over 64 KiB (dynalite accepts)',
      'refused before sending',
    );
  });

  it('an empty string as an index key: DynamoDB refuses it and nothing is written; dynalite stores it', async function () {
    const attempt = codeOf(p.put('empty-index', writeWithFields({ created: '' })));
    if (server.name === 'dynamodb-local') {
      expect(await attempt).to.equal('REQUEST_FAILED');
      expect(await raw('empty-index')).to.equal(undefined);
    } else {
      expect(await attempt).to.equal('no error');
      expect((await raw('empty-index'))?.created).to.deep.equal({ S: '' });
    }
    record(
      this,
      'diff-empty-index',
      'server difference: empty index keys (dynalite stores, DynamoDB refuses)',
      'REQUEST_FAILED, nothing written',
    );
  });

  it('ReturnValuesOnConditionCheckFailure: DynamoDB returns the old item, dynalite does not', function () {
    record(
      this,
      'diff-old-item',
      'server difference: old item on a failed condition (dynalite omits it)',
      'one consistent GetItem on that failure path',
    );
    expect(server.returnsOldItem).to.equal(server.name === 'dynamodb-local');
  });
});
