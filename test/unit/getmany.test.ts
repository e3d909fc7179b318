import { expect } from 'chai';
import { operationName, readWithLimit, readWithLocalIndex } from '../../lib';
import { rejection } from '../helpers/expect';
import { mockedSession, restoreMocks } from '../helpers/mock';

const NOW = 1_700_000_000_000;
const clock = (): number => NOW;
const T = 'agents';

type Keys = Array<{ id: { S: string }; name: { S: string } }>;

function keysOf(params: Record<string, unknown>): string[] {
  const requestItems = params.RequestItems as Record<string, { Keys: Keys }>;
  return (requestItems[T]?.Keys ?? []).map((k) => k.name.S);
}

/** Answers a BatchGetItem with every key it asks for found, at version 1. */
function allFound(params: Record<string, unknown>): object {
  return { Responses: { [T]: keysOf(params).map((k) => ({ id: { S: 'p' }, name: { S: k }, version: { N: '1' } })) } };
}

describe('getMany (mocked DynamoDB)', () => {
  afterEach(restoreMocks);

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

  it('gives up with REQUEST_FAILED after 10 attempts', async function () {
    this.timeout(30_000);
    const { session, calls } = mockedSession(
      {
        batchGetItem: (params) => ({
          UnprocessedKeys: { [T]: { Keys: keysOf(params).map((k) => ({ id: { S: 'p' }, name: { S: k } })) } },
        }),
      },
      { clock },
    );
    const err = await rejection(session.table(T).getMany('p', ['a']));
    expect(err.code).to.equal('REQUEST_FAILED');
    expect(err.message).to.contain('unprocessed');
    expect(calls).to.have.length(10);
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

  it('sends nothing for no keys, and refuses bad input before any request', async () => {
    const { session, calls } = mockedSession({ batchGetItem: allFound }, { clock });
    const t = session.table(T);
    expect(await t.getMany('p', [])).to.deep.equal([]);
    expect((await rejection(t.getMany('p', ['ok', '']))).code).to.equal('INVALID_ARGUMENT');
    expect((await rejection(t.getMany('p', 'a' as never))).code).to.equal('INVALID_ARGUMENT');
    expect((await rejection(t.getMany('p', ['a'], readWithLimit(5)))).code).to.equal('INVALID_ARGUMENT');
    expect((await rejection(t.getMany('p', ['a'], readWithLocalIndex('idx_created', 'created')))).code).to.equal(
      'INDEX_NOT_SUPPORTED',
    );
    expect(calls).to.have.length(0);
  });
});
