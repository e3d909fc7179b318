// API.md's semantics table, row by row, and each place it deliberately
// differs from Go v1, against a real dynalite server. Expiry is driven by an
// injected clock, so nothing sleeps.
import { expect } from 'chai';
import type DynamoDB from 'aws-sdk/clients/dynamodb';
import {
  DynastoreError,
  readConsistentDisable,
  readWithGlobalIndex,
  readWithLimit,
  readWithLocalIndex,
  writeWithAttributeValue,
  writeWithFields,
  writeWithKeepTTL,
  writeWithNoExpires,
  writeWithPreviousKV,
  writeWithString,
  writeWithTTL,
  marshalStruct,
  unmarshalStruct,
  type KVPair,
  type Partition,
  type RequestParams,
  type Table,
} from '../../lib';
import { codeOf, rejection } from '../helpers/expect';
import { forEachTarget } from '../helpers/sdk';
import { createTable, rawClient } from '../helpers/server';

async function collect(it: AsyncIterable<KVPair>): Promise<string[]> {
  const keys: string[] = [];
  for await (const kv of it) keys.push(kv.key);
  return keys;
}

forEachTarget('API.md semantics', (target) => {
  const server = target.server;
  let endpoint: string;
  let ddb: DynamoDB;
  let tableName: string;
  let table: Table;
  let now: number;
  const sent: RequestParams[] = [];
  let p: Partition;
  let n = 0;

  before(async () => {
    endpoint = await server.endpoint();
    ddb = rawClient(endpoint);
    tableName = await createTable(ddb, 'semantics');
  });

  beforeEach(() => {
    now = Date.UTC(2030, 0, 1);
    sent.length = 0;
    const session = target.session(endpoint, {
      clock: () => now,
      hooks: { requestBuilt: (_ctx, params) => void sent.push(params) },
    });
    table = session.table(tableName);
    // A fresh partition per test keeps tests apart.
    p = table.partition(`p${++n}`);
  });

  const raw = async (key: string): Promise<DynamoDB.AttributeMap | undefined> =>
    (
      await ddb
        .getItem({ TableName: tableName, Key: { id: { S: p.partitionName }, name: { S: key } }, ConsistentRead: true })
        .promise()
    ).Item;

  describe('put', () => {
    it('upserts: version 1, then +1 per write; given value and fields replace, others stay', async () => {
      await p.put('k', writeWithString('v1'), writeWithFields({ a: '1', b: '2' }));
      expect(await raw('k')).to.deep.equal({
        id: { S: p.partitionName },
        name: { S: 'k' },
        version: { N: '1' },
        payload: { S: 'v1' },
        a: { S: '1' },
        b: { S: '2' },
      });
      await p.put('k', writeWithFields({ b: '3' }));
      const kv = await p.get('k');
      expect(kv.version).to.equal(2);
      expect(kv.stringValue()).to.equal('v1');
      expect(kv.decodeFields()).to.deep.equal({ a: '1', b: '3' });
      expect(sent.filter((s) => 'UpdateExpression' in s)).to.have.length(2);
    });

    it('every write sets or removes expires', async () => {
      await p.put('k', writeWithTTL(10_000));
      expect((await raw('k'))?.expires).to.deep.equal({ N: String(now / 1000 + 10) });
      await p.put('k', writeWithString('no ttl now'));
      expect(await raw('k')).to.not.have.property('expires');
      await p.put('k', writeWithTTL(1));
      expect((await raw('k'))?.expires).to.deep.equal({ N: String(now / 1000 + 1) });
      await p.put('k', writeWithNoExpires());
      expect(await raw('k')).to.not.have.property('expires');
    });

    it('returns the item as stored, which works as previous for a compare-and-swap', async () => {
      const first = await p.put('k', writeWithString('v1'), writeWithFields({ a: '1' }), writeWithTTL(60_000));
      expect([first.partition, first.key, first.version, first.stringValue(), first.expires]).to.deep.equal([
        p.partitionName,
        'k',
        1,
        'v1',
        now / 1000 + 60,
      ]);
      expect(first.decodeFields()).to.deep.equal({ a: '1' });
      // Fields the write did not give are in the pair too: it is the whole item.
      const second = await p.put('k', writeWithString('v2'));
      expect([second.version, second.stringValue(), second.expires]).to.deep.equal([2, 'v2', 0]);
      expect(second.decodeFields()).to.deep.equal({ a: '1' });
      expect(await rejection(p.atomicPut('k', writeWithString('v3'), writeWithPreviousKV(first)))).to.have.property(
        'code',
        'KEY_MODIFIED',
      );
      const third = await p.atomicPut('k', writeWithString('v3'), writeWithPreviousKV(second));
      expect(third.version).to.equal(3);
      expect(sent.filter((r) => 'UpdateExpression' in r).map((r) => r.ReturnValues)).to.deep.equal([
        'ALL_NEW',
        'ALL_NEW',
        'ALL_NEW',
        'ALL_NEW',
      ]);
    });

    it('keepTtl: a write keeps the stored expiry instead of removing it', async () => {
      await p.put('k', writeWithString('v1'), writeWithTTL(60_000));
      const kept = await p.put('k', writeWithString('v2'), writeWithKeepTTL());
      expect([kept.version, kept.stringValue(), kept.expires]).to.deep.equal([2, 'v2', now / 1000 + 60]);
      expect((await raw('k'))?.expires).to.deep.equal({ N: String(now / 1000 + 60) });
      // The same through atomicPut with previous, spelt as a plain option.
      const swapped = await p.atomicPut('k', { value: 'v3', keepTtl: true, previous: kept });
      expect([swapped.version, swapped.expires]).to.deep.equal([3, now / 1000 + 60]);
      // Without it, the expiry goes, as before.
      expect((await p.put('k', writeWithString('v4'))).expires).to.equal(0);
      // Nothing to keep: the item never expires.
      expect((await p.put('k', writeWithKeepTTL())).expires).to.equal(0);
      expect((await p.put('new', writeWithString('x'), writeWithKeepTTL())).expires).to.equal(0);
      expect((await p.atomicPut('created', writeWithString('x'), writeWithKeepTTL())).expires).to.equal(0);
      expect(await raw('new')).to.not.have.property('expires');
    });

    it('keepTtl on an expired item: replaced whole at version 1, and its old expiry is not kept', async () => {
      await p.put('k', writeWithString('old'), writeWithTTL(1000));
      now += 5000;
      const kv = await p.put('k', writeWithString('new'), writeWithKeepTTL());
      expect([kv.version, kv.stringValue(), kv.expires]).to.deep.equal([1, 'new', 0]);
      expect((await p.get('k')).expires).to.equal(0);
    });

    it('ttl and keepTtl are one setting: a later option wins; both in one object is INVALID_ARGUMENT', async () => {
      await p.put('a', writeWithTTL(60_000));
      expect((await p.put('a', writeWithTTL(30_000), writeWithKeepTTL())).expires).to.equal(now / 1000 + 60);
      expect((await p.put('a', writeWithKeepTTL(), writeWithTTL(120_000))).expires).to.equal(now / 1000 + 120);
      expect((await p.put('a', writeWithKeepTTL(), writeWithNoExpires())).expires).to.equal(0);
      // keepTtl: false is the expiry setting too: it removes the expiry, as no ttl does.
      expect((await p.put('b', { ttl: 60_000 }, { keepTtl: false })).expires).to.equal(0);
      expect((await p.put('b', { keepTtl: false, ttl: 60_000 })).expires).to.equal(now / 1000 + 60);
      sent.length = 0;
      for (const attempt of [
        p.put('a', { ttl: 1000, keepTtl: true }),
        p.put('a', { keepTtl: 'yes' as unknown as boolean }),
        table.putIfNewer(p.partitionName, 'a', 5, { keepTtl: true } as never),
      ]) {
        expect(await rejection(attempt)).to.have.property('code', 'INVALID_ARGUMENT');
      }
      expect(sent).to.deep.equal([]);
    });

    it('an expired item is absent: put replaces it whole, at version 1 without its old fields', async () => {
      await p.put('k', writeWithString('old'), writeWithFields({ stale: 'yes' }), writeWithTTL(1000));
      await p.put('k', writeWithString('old again'), writeWithTTL(1000));
      now += 5000;
      await p.put('k', writeWithFields({ fresh: 'yes' }));
      const kv = await p.get('k');
      expect(kv.version).to.equal(1);
      expect(kv.value).to.equal(undefined);
      expect(kv.decodeFields()).to.deep.equal({ fresh: 'yes' });
      expect(kv.expires).to.equal(0);
    });
  });

  describe('an expired item is absent everywhere', () => {
    beforeEach(async () => {
      await p.put('a/live', writeWithString('x'));
      await p.put('a/dying', writeWithString('y'), writeWithTTL(1000), writeWithFields({ created: 'c1' }));
      await p.put('a/later', writeWithString('z'), writeWithTTL(60_000), writeWithFields({ created: 'c2' }));
      now += 1000; // exactly at expiry: expired
    });

    it('get: KEY_NOT_FOUND; exists: false', async () => {
      expect(await codeOf(p.get('a/dying'))).to.equal('KEY_NOT_FOUND');
      expect(await p.exists('a/dying')).to.equal(false);
      expect((await p.get('a/later')).stringValue()).to.equal('z');
      expect(await p.exists('a/later')).to.equal(true);
      // The item is still stored; only the clock says it is gone.
      expect(await raw('a/dying')).to.not.equal(undefined);
    });

    it('listPage, iterate and list skip it, on the table and on an index', async () => {
      expect((await p.listPage('a/')).keys.map((k) => k.key)).to.deep.equal(['a/later', 'a/live']);
      expect(await collect(p.iterate('a/', readWithLimit(1)))).to.deep.equal(['a/later', 'a/live']);
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- the deprecated Go API
      expect((await p.list('a/')).map((k) => k.key)).to.deep.equal(['a/later', 'a/live']);
      expect(
        (await p.listPage('c', readWithLocalIndex('idx_created', 'created'))).keys.map((k) => k.key),
      ).to.deep.equal(['a/later']);
    });

    it('list of only expired items is KEY_NOT_FOUND', async () => {
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- the deprecated Go API
      expect(await codeOf(p.list('a/dying'))).to.equal('KEY_NOT_FOUND');
    });

    it('atomicPut without previous replaces it, as a new item', async () => {
      const kv = await p.atomicPut('a/dying', writeWithString('reborn'));
      expect(kv).to.include({ version: 1, expires: 0 });
      expect((await p.get('a/dying')).decodeFields()).to.deep.equal({});
    });

    it('atomicPut and atomicDelete with previous: KEY_NOT_FOUND', async () => {
      const raw1 = await raw('a/dying');
      const previous = { version: Number(raw1?.version?.N) };
      expect(await codeOf(p.atomicPut('a/dying', writeWithPreviousKV(previous)))).to.equal('KEY_NOT_FOUND');
      expect(await codeOf(p.atomicDelete('a/dying', previous))).to.equal('KEY_NOT_FOUND');
    });

    it('atomicDelete without previous: false, and the leftover is cleaned up', async () => {
      expect(await p.atomicDelete('a/dying')).to.equal(false);
      expect(await raw('a/dying')).to.equal(undefined);
    });
  });

  describe('atomicPut', () => {
    it('creates, then KEY_EXISTS on a live item', async () => {
      const created = await p.atomicPut('k', writeWithString('v1'), writeWithTTL(60_000));
      expect(created).to.include({ partition: p.partitionName, key: 'k', version: 1, expires: now / 1000 + 60 });
      expect(await p.get('k')).to.deep.equal(created);
      expect(await codeOf(p.atomicPut('k', writeWithString('again')))).to.equal('KEY_EXISTS');
      expect((await p.get('k')).stringValue()).to.equal('v1');
    });

    it('with previous: succeeds on the stored version, returns the new pair; KEY_MODIFIED on a stale one', async () => {
      const v1 = await p.atomicPut('k', writeWithString('v1'), writeWithFields({ a: '1' }));
      const v2 = await p.atomicPut('k', writeWithString('v2'), writeWithPreviousKV(v1));
      expect(v2).to.include({ version: 2 });
      expect(v2.stringValue()).to.equal('v2');
      expect(v2.decodeFields()).to.deep.equal({ a: '1' });
      expect(await codeOf(p.atomicPut('k', writeWithString('v3'), writeWithPreviousKV(v1)))).to.equal('KEY_MODIFIED');
      expect((await p.get('k')).stringValue()).to.equal('v2');
    });

    it('with previous on an absent key: KEY_NOT_FOUND, and nothing is created', async () => {
      expect(await codeOf(p.atomicPut('never', writeWithPreviousKV({ version: 1 })))).to.equal('KEY_NOT_FOUND');
      expect(await raw('never')).to.equal(undefined);
    });

    it('tells KEY_MODIFIED by the old item the server returns, or by one consistent read where it returns none', async () => {
      const v1 = await p.atomicPut('k');
      await p.put('k');
      sent.length = 0;
      expect(await codeOf(p.atomicPut('k', writeWithPreviousKV(v1)))).to.equal('KEY_MODIFIED');
      const commands = sent.map((s) => ('UpdateExpression' in s ? 'UpdateItem' : 'GetItem'));
      // DynamoDB Local honours ReturnValuesOnConditionCheckFailure, as AWS does; dynalite ignores it.
      expect(commands).to.deep.equal(server.returnsOldItem ? ['UpdateItem'] : ['UpdateItem', 'GetItem']);
      if (!server.returnsOldItem) expect(sent[1]).to.include({ ConsistentRead: true });
    });

    it('success paths are one request each', async () => {
      const v1 = await p.atomicPut('k');
      await p.atomicPut('k', writeWithPreviousKV(v1));
      await p.put('k');
      await p.get('k');
      await p.exists('k');
      await p.listPage('');
      await p.atomicDelete('k', await p.get('k'));
      await p.atomicDelete('k');
      await p.delete('k');
      expect(sent).to.have.length(10); // nine operations, one of them a get to learn the version
    });

    it('stores any attribute value: a marshalled struct', async () => {
      const customer = { name: 'welcome', tags: ['a'], visits: 2 };
      const kv = await p.atomicPut('c', writeWithAttributeValue(marshalStruct(customer)));
      expect(unmarshalStruct(kv.value)).to.deep.equal(customer);
      expect((await p.get('c')).decodeValue()).to.deep.equal(customer);
    });
  });

  describe('atomicDelete', () => {
    it('without previous: false when absent; KEY_EXISTS when live, and the item stays', async () => {
      expect(await p.atomicDelete('k')).to.equal(false);
      await p.put('k');
      expect(await codeOf(p.atomicDelete('k'))).to.equal('KEY_EXISTS');
      expect(await p.exists('k')).to.equal(true);
    });

    it('with previous: true once, then KEY_NOT_FOUND; KEY_MODIFIED on a stale version', async () => {
      const v1 = await p.atomicPut('k');
      await p.put('k');
      expect(await codeOf(p.atomicDelete('k', v1))).to.equal('KEY_MODIFIED');
      const v2 = await p.get('k');
      expect(await p.atomicDelete('k', v2)).to.equal(true);
      expect(await codeOf(p.atomicDelete('k', v2))).to.equal('KEY_NOT_FOUND');
    });
  });

  describe('getMany', () => {
    it('reads 250 keys, live ones found, absent and expired ones undefined, in input order', async () => {
      for (let i = 0; i < 240; i++)
        await p.put(`m/${i}`, writeWithString(String(i)), i % 10 === 0 ? writeWithTTL(1000) : {});
      now += 1000; // every tenth item has expired
      const keys = [...Array.from({ length: 250 }, (_, i) => `m/${i}`), 'm/7', 'm/0'];
      sent.length = 0;
      const pairs = await p.getMany(keys);
      expect(pairs).to.have.length(252);
      pairs.forEach((kv, at) => {
        const i = Number(keys[at]?.slice(2));
        if (i >= 240 || i % 10 === 0) expect(kv, keys[at]).to.equal(undefined);
        else expect(kv?.stringValue(), keys[at]).to.equal(String(i));
      });
      expect(sent).to.have.length(3);
    });
  });

  describe('delete', () => {
    it('is unconditional and quiet when absent', async () => {
      await p.delete('never-there');
      await p.put('k');
      await p.delete('k');
      expect(await p.exists('k')).to.equal(false);
    });
  });

  describe('listPage and iterate', () => {
    beforeEach(async () => {
      for (let i = 0; i < 7; i++) {
        await p.put(
          `item/${i}`,
          writeWithString(`v${i}`),
          writeWithFields({ created: `2020-0${i}`, pk1: `owner-${p.partitionName}`, sk1: `s${i}` }),
        );
      }
      await p.put('other/1');
    });

    it('follows lastKey to the end, then lastKey is undefined', async () => {
      const keys: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await p.listPage('item/', readWithLimit(3), { startKey: token });
        keys.push(...page.keys.map((k) => k.key));
        token = page.lastKey;
        pages++;
      } while (token !== undefined);
      expect(keys).to.deep.equal([0, 1, 2, 3, 4, 5, 6].map((i) => `item/${i}`));
      expect(pages).to.equal(3);
    });

    it('pages through a local index with its tokens', async () => {
      const first = await p.listPage('2020', readWithLocalIndex('idx_created', 'created'), readWithLimit(4));
      expect(first.keys).to.have.length(4);
      const rest = await p.listPage('2020', readWithLocalIndex('idx_created', 'created'), readWithLimit(4), {
        startKey: first.lastKey,
      });
      expect([...first.keys, ...rest.keys].map((k) => k.decodeFields<{ created: string }>().created)).to.deep.equal(
        [0, 1, 2, 3, 4, 5, 6].map((i) => `2020-0${i}`),
      );
    });

    it('pages through a global index with its tokens, and never reads it consistently', async () => {
      const gsi = readWithGlobalIndex('idx_global_1', 'pk1', 'sk1');
      const owner = `owner-${p.partitionName}`;
      const keys = await collect(table.iterate(owner, 's', gsi, readWithLimit(2)));
      expect(keys).to.deep.equal([0, 1, 2, 3, 4, 5, 6].map((i) => `item/${i}`));
      expect(sent.filter((s) => 'IndexName' in s).every((s) => !('ConsistentRead' in s))).to.equal(true);
    });

    it('refuses tokens of another partition, prefix or index, before any request', async () => {
      const { lastKey } = await p.listPage('item/', readWithLimit(2));
      const other = table.partition('elsewhere');
      const gsi = await table.listPage(
        `owner-${p.partitionName}`,
        's',
        readWithGlobalIndex('idx_global_1', 'pk1', 'sk1'),
        readWithLimit(2),
      );
      sent.length = 0;
      expect(await codeOf(other.listPage('item/', { startKey: lastKey }))).to.equal('INVALID_TOKEN');
      expect(await codeOf(p.listPage('other/', { startKey: lastKey }))).to.equal('INVALID_TOKEN');
      expect(
        await codeOf(p.listPage('', readWithLocalIndex('idx_created', 'created'), { startKey: lastKey })),
      ).to.equal('INVALID_TOKEN');
      expect(await codeOf(p.listPage('', { startKey: gsi.lastKey }))).to.equal('INVALID_TOKEN');
      expect(await codeOf(p.listPage('', { startKey: 'garbage' }))).to.equal('INVALID_TOKEN');
      expect(() => p.iterate('', { startKey: 'garbage' })).to.throw(DynastoreError);
      expect(sent).to.have.length(0);
    });

    it('a session with a tokenSecret pages with signed tokens, and refuses them elsewhere', async () => {
      const signing = target.session(endpoint, { clock: () => now, tokenSecret: 'a secret of at least 16 bytes' });
      const sp = signing.table(tableName).partition(p.partitionName);
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await sp.listPage('item/', readWithLimit(3), { startKey: token });
        if (page.lastKey !== undefined) expect(page.lastKey).to.contain('.');
        keys.push(...page.keys.map((k) => k.key));
        token = page.lastKey;
      } while (token !== undefined);
      expect(keys).to.have.length(7);
      const { lastKey } = await sp.listPage('item/', readWithLimit(3));
      expect(await codeOf(p.listPage('item/', { startKey: lastKey }))).to.equal('INVALID_TOKEN');
      expect(
        await codeOf(sp.listPage('item/', { startKey: (await p.listPage('item/', readWithLimit(3))).lastKey })),
      ).to.equal('INVALID_TOKEN');
    });

    it('iterate makes ceil(N/L) requests, plus at most one', async () => {
      sent.length = 0;
      expect(await collect(p.iterate('item/', readWithLimit(3)))).to.have.length(7);
      expect(sent.length).to.be.within(3, 4);
      sent.length = 0;
      expect(await collect(p.iterate('item/', readWithLimit(7)))).to.have.length(7);
      expect(sent.length).to.be.within(1, 2);
    });

    it('iterate is lazy: breaking out stops the requests', async () => {
      sent.length = 0;
      for await (const kv of p.iterate('item/', readWithLimit(2))) {
        if (kv.key === 'item/1') break;
      }
      expect(sent).to.have.length(1);
    });

    it('readConsistentDisable sends an eventually consistent read', async () => {
      await p.get('item/1', readConsistentDisable());
      expect(sent.at(-1)).to.include({ ConsistentRead: false });
    });
  });

  it('stores and reads unicode keys and values verbatim', async () => {
    const key = 'ユーザー/😀/é';
    await p.put(key, writeWithString('値 😀'), writeWithFields({ 'field with spaces #:.': 'ok' }));
    const kv = await p.get(key);
    expect(kv.key).to.equal(key);
    expect(kv.stringValue()).to.equal('値 😀');
    expect(kv.decodeFields()).to.deep.equal({ 'field with spaces #:.': 'ok' });
    expect((await p.listPage('ユーザー/')).keys.map((k) => k.key)).to.deep.equal([key]);
  });
});
