// Directory listing (listPage with a delimiter, iterateChildren) and
// deleteTree against real servers, on both SDKs: S3 ListObjectsV2 semantics,
// paging, both directions, a local index, expired items, and the bound on
// what a listing reads: subtrees are skipped, not read.
import { expect } from 'chai';
import type DynamoDB from 'aws-sdk/clients/dynamodb';
import {
  readScanIndexForwardDisable,
  readWithLocalIndex,
  type KVPairPage,
  type Partition,
  type ReadOptions,
  type RequestContext,
  type RequestOutcome,
  type TreeEntry,
} from '../../lib';
import { rejection } from '../helpers/expect';
import { forEachTarget } from '../helpers/sdk';
import { createTable, rawClient } from '../helpers/server';

/** Every entry of a directory listing, page by page: items as their key, directories as `dir:` + prefix. */
async function listAll(p: Partition, prefix: string, ...options: ReadOptions[]): Promise<string[]> {
  const entries: string[] = [];
  let startKey: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page: KVPairPage = await p.listPage(prefix, { delimiter: '/' }, ...options, startKey ? { startKey } : {});
    entries.push(...page.keys.map((kv) => kv.key), ...(page.prefixes ?? []).map((d) => `dir:${d}`));
    if (page.lastKey === undefined) return entries;
    startKey = page.lastKey;
  }
  throw new Error('too many pages');
}

const show = (e: TreeEntry): string => (e.type === 'item' ? e.pair.key : `dir:${e.prefix}`);

