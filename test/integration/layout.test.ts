// The table layout is shared with Go dynastore v1 both ways. Go is not on
// this machine, so its writes are replayed with the raw SDK exactly as Go v1
// builds them (table.go: buildUpdate, updateWithConditions), and its tokens
// are built as compression.go builds them.
import { expect } from 'chai';
import bs58 from 'bs58';
import type DynamoDB from 'aws-sdk/clients/dynamodb';
import { constants, deflateRawSync, gunzipSync } from 'node:zlib';
import {
  readWithLimit,
  writeWithBytes,
  writeWithFields,
  writeWithPreviousKV,
  writeWithString,
  writeWithTTL,
  type Partition,
} from '../../lib';
import { forEachTarget } from '../helpers/sdk';
import { createTable, rawClient } from '../helpers/server';

forEachTarget('data layout compatible with Go dynastore v1', (target) => {
  let ddb: DynamoDB;
  let tableName: string;
  let users: Partition;

  before(async () => {
    const endpoint = await target.server.endpoint();
    ddb = rawClient(endpoint);
    tableName = await createTable(ddb, 'layout');
    users = target.session(endpoint).table(tableName).partition('users');
  });

  const rawGet = async (key: string): Promise<DynamoDB.AttributeMap | undefined> =>
    (
      await ddb
        .getItem({ TableName: tableName, Key: { id: { S: 'users' }, name: { S: key } }, ConsistentRead: true })
        .promise()
    ).Item;

  /** Go's Put: UpdateItem with ADD version and SET payload, fields and expires (expression/builder placeholders). */
  async function goPut(key: string, payload: string, fields: Record<string, string>, expires?: number): Promise<void> {
    const names: Record<string, string> = { '#0': 'version', '#1': 'payload' };
    const values: Record<string, DynamoDB.AttributeValue> = { ':0': { N: '1' }, ':1': { S: payload } };
    const sets = ['#1 = :1'];
    let i = 2;
    for (const [k, v] of Object.entries(fields)) {
      names[`#${i}`] = k;
      values[`:${i}`] = { S: v };
      sets.push(`#${i} = :${i}`);
      i++;
    }
    if (expires !== undefined) {
      names[`#${i}`] = 'expires';
      values[`:${i}`] = { N: String(expires) };
      sets.push(`#${i} = :${i}`);
    }
    await ddb
      .updateItem({
        TableName: tableName,
        Key: { id: { S: 'users' }, name: { S: key } },
        UpdateExpression: `ADD #0 :0 SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      })
      .promise();
  }

  describe('Go writes, TypeScript reads', () => {
    it('reads a Go Put: payload, version, expires and fields', async () => {
      const expires = Math.floor(Date.now() / 1000) + 3600;
      await goPut('go/1', '{"name":"Stax"}', { created: '2020-01-03' }, expires);
      await goPut('go/1', '{"name":"Stax2"}', { created: '2020-01-04' }, expires);
      const kv = await users.get('go/1');
      expect(kv).to.include({ partition: 'users', key: 'go/1', version: 2, expires });
      expect(kv.stringValue()).to.equal('{"name":"Stax2"}');
      expect(kv.decodeFields()).to.deep.equal({ created: '2020-01-04' });
    });

    it("reads Go's WriteWithBytes (standard base64 in S) as bytes", async () => {
      await goPut('go/bytes', Buffer.from([0, 1, 254, 255]).toString('base64'), {});
      expect((await users.get('go/bytes')).bytesValue()).to.deep.equal(Buffer.from([0, 1, 254, 255]));
    });

    it('compares and swaps on a Go-written version', async () => {
      await goPut('go/cas', 'v1', {});
      const kv = await users.get('go/cas');
      const next = await users.atomicPut('go/cas', writeWithString('v2'), writeWithPreviousKV(kv));
      expect(next.version).to.equal(2);
      expect((await rawGet('go/cas'))?.version).to.deep.equal({ N: '2' });
    });

    it('treats a Go item whose expires has passed as absent', async () => {
      await goPut('go/expired', 'old', {}, Math.floor(Date.now() / 1000) - 10);
      expect(await users.exists('go/expired')).to.equal(false);
    });
  });

  describe('TypeScript writes, Go reads', () => {
    it('writes the attributes and types Go decodes: id S, name S, version N, expires N, payload S, fields top-level', async () => {
      await users.put('ts/1', writeWithString('hello'), writeWithFields({ created: '2020' }), writeWithTTL(60_000));
      const item = await rawGet('ts/1');
      expect(Object.keys(item ?? {}).sort()).to.deep.equal(['created', 'expires', 'id', 'name', 'payload', 'version']);
      expect(item?.id).to.deep.equal({ S: 'users' });
      expect(item?.name).to.deep.equal({ S: 'ts/1' });
      expect(item?.version).to.deep.equal({ N: '1' });
      expect(item?.expires?.N).to.match(/^\d+$/);
      expect(item?.payload).to.deep.equal({ S: 'hello' });
      expect(item?.created).to.deep.equal({ S: '2020' });
    });

    it('stores bytes as standard base64 in S, as Go WriteWithBytes does', async () => {
      const bytes = Buffer.from([0xfb, 0xef, 0xff, 0x00, 0x10]);
      await users.put('ts/bytes', writeWithBytes(bytes));
      expect((await rawGet('ts/bytes'))?.payload).to.deep.equal({ S: bytes.toString('base64') });
    });

    it('an atomicPut create writes version 1, as Go AtomicPut does', async () => {
      await users.atomicPut('ts/created', writeWithString('x'));
      expect((await rawGet('ts/created'))?.version).to.deep.equal({ N: '1' });
    });
  });

  describe('paging tokens', () => {
    before(async () => {
      for (let i = 0; i < 5; i++) await users.put(`page/${i}`, writeWithString(String(i)));
    });

    it('continues a real listing from a token made the way Go makes it', async () => {
      const goJson = JSON.stringify({
        id: { B: null, BOOL: null, BS: null, L: null, M: null, N: null, NS: null, NULL: null, S: 'users', SS: null },
        name: { B: null, BOOL: null, BS: null, L: null, M: null, N: null, NS: null, NULL: null, S: 'page/1', SS: null },
      });
      // gzip.NewWriter + Flush, never Close: a sync-flushed stream with no final block and no trailer.
      const header = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);
      const goToken = bs58.encode(
        Buffer.concat([header, deflateRawSync(goJson + '\n', { finishFlush: constants.Z_SYNC_FLUSH })]),
      );
      const page = await users.listPage('page/', { startKey: goToken });
      expect(page.keys.map((k) => k.key)).to.deep.equal(['page/2', 'page/3', 'page/4']);
    });

    it('makes tokens that hold the LastEvaluatedKey DynamoDB returned, in the JSON Go decodes', async () => {
      const page = await users.listPage('page/', readWithLimit(2));
      const rawPage = await ddb
        .query({
          TableName: tableName,
          KeyConditionExpression: '#i = :i AND begins_with(#n, :p)',
          ExpressionAttributeNames: { '#i': 'id', '#n': 'name' },
          ExpressionAttributeValues: { ':i': { S: 'users' }, ':p': { S: 'page/' } },
          Limit: 2,
          ConsistentRead: true,
        })
        .promise();
      const json = JSON.parse(gunzipSync(bs58.decode(page.lastKey as string)).toString('utf8')) as unknown;
      expect(json).to.deep.equal(rawPage.LastEvaluatedKey);
    });
  });
});
