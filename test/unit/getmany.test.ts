import { expect } from 'chai';
import { getEventListeners } from 'node:events';
import sinon from 'sinon';
import { operationName, readWithLimit, readWithLocalIndex } from '../../lib';
import { sleep } from '../../lib/backoff';
import { rejection } from '../helpers/expect';
import { awsError, mockedSession, restoreMocks } from '../helpers/mock';

const NOW = 1_700_000_000_000;
const clock = (): number => NOW;
const T = 'agents';

type Keys = Array<{ id: { S: string }; name: { S: string } }>;

function keysOf(params: Record<string, unknown>): string[] {
  const requestItems = params.RequestItems as Record<string, { Keys: Keys }>;
  return (requestItems[T]?.Keys ?? []).map((k) => k.name.S);
}

const item = (k: string): object => ({ id: { S: 'p' }, name: { S: k }, version: { N: '1' } });
const unprocessed = (keys: string[]): object => ({
  [T]: { Keys: keys.map((k) => ({ id: { S: 'p' }, name: { S: k } })), ConsistentRead: true },
});

/** Answers a BatchGetItem with every key it asks for found, at version 1. */
function allFound(params: Record<string, unknown>): object {
  return { Responses: { [T]: keysOf(params).map(item) } };
}

/** Answers a BatchGetItem with the first `n` keys it asks for found and the rest unprocessed. */
function firstFound(params: Record<string, unknown>, n: number): object {
  const keys = keysOf(params);
  return { Responses: { [T]: keys.slice(0, n).map(item) }, UnprocessedKeys: unprocessed(keys.slice(n)) };
}

/** The next turn of the event loop: real, whatever timers a test fakes. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Fakes only the timers backoff uses, so the mocked client and `setImmediate` still run for real. */
function fakeTimers(): sinon.SinonFakeTimers {
  return sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
}

/** Runs `body`, then fails if a promise rejection went unhandled meanwhile. */
async function withoutUnhandledRejections(body: () => Promise<void>): Promise<void> {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    await body();
    // Node reports an unhandled rejection after the microtasks of a turn have run.
    await turn();
    await turn();
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  expect(unhandled).to.deep.equal([]);
}

/** Runs the fake clock until `promise` settles; its result, or its rejection. */
async function settle<T>(promise: Promise<T>, timers: sinon.SinonFakeTimers): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => (settled = true));
  watched.catch(() => undefined);
  while (!settled) await timers.tickAsync(2_000);
  return watched;
}

