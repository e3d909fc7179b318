import { expect } from 'chai';
import sinon from 'sinon';
import { DynastoreError, type PutManyItem, type RequestOutcome } from '../../lib';
import { rejection } from '../helpers/expect';
import { serviceError, stubSession, type StubCall } from '../helpers/stub-client';

const NOW = 1_700_000_000_000;
const clock = (): number => NOW;
const T = 'agents';

type Write = {
  PutRequest?: { Item: Record<string, { S?: string; N?: string }> };
  DeleteRequest?: { Key: Record<string, { S: string }> };
};

function writesOf(call: StubCall | undefined): Write[] {
  return ((call?.input.RequestItems ?? {}) as Record<string, Write[]>)[T] ?? [];
}

function keyOf(w: Write): string | undefined {
  return w.PutRequest?.Item.name?.S ?? w.DeleteRequest?.Key.name?.S;
}

const items = (n: number): PutManyItem[] =>
  Array.from({ length: n }, (_, i) => ({ key: `k${String(i).padStart(2, '0')}`, version: i + 1, value: `v${i}` }));

/** Runs fake timers until `promise` settles. */
async function settle<T>(clock: sinon.SinonFakeTimers, promise: Promise<T>): Promise<T> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  while (!done) {
    await new Promise((resolve) => setImmediate(resolve));
    await clock.tickAsync(2000);
  }
  return promise;
}

