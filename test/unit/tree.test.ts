// Directory listing and deleteTree on a stub client: what is sent (subtrees
// skipped by the start key, both directions, tokens resuming past a
// directory), and what is refused before any request.
import { expect } from 'chai';
import { readScanIndexForwardDisable, type RequestContext } from '../../lib';
import { pastSubtree } from '../../lib/tree';
import { rejection } from '../helpers/expect';
import { stubSession, type StubCall } from '../helpers/stub-client';

const NOW = 1_700_000_000_000;
const T = 'files';
const P = 'tenant';

type Item = Record<string, { S?: string; N?: string }>;
const item = (name: string): Item => ({ id: { S: P }, name: { S: name }, version: { N: '1' } });
const key = (name: string): Item => ({ id: { S: P }, name: { S: name } });

/** A stub answering each Query with the next of `pages`: its item names, and whether there is more. */
function queries(pages: { names: string[]; more?: boolean }[]): ReturnType<typeof stubSession> {
  return stubSession(
    (call, n) => {
      if (call.command === 'BatchWriteItem') return {};
      const page = pages[n - 1] ?? { names: [] };
      const items = page.names.map(item);
      const out: Record<string, unknown> = { Items: items, Count: items.length };
      const last = page.names.at(-1);
      if (page.more === true && last !== undefined) out.LastEvaluatedKey = key(last);
      return out;
    },
    { clock: () => NOW },
  );
}

const startOf = (call: StubCall | undefined): string | undefined =>
  (call?.input.ExclusiveStartKey as Item | undefined)?.name?.S;

describe('directory listing', () => {
  it('starts the next Query past a directory it met (ascending): the greatest key under it', async () => {
    const { session, calls } = queries([
      { names: ['docs/a', 'docs/x/1', 'docs/x/2'], more: true },
      { names: ['docs/z'] },
    ]);
    const page = await session.table(T).partition(P).listPage('docs/', { delimiter: '/' });
    expect(page.keys.map((kv) => kv.key)).to.deep.equal(['docs/a', 'docs/z']);
    expect(page.prefixes).to.deep.equal(['docs/x/']);
    expect(page.lastKey).to.equal(undefined);
    expect(calls).to.have.length(2);
    expect(startOf(calls[1])).to.equal(pastSubtree('docs/x/'));
    // The key condition stays the prefix's, which the start key meets.
    expect(calls[1]?.input.KeyConditionExpression).to.equal(calls[0]?.input.KeyConditionExpression);
    expect(calls[0]?.input.Limit).to.equal(10);
  });

  it('descending, starts before the directory: at the directory prefix itself', async () => {
    const { session, calls } = queries([{ names: ['docs/z', 'docs/x/2', 'docs/x/1'], more: true }, { names: [] }]);
    const page = await session
      .table(T)
      .partition(P)
      .listPage('docs/', { delimiter: '/' }, readScanIndexForwardDisable());
    expect(page.prefixes).to.deep.equal(['docs/x/']);
    expect(startOf(calls[1])).to.equal('docs/x/');
  });

  it("keeps DynamoDB's start key when it is already past the directory", async () => {
    const { session, calls } = stubSession(
      (_call, n) =>
        n === 1 ? { Items: [item('docs/x/1')], Count: 1, LastEvaluatedKey: key('docs/y') } : { Items: [], Count: 0 },
      { clock: () => NOW },
    );
    await session.table(T).partition(P).listPage('docs/', { delimiter: '/' });
    expect(startOf(calls[1])).to.equal('docs/y');
  });

  it('a token made at a directory resumes past it; at an item, after it', async () => {
    const first = queries([{ names: ['docs/a', 'docs/x/1'], more: true }]);
    const p = first.session.table(T).partition(P);
    const page = await p.listPage('docs/', { delimiter: '/', limit: 2 });
    expect(page.prefixes).to.deep.equal(['docs/x/']);
    expect(page.lastKey).to.be.a('string');
    const itemPage = await queries([{ names: ['docs/a', 'docs/x/1'], more: true }])
      .session.table(T)
      .partition(P)
      .listPage('docs/', { delimiter: '/', limit: 1 });
    const next = queries([{ names: [] }]);
    await next.session.table(T).partition(P).listPage('docs/', { delimiter: '/', startKey: page.lastKey });
    expect(startOf(next.calls[0])).to.equal(pastSubtree('docs/x/'));
    const after = queries([{ names: [] }]);
    await after.session.table(T).partition(P).listPage('docs/', { delimiter: '/', startKey: itemPage.lastKey });
    expect(startOf(after.calls[0])).to.equal('docs/a');
  });

  it('gives no token when the last entry ends the listing', async () => {
    const { session } = queries([{ names: ['docs/a', 'docs/b'] }]);
    const page = await session.table(T).partition(P).listPage('docs/', { delimiter: '/', limit: 2 });
    expect(page.lastKey).to.equal(undefined);
  });

  it('reports its requests as ListPage, iterateChildren too', async () => {
    const seen: string[] = [];
    const { session } = stubSession(() => ({ Items: [item('a/b')], Count: 1 }), {
      clock: () => NOW,
      hooks: { requestBuilt: (ctx: RequestContext) => void seen.push(`${ctx.operation} ${ctx.command}`) },
    });
    const p = session.table(T).partition(P);
    await p.listPage('', { delimiter: '/' });
    const entries = [];
    for await (const e of p.iterateChildren('')) entries.push(e);
    expect(entries).to.deep.equal([{ type: 'prefix', prefix: 'a/' }]);
    expect(seen).to.deep.equal(['ListPage Query', 'ListPage Query']);
  });

  it('stops at an aborted signal, between requests too', async () => {
    const controller = new AbortController();
    const { session, calls } = stubSession(
      (_call, n) => {
        controller.abort();
        return { Items: [item(`d/${n}/x`)], Count: 1, LastEvaluatedKey: key(`d/${n}/x`) };
      },
      { clock: () => NOW },
    );
    const err = await rejection(
      session.table(T).partition(P).listPage('d/', { delimiter: '/', signal: controller.signal }),
    );
    expect(err.code).to.equal('ABORTED');
    expect(calls).to.have.length(1);
  });

  it('refuses a bad delimiter, and the delimiter where it means nothing, before any request', async () => {
    const { session, calls } = queries([]);
    const p = session.table(T).partition(P);
    for (const delimiter of ['', 5, null, '\ud800']) {
      expect((await rejection(p.listPage('a/', { delimiter } as never))).code).to.equal('INVALID_ARGUMENT');
    }
    expect((await rejection(p.get('a', { delimiter: '/' } as never))).code).to.equal('INVALID_ARGUMENT');
    expect(() => p.iterate('a/', { delimiter: '/' })).to.throw(/iterateChildren/);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the deprecated Go API refuses it too
    expect((await rejection(p.list('a/', { delimiter: '/' }))).code).to.equal('INVALID_ARGUMENT');
    expect(calls).to.have.length(0);
  });
});

