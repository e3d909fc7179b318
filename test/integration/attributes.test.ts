// A table laid out by another tool: hash key `namespace`, range key `key`,
// payload `item` (LaunchDarkly's layout). Every operation must use those
// names, and what is stored must hold exactly them.
import { expect } from 'chai';
import type DynamoDB from 'aws-sdk/clients/dynamodb';
import {
  DynastoreError,
  readWithLimit,
  readWithStartKey,
  writeWithFields,
  writeWithPreviousKV,
  writeWithString,
  writeWithTTL,
  type KVPair,
  type Partition,
  type Table,
} from '../../lib';
import { codeOf } from '../helpers/expect';
import { forEachTarget } from '../helpers/sdk';
import { createTable, rawClient } from '../helpers/server';

const ATTRIBUTES = { partitionKey: 'namespace', sortKey: 'key', value: 'item' } as const;

forEachTarget('tables with other attribute names', (target) => {
  let ddb: DynamoDB;
  let tableName: string;
  let table: Table;
  let p: Partition;
  let now: number;
  let n = 0;

  before(async () => {
    const endpoint = await target.server.endpoint();
    ddb = rawClient(endpoint);
    tableName = await createTable(ddb, 'attributes', { partitionKey: 'namespace', sortKey: 'key' });
    table = target.session(endpoint, { clock: () => now }).table(tableName, { attributes: ATTRIBUTES });
  });

  beforeEach(() => {
    now = Date.UTC(2030, 0, 1);
    p = table.partition(`features${++n}`);
  });

  const raw = async (key: string): Promise<DynamoDB.AttributeMap | undefined> =>
    (
      await ddb
        .getItem({
          TableName: tableName,
          Key: { namespace: { S: p.partitionName }, key: { S: key } },
          ConsistentRead: true,
        })
        .promise()
    ).Item;

  it('put and get store and read the table’s own names', async () => {
    await p.put('flag', writeWithString('{"on":true}'), writeWithFields({ payload: 'a field here', id: 'also' }));
    expect(await raw('flag')).to.deep.equal({
      namespace: { S: p.partitionName },
      key: { S: 'flag' },
      item: { S: '{"on":true}' },
      version: { N: '1' },
      payload: { S: 'a field here' },
      id: { S: 'also' },
    });
    const kv = await p.get('flag');
    expect(kv).to.include({ partition: p.partitionName, key: 'flag', version: 1 });
    expect(kv.stringValue()).to.equal('{"on":true}');
    expect(kv.decodeFields()).to.deep.equal({ payload: 'a field here', id: 'also' });
    expect(await p.exists('flag')).to.equal(true);
    expect(await p.exists('other')).to.equal(false);
    expect(table.attributes).to.deep.equal({ ...ATTRIBUTES, version: 'version', expires: 'expires' });
  });

  it('reserves the table’s names as fields, and refuses bad attribute options', async () => {
    expect(await codeOf(p.put('k', writeWithFields({ item: 'x' })))).to.equal('RESERVED_FIELD');
    expect(await codeOf(p.put('k', writeWithFields({ namespace: 'x' })))).to.equal('RESERVED_FIELD');
    const session = target.session(await target.server.endpoint());
    for (const options of [
      { attributes: { partitionKey: 'a', sortKey: 'a' } },
      { attributes: { value: 'version' } },
      { attributes: { value: '' } },
      { attributes: { other: 'x' } },
      { attributes: 'namespace' },
      { attrs: {} },
    ]) {
      expect(() => session.table(tableName, options as never), JSON.stringify(options))
        .to.throw(DynastoreError)
        .with.property('code', 'INVALID_ARGUMENT');
    }
  });

  it('expiry, listPage with tokens and iterate use the table’s names', async () => {
    for (const k of ['a/1', 'a/2', 'a/3', 'a/4', 'b/1']) await p.put(k, writeWithString(k));
    await p.put('a/5', writeWithTTL(1000));
    now += 5000;
    const keys: string[] = [];
    let page = await p.listPage('a/', readWithLimit(2));
    for (;;) {
      keys.push(...page.keys.map((kv) => kv.key));
      if (page.lastKey === undefined) break;
      page = await p.listPage('a/', readWithLimit(2), readWithStartKey(page.lastKey));
    }
    expect(keys).to.deep.equal(['a/1', 'a/2', 'a/3', 'a/4']);
    const iterated: string[] = [];
    for await (const kv of p.iterate('', readWithLimit(2))) iterated.push(kv.key);
    expect(iterated).to.deep.equal(['a/1', 'a/2', 'a/3', 'a/4', 'b/1']);
    expect(await codeOf(p.get('a/5'))).to.equal('KEY_NOT_FOUND');
  });

  it('atomicPut, atomicDelete and getMany', async () => {
    const created = await p.atomicPut('k', writeWithString('v1'));
    expect(created.version).to.equal(1);
    expect(await codeOf(p.atomicPut('k', writeWithString('again')))).to.equal('KEY_EXISTS');
    const updated = await p.atomicPut('k', writeWithString('v2'), writeWithPreviousKV(created));
    expect(updated).to.include({ version: 2, key: 'k', partition: p.partitionName });
    expect(await codeOf(p.atomicPut('k', writeWithString('v3'), writeWithPreviousKV(created)))).to.equal(
      'KEY_MODIFIED',
    );
    const many = await p.getMany(['k', 'none', 'k']);
    expect(many.map((kv) => kv?.stringValue())).to.deep.equal(['v2', undefined, 'v2']);
    expect(await codeOf(p.atomicDelete('k', created))).to.equal('KEY_MODIFIED');
    expect(await p.atomicDelete('k', updated)).to.equal(true);
    expect(await raw('k')).to.equal(undefined);
  });

  it('locks', async () => {
    const lock = await p.lock('job', { heartbeat: false });
    expect(await p.tryLock('job', { heartbeat: false })).to.equal(undefined);
    const stored = await raw('job');
    expect(stored?.namespace?.S).to.equal(p.partitionName);
    expect(Number(stored?.version?.N)).to.equal(lock.fencingToken);
    expect(await lock.release()).to.equal(true);
    const again = await p.tryLock('job', { heartbeat: false });
    expect(again).to.be.an('object');
    await again?.release();
  });

  it('putIfNewer, putMany and deleteMany', async () => {
    expect((await p.putIfNewer('f', 3, writeWithString('three'))).written).to.equal(true);
    const lost = await p.putIfNewer('f', 2, writeWithString('two'));
    expect(lost.written).to.equal(false);
    expect(lost.pair.stringValue()).to.equal('three');
    expect(
      await p.putMany([
        { key: '$inited', version: 0 },
        { key: 'g', version: 7, value: 'seven' },
      ]),
    ).to.equal(2);
    expect(await raw('$inited')).to.deep.equal({ namespace: { S: p.partitionName }, key: { S: '$inited' } });
    const g: KVPair = await p.get('g');
    expect(g.version).to.equal(7);
    expect(await p.deleteMany(['g', '$inited'])).to.equal(2);
    expect(await raw('g')).to.equal(undefined);
  });
});