describe('putMany and deleteMany', () => {
  let timers: sinon.SinonFakeTimers | undefined;
  afterEach(() => timers?.restore());

  it('sends 60 items as 25 + 25 + 10, one chunk after another, in order, and resolves 60', async () => {
    let inFlight = 0;
    let most = 0;
    const progress: Array<[number, number]> = [];
    const { session, calls } = stubSession(
      async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return {};
      },
      { clock },
    );
    const n = await session
      .table(T)
      .partition('p')
      .putMany(items(60), { onProgress: (done, total) => void progress.push([done, total]) });
    expect(n).to.equal(60);
    expect(most).to.equal(1);
    expect(calls.map((c) => c.command)).to.deep.equal(['BatchWriteItem', 'BatchWriteItem', 'BatchWriteItem']);
    expect(calls.map((c) => writesOf(c).length)).to.deep.equal([25, 25, 10]);
    expect(calls.flatMap((c) => writesOf(c).map(keyOf))).to.deep.equal(items(60).map((i) => i.key));
    expect(progress).to.deep.equal([
      [25, 60],
      [50, 60],
      [60, 60],
    ]);
    expect(writesOf(calls[0])[1]).to.deep.equal({
      PutRequest: { Item: { id: { S: 'p' }, name: { S: 'k01' }, version: { N: '2' }, payload: { S: 'v1' } } },
    });
  });

  it('version 0 writes no version attribute; the default is 1; fields and ttl as a write stores them', async () => {
    const { session, calls } = stubSession(() => ({}), { clock });
    const table = session.table(T, { attributes: { partitionKey: 'namespace', sortKey: 'key', value: 'item' } });
    await table.putMany('$inited', [
      { key: '$inited', version: 0 },
      { key: 'a', fields: { f: 1 }, ttl: 1000 },
    ]);
    expect(writesOf(calls[0])).to.deep.equal([
      { PutRequest: { Item: { namespace: { S: '$inited' }, key: { S: '$inited' } } } },
      {
        PutRequest: {
          Item: {
            f: { N: '1' },
            namespace: { S: '$inited' },
            key: { S: 'a' },
            version: { N: '1' },
            expires: { N: String(NOW / 1000 + 1) },
          },
        },
      },
    ]);
  });

  it('deleteMany sends DeleteRequests by the table’s key names and resolves the count of keys', async () => {
    const { session, calls } = stubSession(() => ({}));
    const table = session.table(T, { attributes: { partitionKey: 'namespace', sortKey: 'key' } });
    expect(await table.deleteMany('p', ['a', 'b'])).to.equal(2);
    expect(writesOf(calls[0])).to.deep.equal([
      { DeleteRequest: { Key: { namespace: { S: 'p' }, key: { S: 'a' } } } },
      { DeleteRequest: { Key: { namespace: { S: 'p' }, key: { S: 'b' } } } },
    ]);
  });

  it('a version of null is INVALID_ARGUMENT, not the default 1, and nothing is sent', async () => {
    const { session, calls } = stubSession(() => ({}));
    const err: unknown = await session
      .table(T)
      .putMany('p', [{ key: 'a', version: null as unknown as number }])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(DynastoreError.is(err, 'INVALID_ARGUMENT')).to.equal(true);
    expect((err as Error).message).to.contain('version');
    expect(calls).to.have.length(0);
  });

  it('an own __proto__ option is an unknown option, refused, not a prototype silently set', async () => {
    const { session, calls } = stubSession(() => ({}));
    const options = Object.defineProperty({}, '__proto__', { value: undefined, enumerable: true });
    const err = await rejection(session.table(T).deleteMany('p', ['a'], options));
    expect(err.code).to.equal('INVALID_ARGUMENT');
    expect(err.message).to.contain('__proto__');
    expect(calls).to.have.length(0);
  });

  it('an empty list sends nothing and resolves 0', async () => {
    const { session, calls } = stubSession(() => ({}));
    expect(await session.table(T).putMany('p', [])).to.equal(0);
    expect(await session.table(T).deleteMany('p', [])).to.equal(0);
    expect(calls).to.have.length(0);
  });

  it('retries unprocessed writes before the next chunk, with only them', async () => {
    timers = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { session, calls } = stubSession((call, n) => {
      const writes = writesOf(call);
      // The first request leaves its last 5 unprocessed, the retry processes them.
      return n === 1 ? { UnprocessedItems: { [T]: writes.slice(20) } } : {};
    });
    const n = await settle(timers, session.table(T).putMany('p', items(30)));
    expect(n).to.equal(30);
    expect(calls.map((c) => writesOf(c).map(keyOf))).to.deep.equal([
      items(25).map((i) => i.key),
      items(25)
        .slice(20)
        .map((i) => i.key),
      items(30)
        .slice(25)
        .map((i) => i.key),
    ]);
  });

  it('gives up after 10 attempts in a row that process nothing: REQUEST_FAILED naming how many are left', async () => {
    timers = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { session, calls } = stubSession((call, n) => (n === 1 ? {} : { UnprocessedItems: { [T]: writesOf(call) } }));
    const err = await rejection(
      settle(
        timers,
        session.table(T).deleteMany(
          'p',
          items(60).map((i) => i.key),
        ),
      ),
    );
    expect(err).to.be.instanceOf(DynastoreError).with.property('code', 'REQUEST_FAILED');
    expect(err.message).to.contain('35 of 60');
    expect(calls).to.have.length(1 + 10);
  });

  it('an abort mid-way stops at once with ABORTED: no further request', async () => {
    const controller = new AbortController();
    const { session, calls } = stubSession((_call, n) => {
      if (n === 2) controller.abort(new Error('stop'));
      return {};
    });
    const err = await rejection(session.table(T).putMany('p', items(60), { signal: controller.signal }));
    expect(err).to.have.property('code', 'ABORTED');
    expect(calls).to.have.length(2);
  });

  it('validates every item before any request', async () => {
    const { session, calls } = stubSession(() => ({}));
    const p = session.table(T).partition('p');
    const bad: unknown[] = [
      [...items(30), { key: 'k03' }],
      [...items(30), { key: '' }],
      [...items(30), { key: 'x', version: -1 }],
      [...items(30), { key: 'x', version: 1.5 }],
      [...items(30), { key: 'x', value: 'a', attributeValue: { S: 'b' } }],
      [...items(30), { key: 'x', ttl: -1 }],
      [...items(30), { key: 'x', other: 1 }],
      [...items(30), { key: 'x', value: 'y'.repeat(410_000) }],
      [...items(30), null],
      'not a list',
    ];
    for (const [i, list] of bad.entries()) {
      const err = await rejection(p.putMany(list as PutManyItem[]));
      expect(err.code, `case ${i}`).to.equal('INVALID_ARGUMENT');
    }
    expect((await rejection(p.putMany([{ key: 'x', fields: { version: 1 } }]))).code).to.equal('RESERVED_FIELD');
    expect((await rejection(p.deleteMany(['a', 'b', 'a']))).code).to.equal('INVALID_ARGUMENT');
    expect((await rejection(p.putMany(items(2), { bogus: 1 } as never))).code).to.equal('INVALID_ARGUMENT');
    expect((await rejection(p.putMany(items(2), { onProgress: 1 } as never))).code).to.equal('INVALID_ARGUMENT');
    expect(calls).to.have.length(0);
  });

  it('reports PutMany and DeleteMany to hooks, with the processed writes as itemCount', async () => {
    const seen: string[] = [];
    const outcomes: RequestOutcome[] = [];
    const { session } = stubSession(
      (call) => ({ UnprocessedItems: writesOf(call).length > 3 ? { [T]: writesOf(call).slice(3) } : {} }),
      {
        hooks: {
          requestBuilt: (ctx) => void seen.push(`${ctx.operation} ${ctx.command}`),
          requestCompleted: (_ctx, o) => void outcomes.push(o),
        },
      },
    );
    await session.table(T).deleteMany('p', ['a', 'b', 'c', 'd']);
    await session.table(T).putMany('p', [{ key: 'a' }]);
    expect(seen).to.deep.equal(['DeleteMany BatchWriteItem', 'DeleteMany BatchWriteItem', 'PutMany BatchWriteItem']);
    expect(outcomes.map((o) => o.itemCount)).to.deep.equal([3, 1, 1]);
  });

  it('a failed request fails the call with REQUEST_FAILED and its awsCode', async () => {
    const { session } = stubSession(() => {
      throw serviceError('ValidationException');
    });
    const err = await rejection(session.table(T).putMany('p', items(3)));
    expect(err).to.include({ code: 'REQUEST_FAILED', awsCode: 'ValidationException' });
  });
});
