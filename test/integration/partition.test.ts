// Go dynastore v1's integration tests (integration/partition_test.go), ported
// to this API and run against a real dynalite server.
import { expect } from 'chai';
import {
  KVPair,
  operationName,
  readScanIndexForwardDisable,
  readWithGlobalIndex,
  readWithLimit,
  readWithLocalIndex,
  readWithStartKey,
  writeWithBytes,
  writeWithFields,
  writeWithNoExpires,
  writeWithPreviousKV,
  writeWithString,
  writeWithTTL,
  type Partition,
  type Table,
} from '../../lib';
import { codeOf } from '../helpers/expect';
import { forEachTarget } from '../helpers/sdk';
import { createTable, rawClient } from '../helpers/server';

forEachTarget('Go v1 integration tests, ported', (target) => {
  let table: Table;
  let kv: Partition;
  const operations: string[] = [];

  before(async () => {
    const endpoint = await target.server.endpoint();
    const tableName = await createTable(rawClient(endpoint), 'testing-locks');
    const session = target.session(endpoint, {
      hooks: { requestBuilt: (ctx) => void operations.push(operationName(ctx)) },
    });
    table = session.table(tableName);
    kv = table.partition('agent');
  });

  describe('put, get, delete, exists', () => {
    // A large JSON document, like the pull-request payload Go's test stores.
    const value = JSON.stringify({
      action: 'opened',
      number: 2,
      pull_request: { title: 'Update the README with new information', body: 'x'.repeat(20_000), labels: ['a', 'b'] },
    });

    it('a key that was never written is KEY_NOT_FOUND', async () => {
      expect(await codeOf(kv.get('testPutGetDelete_not_exist_key'))).to.equal('KEY_NOT_FOUND');
    });

    for (const key of [
      'testPutGetDeleteExists',
      'testPutGetDeleteExists/',
      'testPutGetDeleteExists/testbar/',
      'testPutGetDeleteExists/testbar/testfoobar',
    ]) {
      it(`round-trips the path-style key ${key} with a TTL`, async () => {
        await kv.put(key, writeWithString(value), writeWithTTL(2000));
        const pair = await kv.get(key);
        expect(pair.stringValue()).to.equal(value);
        expect(pair.expires).to.not.equal(0);
        expect(pair.version).to.not.equal(0);
        expect(await kv.exists(key)).to.equal(true);

        await kv.delete(key);
        expect(await codeOf(kv.get(key))).to.equal('KEY_NOT_FOUND');
        expect(await kv.exists(key)).to.equal(false);
      });
    }

    it('writes without expiry (writeWithNoExpires twice)', async () => {
      const key = 'something/withoutExpires';
      await kv.put(key, writeWithString(value), writeWithNoExpires(), writeWithNoExpires());
      const pair = await kv.get(key);
      expect(pair.stringValue()).to.equal(value);
      expect(pair.expires).to.equal(0);
    });
  });

  it('List', async () => {
    await kv.put('testList/child', writeWithBytes(Buffer.from('first')));
    await kv.put('testList/subfolder', writeWithBytes(Buffer.from('second')));
    for (let i = 1; i <= 3; i++) await kv.put(`testList/subfolder/key${i}`, writeWithBytes(Buffer.from('value')));
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the deprecated Go API, ported on purpose
    const pairs = await kv.list('testList/subfolder/key');
    expect(pairs.map((p) => p.key)).to.deep.equal([
      'testList/subfolder/key1',
      'testList/subfolder/key2',
      'testList/subfolder/key3',
    ]);
    expect(pairs.map((p) => p.bytesValue()?.toString())).to.deep.equal(['value', 'value', 'value']);
  });

  it('ListPage: prefix, everything, limit with reverse order, and a continuation token', async () => {
    const p = table.partition('agent-listpage');
    await p.put('testList/child', writeWithBytes(Buffer.from('first')));
    await p.put('testList/subfolder', writeWithBytes(Buffer.from('second')));
    for (let i = 1; i <= 3; i++) await p.put(`testList/subfolder/key${i}`, writeWithBytes(Buffer.from('value')));
    await p.put('unrelated');

    expect((await p.listPage('testList/subfolder/key')).keys).to.have.length(3);
    const all = await p.listPage('');
    expect(all.keys).to.have.length(6);
    expect(all.lastKey).to.equal(undefined);

    const first = await p.listPage('', readWithLimit(5), readScanIndexForwardDisable());
    expect(first.keys.map((k) => k.key)).to.deep.equal([
      'unrelated',
      'testList/subfolder/key3',
      'testList/subfolder/key2',
      'testList/subfolder/key1',
      'testList/subfolder',
    ]);
    expect(first.lastKey).to.be.a('string');
    const second = await p.listPage('', readWithStartKey(first.lastKey as string), readScanIndexForwardDisable());
    expect(second.keys.map((k) => k.key)).to.deep.equal(['testList/child']);
    expect(second.lastKey).to.equal(undefined);
  });

  it('AtomicPut', async () => {
    const key = 'testAtomicPut';
    await kv.put(key, writeWithBytes(Buffer.from('world')));
    const pair = await kv.get(key);
    expect(pair.bytesValue()).to.deep.equal(Buffer.from('world'));
    expect(pair.version).to.not.equal(0);

    // A create fails: the key exists.
    expect(await codeOf(kv.atomicPut(key, writeWithString('WORLD')))).to.equal('KEY_EXISTS');
    // A compare with the right version succeeds.
    const next = await kv.atomicPut(key, writeWithPreviousKV(pair), writeWithBytes(Buffer.from('WORLD')));
    expect(next.version).to.equal(pair.version + 1);
    expect(next.bytesValue()?.toString()).to.equal('WORLD');
    // A compare with a wrong version fails with KEY_MODIFIED.
    const stale = new KVPair({ partition: pair.partition, key: pair.key, version: 6744 });
    expect(
      await codeOf(kv.atomicPut(key, writeWithPreviousKV(stale), writeWithBytes(Buffer.from('WORLDWORLD')))),
    ).to.equal('KEY_MODIFIED');
  });

  it('AtomicPut with a local index field, listed through the index', async () => {
    const key = 'testAtomicPutLocalIndex';
    const timeStamp = '20200103T1100Z';
    await kv.put(key, writeWithBytes(Buffer.from('world')), writeWithFields({ created: timeStamp }));
    const page = await kv.listPage(timeStamp, readWithLocalIndex('idx_created', 'created'));
    expect(page.keys).to.have.length(1);
    expect(page.keys[0]?.decodeFields<{ created: string }>().created).to.equal(timeStamp);
  });

  it('AtomicPut with global index fields, listed through the index', async () => {
    const username = 'wolfeidau';
    const timeStamp = '20200103T1100Z';
    await table.put(
      'agent',
      'testAtomicPutGlobalIndex',
      writeWithBytes(Buffer.from('world')),
      writeWithFields({ pk1: username, sk1: timeStamp }),
    );
    const page = await table.listPage(username, timeStamp, readWithGlobalIndex('idx_global_1', 'pk1', 'sk1'));
    expect(page.keys).to.have.length(1);
    expect(page.keys[0]?.decodeFields()).to.deep.equal({ pk1: username, sk1: timeStamp });
    expect(page.keys[0]).to.include({ partition: 'agent', key: 'testAtomicPutGlobalIndex' });
  });

  it('AtomicDelete', async () => {
    const key = 'testAtomicDelete';
    await kv.put(key, writeWithBytes(Buffer.from('world')));
    const pair = await kv.get(key);
    expect(pair.bytesValue()).to.deep.equal(Buffer.from('world'));

    // The wrong version fails.
    expect(await codeOf(kv.atomicDelete(key, { partition: pair.partition, key: pair.key, version: 6744 }))).to.equal(
      'KEY_MODIFIED',
    );
    // The right version deletes.
    expect(await kv.atomicDelete(key, pair)).to.equal(true);
    // A key no longer there is KEY_NOT_FOUND.
    expect(await codeOf(kv.atomicDelete(key, pair))).to.equal('KEY_NOT_FOUND');
  });

  // Mocha runs a suite's own tests before its nested suites: this one runs last.
  describe('afterwards', () => {
    it('the hooks saw every request under its Go operation name', () => {
      expect(new Set(operations)).to.deep.equal(
        new Set(['Get', 'Put', 'Exists', 'Delete', 'List', 'ListPage', 'AtomicPut', 'AtomicDelete']),
      );
    });
  });
});