describe('pastSubtree', () => {
  it('is the greatest key of at most 1024 bytes under the prefix, whatever bytes are left', () => {
    for (let length = 1; length <= 12; length++) {
      const prefix = 'd'.repeat(length) + '/';
      const bound = pastSubtree(prefix);
      expect(bound.startsWith(prefix)).to.equal(true);
      expect(Buffer.byteLength(bound)).to.equal(1024);
      expect(bound.isWellFormed()).to.equal(true);
      const bytes = Buffer.from(bound);
      for (const under of [prefix, `${prefix}\uFFFF`, `${prefix}\u{10FFFF}x`, `${prefix}\u{10FFFF}\u{10FFFF}`]) {
        expect(Buffer.compare(Buffer.from(under), bytes)).to.be.below(0);
      }
      // Nothing of 1024 bytes or less under the prefix sorts after it: the next key past the subtree does.
      expect(Buffer.compare(Buffer.from('d'.repeat(length) + '0'), bytes)).to.be.above(0);
    }
    const full = 'a'.repeat(1023) + '/';
    expect(pastSubtree(full)).to.equal(full);
  });
});

describe('deleteTree', () => {
  it('reads keys only, consistently, expired included, and deletes them with BatchWriteItem as DeleteTree', async () => {
    const seen: string[] = [];
    const { session, calls } = stubSession(
      (call, n) =>
        call.command === 'Query'
          ? n === 1
            ? { Items: [key('docs/a'), key('docs/x/1')], Count: 2, LastEvaluatedKey: key('docs/x/1') }
            : { Items: [key('docs/y')], Count: 1 }
          : {},
      { clock: () => NOW, hooks: { requestBuilt: (ctx: RequestContext) => void seen.push(ctx.operation) } },
    );
    const progress: number[] = [];
    const n = await session
      .table(T)
      .partition(P)
      .deleteTree('docs/', { onProgress: (deleted) => void progress.push(deleted) });
    expect(n).to.equal(3);
    expect(progress).to.deep.equal([2, 3]);
    expect(calls.map((c) => c.command)).to.deep.equal(['Query', 'BatchWriteItem', 'Query', 'BatchWriteItem']);
    const query = calls[0]?.input ?? {};
    expect(query.ConsistentRead).to.equal(true);
    expect(query.FilterExpression).to.equal(undefined);
    expect(query.ProjectionExpression).to.equal('#n0, #n1');
    expect(query.ExpressionAttributeValues).to.deep.equal({ ':v0': { S: P }, ':v1': { S: 'docs/' } });
    expect(calls[1]?.input.RequestItems).to.deep.equal({
      [T]: [{ DeleteRequest: { Key: key('docs/a') } }, { DeleteRequest: { Key: key('docs/x/1') } }],
    });
    expect(startOf(calls[2])).to.equal('docs/x/1');
    expect(new Set(seen)).to.deep.equal(new Set(['DeleteTree']));
  });

  it("refuses '' without wholePartition, and bad options, before any request", async () => {
    const { session, calls } = queries([]);
    const p = session.table(T).partition(P);
    for (const args of [
      [''],
      ['', { wholePartition: false }],
      ['a/', { wholePartition: 'yes' }],
      ['a/', { onProgress: 1 }],
      ['a/', { nope: 1 }],
      ['a/', []],
      [5],
    ] as const) {
      const err = await rejection(p.deleteTree(...(args as unknown as [string])));
      expect(err.code).to.equal('INVALID_ARGUMENT', JSON.stringify(args));
    }
    expect(calls).to.have.length(0);
    expect(await p.deleteTree('', { wholePartition: true })).to.equal(0);
    expect(calls[0]?.input.KeyConditionExpression).to.equal('#n0 = :v0');
  });
});