forEachTarget('directory listing and deleteTree', (target) => {
  let ddb: DynamoDB;
  let endpoint: string;
  let tableName: string;
  let n = 0;
  const requests: { ctx: RequestContext; outcome: RequestOutcome }[] = [];
  const hooks = {
    requestCompleted: (ctx: RequestContext, outcome: RequestOutcome): void => void requests.push({ ctx, outcome }),
  };
  const reads = (): { requests: number; items: number } => ({
    requests: requests.length,
    items: requests.reduce((sum, r) => sum + (r.outcome.itemCount ?? 0), 0),
  });

  before(async () => {
    endpoint = await target.server.endpoint();
    ddb = rawClient(endpoint);
    tableName = await createTable(ddb, 'tree');
  });

  beforeEach(() => {
    requests.length = 0;
  });

  const partition = (options: { tokenSecret?: string } = {}): Partition =>
    target
      .session(endpoint, { hooks, ...options })
      .table(tableName)
      .partition(`p${++n}`);

  /** An item that expired long ago, written raw (DynamoDB's TTL sweep never runs on a test server). */
  const putExpired = (p: Partition, key: string): Promise<unknown> =>
    ddb
      .putItem({
        TableName: tableName,
        Item: { id: { S: p.partitionName }, name: { S: key }, version: { N: '1' }, expires: { N: '1000' } },
      })
      .promise();

  const keys = (list: string[]): { key: string; fields: { created: string } }[] =>
    list.map((key) => ({ key, fields: { created: key } }));

  const TREE = [
    'docs/',
    'docs/a.txt',
    'docs/b.txt',
    'docs/x/1',
    'docs/x/y/2',
    'docs/x/z',
    'docs/z/3',
    'docs.txt',
    'docsx',
    'other/1',
  ];

  async function tree(): Promise<Partition> {
    const p = partition();
    await p.putMany(keys(TREE));
    await putExpired(p, 'docs/c.txt');
    await putExpired(p, 'docs/gone/1');
    await putExpired(p, 'docs/gone/2');
    requests.length = 0;
    return p;
  }

  it('lists the items directly under a prefix and each child directory once, like S3', async () => {
    const p = await tree();
    const page = await p.listPage('docs/', { delimiter: '/' });
    expect(page.keys.map((kv) => kv.key)).to.deep.equal(['docs/', 'docs/a.txt', 'docs/b.txt']);
    expect(page.prefixes).to.deep.equal(['docs/x/', 'docs/z/']);
    expect(page.lastKey).to.equal(undefined);
    expect(requests.every((r) => r.ctx.operation === 'ListPage' && r.ctx.command === 'Query')).to.equal(true);

    const root = await p.listPage('', { delimiter: '/' });
    expect(root.keys.map((kv) => kv.key)).to.deep.equal(['docs.txt', 'docsx']);
    expect(root.prefixes).to.deep.equal(['docs/', 'other/']);
    // A prefix that is no directory boundary, as in S3.
    const partial = await p.listPage('docs', { delimiter: '/' });
    expect(partial.keys.map((kv) => kv.key)).to.deep.equal(['docs.txt', 'docsx']);
    expect(partial.prefixes).to.deep.equal(['docs/']);
  });

  it('lists in descending order too', async () => {
    const p = await tree();
    const page = await p.listPage('docs/', { delimiter: '/' }, readScanIndexForwardDisable());
    expect(page.keys.map((kv) => kv.key)).to.deep.equal(['docs/b.txt', 'docs/a.txt', 'docs/']);
    expect(page.prefixes).to.deep.equal(['docs/z/', 'docs/x/']);
    expect(await listAll(p, 'docs/', readScanIndexForwardDisable(), { limit: 1 })).to.deep.equal([
      'dir:docs/z/',
      'dir:docs/x/',
      'docs/b.txt',
      'docs/a.txt',
      'docs/',
    ]);
  });

  it('pages by entries: limit bounds items plus prefixes, each directory listed once, plain and signed tokens', async () => {
    const expected = ['docs/', 'docs/a.txt', 'docs/b.txt', 'dir:docs/x/', 'dir:docs/z/'];
    for (const tokenSecret of [undefined, 'a secret of 16 bytes or more']) {
      const p = partition(tokenSecret === undefined ? {} : { tokenSecret });
      await p.putMany(keys(TREE));
      for (const limit of [1, 2, 3, 4, 5]) {
        let pages = 0;
        let startKey: string | undefined;
        const seen: string[] = [];
        do {
          const page = await p.listPage('docs/', { delimiter: '/', limit }, startKey ? { startKey } : {});
          expect(page.keys.length + (page.prefixes?.length ?? 0)).to.be.at.most(limit);
          seen.push(...page.keys.map((kv) => kv.key), ...(page.prefixes ?? []).map((d) => `dir:${d}`));
          startKey = page.lastKey;
          pages++;
        } while (startKey !== undefined);
        expect(seen.sort()).to.deep.equal([...expected].sort(), `limit ${limit}`);
        expect(pages).to.be.at.most(Math.ceil(expected.length / limit) + 1);
      }
    }
  });

  it('iterateChildren yields items and directories in key order', async () => {
    const p = await tree();
    const entries: string[] = [];
    for await (const e of p.iterateChildren('docs/', { delimiter: '/' })) entries.push(show(e));
    expect(entries).to.deep.equal(['docs/', 'docs/a.txt', 'docs/b.txt', 'dir:docs/x/', 'dir:docs/z/']);
    const fromDefault: string[] = [];
    for await (const e of p.iterateChildren('docs/x/', { limit: 1 })) fromDefault.push(show(e));
    expect(fromDefault).to.deep.equal(['docs/x/1', 'dir:docs/x/y/', 'docs/x/z']);
  });

  it('never shows an expired item, nor a directory whose items have all expired', async () => {
    const p = await tree();
    const all = await listAll(p, 'docs/');
    expect(all).to.not.include('docs/c.txt');
    expect(all).to.not.include('dir:docs/gone/');
    // A directory with a live item after expired ones appears.
    await putExpired(p, 'docs/m/0');
    await p.put('docs/m/1');
    expect(await listAll(p, 'docs/')).to.include('dir:docs/m/');
  });

  it('takes any delimiter, and skips subtrees whose keys hold the largest code points', async () => {
    const p = partition();
    await p.putMany(
      keys(['a::b', 'a::c::d', 'a::c::\u{10FFFF}\u{10FFFF}', 'a::c::\uFFFF', 'a::c\u{10FFFF}', 'a::e::1', 'a::f']),
    );
    const page = await p.listPage('a::', { delimiter: '::' });
    expect(page.keys.map((kv) => kv.key)).to.deep.equal(['a::b', 'a::c\u{10FFFF}', 'a::f']);
    expect(page.prefixes).to.deep.equal(['a::c::', 'a::e::']);
    const paged: string[] = [];
    let startKey: string | undefined;
    do {
      const next: KVPairPage = await p.listPage('a::', { delimiter: '::', limit: 1 }, startKey ? { startKey } : {});
      paged.push(...next.keys.map((kv) => kv.key), ...(next.prefixes ?? []));
      startKey = next.lastKey;
    } while (startKey !== undefined);
    expect(paged).to.deep.equal(['a::b', 'a::c::', 'a::c\u{10FFFF}', 'a::e::', 'a::f']);
  });

  it('lists from a local index whose sort key is path-like', async () => {
    const p = partition();
    // The index sorts by `created`, here another path for the same item.
    await p.putMany(TREE.map((key, i) => ({ key: `k${i}`, fields: { created: key } })));
    const index = readWithLocalIndex('idx_created', 'created');
    const page = await p.listPage('docs/', { delimiter: '/' }, index);
    expect(page.keys.map((kv) => kv.fields.created?.S)).to.deep.equal(['docs/', 'docs/a.txt', 'docs/b.txt']);
    expect(page.prefixes).to.deep.equal(['docs/x/', 'docs/z/']);
    const back = await p.listPage('docs/', { delimiter: '/' }, index, readScanIndexForwardDisable());
    expect(back.prefixes).to.deep.equal(['docs/z/', 'docs/x/']);
    const paged: string[] = [];
    let startKey: string | undefined;
    do {
      const next: KVPairPage = await p.listPage(
        'docs/',
        { delimiter: '/', limit: 1 },
        index,
        startKey ? { startKey } : {},
      );
      paged.push(...next.keys.map((kv) => kv.fields.created?.S ?? ''), ...(next.prefixes ?? []));
      startKey = next.lastKey;
    } while (startKey !== undefined);
    expect(paged).to.deep.equal(['docs/', 'docs/a.txt', 'docs/b.txt', 'docs/x/', 'docs/z/']);
  });

  it('does not read subtrees: 2 files and directories of 1,000 and 500 items in under 20 requests, under 300 items', async function () {
    this.timeout(120_000);
    const p = partition();
    const big = Array.from({ length: 1000 }, (_, i) => `d/big/${String(i).padStart(4, '0')}`);
    const small = Array.from({ length: 500 }, (_, i) => `d/small/${String(i).padStart(4, '0')}`);
    await p.putMany(keys(['d/1.txt', 'd/2.txt', ...big, ...small]));
    for (const direction of [[], [readScanIndexForwardDisable()]]) {
      requests.length = 0;
      const page = await p.listPage('d/', { delimiter: '/' }, ...direction);
      expect(page.keys.map((kv) => kv.key).sort()).to.deep.equal(['d/1.txt', 'd/2.txt']);
      expect([...(page.prefixes ?? [])].sort()).to.deep.equal(['d/big/', 'd/small/']);
      const { requests: count, items } = reads();
      console.log(`      bound [${target.server.name}, ${target.sdk}]: ${count} requests, ${items} items`);
      expect(count).to.be.below(20);
      expect(items).to.be.below(300);
    }
  });

  it('bench: 10 directories of 1,000 items and 5 files, against a plain prefix listing', async function () {
    this.timeout(300_000);
    const p = partition();
    const files = Array.from({ length: 5 }, (_, i) => `b/file${i}`);
    const dirs = Array.from({ length: 10 }, (_, d) =>
      Array.from({ length: 1000 }, (_, i) => `b/dir${d}/${String(i).padStart(4, '0')}`),
    );
    await p.putMany(keys([...files, ...dirs.flat()]));
    requests.length = 0;
    const page = await p.listPage('b/', { delimiter: '/' });
    expect(page.keys).to.have.length(5);
    expect(page.prefixes).to.have.length(10);
    const tree = reads();
    requests.length = 0;
    let count = 0;
    for await (const kv of p.iterate('b/')) count += kv.key.length > 0 ? 1 : 0;
    expect(count).to.equal(10_005);
    const plain = reads();
    console.log(
      `      bench [${target.server.name}, ${target.sdk}]: delimiter ${tree.requests} requests, ${tree.items} items; plain ${plain.requests} requests, ${plain.items} items`,
    );
    expect(tree.requests).to.be.at.most(15);
    expect(tree.items).to.be.below(300);
  });

  it('deleteTree deletes every item under the prefix, expired ones included, and nothing else', async () => {
    const p = await tree();
    const progress: number[] = [];
    expect(await p.deleteTree('docs/', { onProgress: (deleted) => void progress.push(deleted) })).to.equal(10);
    expect(progress.at(-1)).to.equal(10);
    expect(requests.every((r) => r.ctx.operation === 'DeleteTree')).to.equal(true);
    expect(requests.map((r) => r.ctx.command)).to.include.members(['Query', 'BatchWriteItem']);
    const left = await ddb
      .query({
        TableName: tableName,
        KeyConditionExpression: 'id = :p',
        ExpressionAttributeValues: { ':p': { S: p.partitionName } },
      })
      .promise();
    expect((left.Items ?? []).map((item) => item.name?.S)).to.deep.equal(['docs.txt', 'docsx', 'other/1']);
  });

  it('deleteTree over many pages of keys, and the whole partition only when asked', async function () {
    this.timeout(60_000);
    const p = partition();
    await p.putMany(keys(Array.from({ length: 130 }, (_, i) => `t/${String(i).padStart(3, '0')}`)));
    requests.length = 0;
    const err = await rejection(p.deleteTree(''));
    expect(err.code).to.equal('INVALID_ARGUMENT');
    expect(requests).to.have.length(0);
    expect(await p.deleteTree('', { wholePartition: true })).to.equal(130);
    expect((await p.listPage('')).keys).to.deep.equal([]);
    expect(await p.deleteTree('nothing/')).to.equal(0);
  });

  it('deleteTree stops when its signal is aborted', async () => {
    const p = await tree();
    const controller = new AbortController();
    controller.abort();
    const err = await rejection(p.deleteTree('docs/', { signal: controller.signal }));
    expect(err.code).to.equal('ABORTED');
    expect(requests).to.have.length(0);
    // Aborted after the first batch: the call fails, the rest stays; running it again finishes.
    const q = partition();
    await q.putMany(keys(Array.from({ length: 60 }, (_, i) => `t/${String(i).padStart(3, '0')}`)));
    const during = new AbortController();
    const failed = await rejection(q.deleteTree('t/', { signal: during.signal, onProgress: () => during.abort() }));
    expect(failed.code).to.equal('ABORTED');
    expect(await q.deleteTree('t/')).to.equal(35);
  });
});