describe('getMany (mocked DynamoDB)', () => {
  afterEach(() => {
    sinon.restore();
    restoreMocks();
  });

  it('is one consistent BatchGetItem for up to 100 keys, results in input order', async () => {
    const { session, calls } = mockedSession({ batchGetItem: allFound }, { clock });
    const pairs = await session.table(T).partition('p').getMany(['c', 'a', 'b']);
    expect(pairs.map((kv) => kv?.key)).to.deep.equal(['c', 'a', 'b']);
    expect(calls).to.deep.equal([
      {
        command: 'batchGetItem',
        params: {
          RequestItems: {
            [T]: {
              Keys: ['c', 'a', 'b'].map((k) => ({ id: { S: 'p' }, name: { S: k } })),
              ConsistentRead: true,
            },
          },
        },
      },
    ]);
  });

  it('splits 250 keys into requests of 100, 100 and 50, and never sends a key twice', async () => {
    const { session, calls } = mockedSession({ batchGetItem: allFound }, { clock });
    const keys = Array.from({ length: 250 }, (_, i) => `k${i}`);
    const pairs = await session.table(T).getMany('p', [...keys, 'k0', 'k249', 'k5']);
    expect(calls.map((c) => keysOf(c.params).length)).to.deep.equal([100, 100, 50]);
    const sent = calls.flatMap((c) => keysOf(c.params));
    expect(new Set(sent).size).to.equal(sent.length);
    expect(pairs).to.have.length(253);
    expect(pairs.slice(250).map((kv) => kv?.key)).to.deep.equal(['k0', 'k249', 'k5']);
  });

  it('reports absent and expired keys as undefined, not as errors', async () => {
    const { session } = mockedSession(
      {
        batchGetItem: {
          Responses: {
            [T]: [
              { id: { S: 'p' }, name: { S: 'live' }, version: { N: '1' }, expires: { N: String(NOW / 1000 + 60) } },
              { id: { S: 'p' }, name: { S: 'expired' }, version: { N: '1' }, expires: { N: String(NOW / 1000) } },
            ],
          },
        },
      },
      { clock },
    );
    const pairs = await session.table(T).getMany('p', ['absent', 'live', 'expired']);
    expect(pairs.map((kv) => kv?.key)).to.deep.equal([undefined, 'live', undefined]);
  });

  it('ignores an item of another partition in the response', async () => {
    const { session } = mockedSession(
      { batchGetItem: { Responses: { [T]: [{ id: { S: 'other' }, name: { S: 'a' }, version: { N: '1' } }] } } },
      { clock },
    );
    expect(await session.table(T).getMany('p', ['a'])).to.deep.equal([undefined]);
  });

  it('retries UnprocessedKeys, only those, until none are left', async () => {
    let call = 0;
    const { session, calls } = mockedSession(
      {
        batchGetItem: (params) => {
          const keys = keysOf(params);
          call++;
          if (call < 3) {
            // Leave the last key unprocessed, as DynamoDB does under throttling.
            const [last] = keys.slice(-1);
            return {
              Responses: {
                [T]: keys.slice(0, -1).map((k) => ({ id: { S: 'p' }, name: { S: k }, version: { N: '1' } })),
              },
              UnprocessedKeys: { [T]: { Keys: [{ id: { S: 'p' }, name: { S: last } }], ConsistentRead: true } },
            };
          }
          return allFound(params);
        },
      },
      { clock },
    );
    const pairs = await session.table(T).getMany('p', ['a', 'b', 'c']);
    expect(pairs.map((kv) => kv?.key)).to.deep.equal(['a', 'b', 'c']);
    expect(calls.map((c) => keysOf(c.params))).to.deep.equal([['a', 'b', 'c'], ['c'], ['c']]);
  });

  it('gives up with REQUEST_FAILED after 10 attempts that process no key', async () => {
    const timers = fakeTimers();
    const { session, calls } = mockedSession({ batchGetItem: (params) => firstFound(params, 0) }, { clock });
    const err = await rejection(settle(session.table(T).getMany('p', ['a']), timers));
    expect(err.code).to.equal('REQUEST_FAILED');
    expect(err.message).to.contain('unprocessed');
    expect(calls).to.have.length(10);
  });

  it('keeps retrying while each attempt processes keys, as a response cut at 16 MB does', async () => {
    const timers = fakeTimers();
    const { session, calls } = mockedSession({ batchGetItem: (params) => firstFound(params, 1) }, { clock });
    const keys = Array.from({ length: 25 }, (_, i) => `k${i}`);
    const pairs = await settle(session.table(T).getMany('p', keys), timers);
    expect(pairs.map((kv) => kv?.key)).to.deep.equal(keys);
    expect(calls).to.have.length(25);
  });

  it('counts only attempts in a row without progress: one that processes a key starts the count again', async () => {
    const timers = fakeTimers();
    // Progress on the 1st and the 11th attempt only: 9 and then 10 attempts in a row process nothing.
    const { session, calls } = mockedSession(
      { batchGetItem: (params) => firstFound(params, calls.length === 1 || calls.length === 11 ? 1 : 0) },
      { clock },
    );
    const err = await rejection(settle(session.table(T).getMany('p', ['a', 'b', 'c']), timers));
    expect(err.code).to.equal('REQUEST_FAILED');
    expect(calls).to.have.length(21);
    expect(keysOf(calls[20]?.params ?? {})).to.deep.equal(['c']);
  });

  it('has at most 16 requests in flight, starts each chunk as another ends, and keeps the input order', async () => {
    let inFlight = 0;
    let most = 0;
    const { session, calls } = mockedSession(
      {
        batchGetItem: (params) => {
          most = Math.max(most, ++inFlight);
          // Answers come back out of order: some chunks take longer than others.
          return new Promise((resolve) =>
            setTimeout(
              () => {
                inFlight--;
                resolve(allFound(params));
              },
              (calls.length * 7) % 5,
            ),
          );
        },
      },
      { clock },
    );
    const keys = Array.from({ length: 3_000 }, (_, i) => `k${(i * 7919) % 3_000}`);
    const pairs = await session.table(T).getMany('p', keys);
    expect(most).to.equal(16);
    expect(calls).to.have.length(30);
    expect(pairs.map((kv) => kv?.key)).to.deep.equal(keys);
  });

  it('after one chunk fails, sends nothing more, leaves no timer, and rejects with that failure', async () => {
    const timers = fakeTimers();
    await withoutUnhandledRejections(async () => {
      const { session, calls } = mockedSession(
        {
          batchGetItem: (params) => {
            // The first chunk fails a turn later, when the others are waiting to retry their unprocessed keys.
            if (keysOf(params).includes('k0')) {
              return turn().then(() => {
                throw awsError('InternalServerError', 'the first chunk failed');
              });
            }
            return firstFound(params, 0);
          },
        },
        { clock },
      );
      const keys = Array.from({ length: 1_000 }, (_, i) => `k${i}`);
      const err = await rejection(session.table(T).getMany('p', keys));
      expect(err.code).to.equal('REQUEST_FAILED');
      expect((err.cause as { code?: string }).code).to.equal('InternalServerError');
      const sent = calls.length;
      expect(timers.countTimers()).to.equal(0);
      await timers.tickAsync(60_000);
      await turn();
      expect(calls).to.have.length(sent);
    });
  });

  it('never sends a chunk still waiting for its turn when another has failed', async () => {
    const { session, calls } = mockedSession(
      {
        batchGetItem: (params) => {
          if (keysOf(params).includes('k0')) throw awsError('InternalServerError', 'the first chunk failed');
          return turn().then(() => allFound(params));
        },
      },
      { clock },
    );
    const keys = Array.from({ length: 5_000 }, (_, i) => `k${i}`);
    const err = await rejection(session.table(T).getMany('p', keys));
    expect((err.cause as { code?: string }).code).to.equal('InternalServerError');
    await turn();
    expect(calls.length).to.be.at.most(16);
  });

  it('a failure cuts the requests of other chunks still on the wire, and the caller gets that failure', async () => {
    await withoutUnhandledRejections(async () => {
      const { session } = mockedSession(
        {
          batchGetItem: (params) =>
            keysOf(params).includes('k0')
              ? turn().then(() => {
                  throw awsError('InternalServerError', 'the first chunk failed');
                })
              : new Promise(() => undefined), // never answers
        },
        { clock },
      );
      const keys = Array.from({ length: 500 }, (_, i) => `k${i}`);
      const err = await rejection(session.table(T).getMany('p', keys));
      expect(err.code).to.equal('REQUEST_FAILED');
      expect((err.cause as { code?: string }).code).to.equal('InternalServerError');
    });
  });

  it("leaves no listener on the caller's signal, which may live much longer than the call", async () => {
    const controller = new AbortController();
    const { session } = mockedSession({ batchGetItem: allFound }, { clock });
    const keys = Array.from({ length: 250 }, (_, i) => `k${i}`);
    await session.table(T).getMany('p', keys, { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).to.have.length(0);
  });

  it('an abort during the backoff ends the wait with ABORTED', async () => {
    const controller = new AbortController();
    const { session, calls } = mockedSession(
      {
        batchGetItem: (params) => {
          setTimeout(() => controller.abort(new Error('enough')), 1);
          return {
            UnprocessedKeys: { [T]: { Keys: keysOf(params).map((k) => ({ id: { S: 'p' }, name: { S: k } })) } },
          };
        },
      },
      { clock },
    );
    const err = await rejection(session.table(T).getMany('p', ['a'], { signal: controller.signal }));
    expect(err.code).to.equal('ABORTED');
    expect(calls.length).to.be.at.most(2);
  });

  it('an already aborted signal sends nothing and fails with ABORTED and its reason', async () => {
    const { session, calls } = mockedSession({ batchGetItem: allFound }, { clock });
    const keys = Array.from({ length: 250 }, (_, i) => `k${i}`);
    const err = await rejection(session.table(T).getMany('p', keys, { signal: AbortSignal.abort('enough') }));
    expect(err.code).to.equal('ABORTED');
    expect(err.cause).to.equal('enough');
    expect(calls).to.have.length(0);
  });

  it('reports its requests to hooks as GetMany / BatchGetItem', async () => {
    const seen: string[] = [];
    const { session } = mockedSession(
      { batchGetItem: allFound },
      {
        clock,
        hooks: {
          requestBuilt: (ctx) => {
            seen.push(`${operationName(ctx)}/${ctx.command}`);
          },
        },
      },
    );
    await session.table(T).getMany('p', ['a'], { consistent: false });
    expect(seen).to.deep.equal(['GetMany/BatchGetItem']);
  });

  it('reads the keys once, by index: a Proxy whose traps throw is INVALID_ARGUMENT with the thrown error as cause', async () => {
    const { session, calls } = mockedSession({ batchGetItem: allFound }, { clock });
    const boom = new Error('trap');
    const trap = (): never => {
      throw boom;
    };
    for (const handler of [{ get: trap }, { has: trap, get: trap }, { getOwnPropertyDescriptor: trap, get: trap }]) {
      const err = await rejection(session.table(T).getMany('p', new Proxy(['a', 'b'], handler)));
      expect(err.code).to.equal('INVALID_ARGUMENT');
      expect(err.cause).to.equal(boom);
    }
    // A Proxy that answers is read once, as an array would be.
    let reads = 0;
    const counted = new Proxy(['a', 'b'], {
      get: (target, key, receiver): unknown => {
        if (key !== 'length') reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const found = await session.table(T).getMany('p', counted);
    expect(found.map((kv) => kv?.key)).to.deep.equal(['a', 'b']);
    expect(reads).to.equal(2);
    expect(calls).to.have.length(1);
  });

  it("forwards the caller's abort whatever Object.prototype.signal holds", async () => {
    const controller = new AbortController();
    const { session } = mockedSession({ batchGetItem: () => new Promise(() => undefined) }, { clock });
    // Node reads `signal` from a listener's options: an aborted one there would keep the listener from being added.
    Object.defineProperty(Object.prototype, 'signal', { value: AbortSignal.abort(), configurable: true });
    try {
      const pending = session.table(T).getMany('p', ['a'], { signal: controller.signal });
      await turn();
      controller.abort(new Error('enough'));
      const err = await Promise.race([
        rejection(pending),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the abort was not forwarded')), 1000)),
      ]);
      expect(err.code).to.equal('ABORTED');
    } finally {
      Reflect.deleteProperty(Object.prototype, 'signal');
    }
  });

  it('its backoff wait ends on abort whatever Object.prototype.signal holds', async () => {
    const controller = new AbortController();
    Object.defineProperty(Object.prototype, 'signal', { value: AbortSignal.abort(), configurable: true });
    try {
      const waiting = sleep(10_000, controller.signal, 'getMany');
      controller.abort(new Error('enough'));
      const err = await Promise.race([
        rejection(waiting),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the wait did not end')), 1000)),
      ]);
      expect(err.code).to.equal('ABORTED');
    } finally {
      Reflect.deleteProperty(Object.prototype, 'signal');
    }
  });

  it('sends nothing for no keys, and refuses bad input before any request', async () => {
    const { session, calls } = mockedSession({ batchGetItem: allFound }, { clock });
    const t = session.table(T);
    expect(await t.getMany('p', [])).to.deep.equal([]);
    expect((await rejection(t.getMany('p', ['ok', '']))).code).to.equal('INVALID_ARGUMENT');
    expect((await rejection(t.getMany('p', 'a' as never))).code).to.equal('INVALID_ARGUMENT');
    // @ts-expect-error -- getMany reads keys: it takes no limit
    expect((await rejection(t.getMany('p', ['a'], readWithLimit(5)))).code).to.equal('INVALID_ARGUMENT');
    // @ts-expect-error -- getMany reads by primary key: it takes no index
    expect((await rejection(t.getMany('p', ['a'], readWithLocalIndex('idx_created', 'created')))).code).to.equal(
      'INDEX_NOT_SUPPORTED',
    );
    expect(calls).to.have.length(0);
  });
});
