// Hooks that see the whole request: requestCompleted and operationCompleted
// over a mocked aws-sdk v2 client, and returnConsumedCapacity.
import { expect } from 'chai';
import { runInNewContext } from 'node:vm';
import { DynastoreError, Session, writeWithPreviousKV, writeWithString, type SessionOptions } from '../../lib';
import type { Hooks, OperationContext, OperationOutcome, RequestContext, RequestOutcome } from '../../lib/hooks';
import { rejection } from '../helpers/expect';
import { awsError, mockedSession, restoreMocks, type Answer, type Command } from '../helpers/mock';

const NOW = 1_700_000_000_123;
const clock = (): number => NOW;
const T = 'agents';
const KEY = { id: { S: 'users' }, name: { S: 'user/1' } };
const LIVE = { ...KEY, version: { N: '3' }, payload: { S: 'x' } };

type Event =
  | { hook: 'requestBuilt'; ctx: RequestContext }
  | { hook: 'requestCompleted'; ctx: RequestContext; outcome: RequestOutcome }
  | { hook: 'operationCompleted'; ctx: OperationContext; outcome: OperationOutcome };

/** A session over the mocked client with these session options, and hooks that record every call. */
function recorded(
  answers: Partial<Record<Command, Answer | Answer[]>>,
  options: Omit<SessionOptions, 'client' | 'config' | 'hooks'> = {},
): { session: Session; calls: ReturnType<typeof mockedSession>['calls']; events: Event[] } {
  const events: Event[] = [];
  const hooks: Hooks = {
    requestBuilt(ctx) {
      events.push({ hook: 'requestBuilt', ctx });
      return { ...ctx, request: events.length };
    },
    requestCompleted(ctx, outcome) {
      events.push({ hook: 'requestCompleted', ctx, outcome });
    },
    operationCompleted(ctx, outcome) {
      events.push({ hook: 'operationCompleted', ctx, outcome });
    },
  };
  const { session: base, calls } = mockedSession(answers);
  return { session: new Session({ client: base.client, clock, hooks, ...options }), calls, events };
}

function completions(events: Event[]): RequestOutcome[] {
  return events.flatMap((e) => (e.hook === 'requestCompleted' ? [e.outcome] : []));
}

function codeOf(error: unknown): string | undefined {
  return DynastoreError.is(error) ? error.code : undefined;
}

const conditionFailed =
  (extra: Record<string, unknown> = {}) =>
  (): never => {
    throw awsError('ConditionalCheckFailedException', 'The conditional request failed', extra);
  };

describe('hooks: requestCompleted and operationCompleted (mocked DynamoDB)', () => {
  afterEach(restoreMocks);

  it('calls requestCompleted once per request, after it, with the context requestBuilt returned', async () => {
    const { session, events } = recorded({ getItem: { Item: LIVE } });
    await session.table(T).get('users', 'user/1', { context: { traceId: 't-1' } });
    expect(events.map((e) => e.hook)).to.deep.equal(['requestBuilt', 'requestCompleted', 'operationCompleted']);
    const [, completed, ended] = events;
    if (completed?.hook !== 'requestCompleted' || ended?.hook !== 'operationCompleted') throw new Error('order');
    expect(completed.ctx).to.include({ operation: 'Get', command: 'GetItem', traceId: 't-1', request: 1 });
    const { durationMs, ...rest } = completed.outcome;
    expect(durationMs).to.be.a('number').and.at.least(0);
    expect(rest).to.deep.equal({ command: 'GetItem', attempts: 1, conditionFailed: false, itemCount: 1 });
    // operationCompleted gets the context the last requestBuilt returned.
    expect(ended.ctx).to.equal(completed.ctx);
    expect(ended.outcome).to.include({ operation: 'Get', requests: 1 });
    expect(ended.outcome.durationMs).to.be.at.least(0);
    expect('error' in ended.outcome).to.equal(false);
  });

  it('hands requestCompleted the very object requestBuilt returned, or the one it was given', async () => {
    const { session: base } = mockedSession({ getItem: {}, deleteItem: {} });
    const returned: unknown[] = [];
    const completed: unknown[] = [];
    let replace = true;
    const session = new Session({
      client: base.client,
      hooks: {
        requestBuilt(ctx) {
          if (!replace) {
            returned.push(ctx);
            return undefined;
          }
          const next = { ...ctx, span: 'S' };
          returned.push(next);
          return next;
        },
        requestCompleted: (ctx) => void completed.push(ctx),
      },
    });
    await session.table(T).exists('users', 'user/1');
    replace = false;
    await session.table(T).delete('users', 'user/1');
    expect(completed).to.have.length(2);
    expect(completed[0]).to.equal(returned[0]);
    expect(completed[1]).to.equal(returned[1]);
  });

  it('counts the items of each response: GetItem 1 or 0, Query its Count, BatchGetItem the items returned', async () => {
    const { session, events } = recorded({
      getItem: [{ Item: LIVE }, {}],
      query: { Items: [LIVE, LIVE], Count: 2, ScannedCount: 5 },
      batchGetItem: { Responses: { [T]: [LIVE, { ...LIVE, name: { S: 'user/2' } }] } },
      updateItem: {},
      deleteItem: {},
    });
    const t = session.table(T);
    await t.get('users', 'user/1');
    await t.exists('users', 'user/1');
    await t.listPage('users', '');
    await t.getMany('users', ['user/1', 'user/2', 'user/3']);
    await t.put('users', 'user/1', writeWithString('v'));
    await t.delete('users', 'user/1');
    expect(completions(events).map((o) => [o.command, o.itemCount])).to.deep.equal([
      ['GetItem', 1],
      ['GetItem', 0],
      ['Query', 2],
      ['BatchGetItem', 2],
      ['UpdateItem', undefined],
      ['DeleteItem', undefined],
    ]);
  });

  it('a failed request: the DynastoreError with its awsCode, and operationCompleted with the same error', async () => {
    const { session, events } = recorded({
      getItem: () => {
        throw awsError('ProvisionedThroughputExceededException', 'slow down');
      },
    });
    const err = await rejection(session.table(T).get('users', 'user/1'));
    const [outcome] = completions(events);
    expect(outcome?.error).to.equal(err);
    expect(err).to.include({ code: 'REQUEST_FAILED', awsCode: 'ProvisionedThroughputExceededException' });
    expect(outcome).to.include({ attempts: 1, conditionFailed: false });
    expect(outcome?.itemCount).to.equal(undefined);
    const ended = events.at(-1);
    expect(ended?.hook).to.equal('operationCompleted');
    expect((ended as { outcome: OperationOutcome }).outcome.error).to.equal(err);
  });

  describe('a failed condition carries the code the operation reports', () => {
    it('atomicPut create on a live key: KEY_EXISTS', async () => {
      const { session, events } = recorded({ putItem: conditionFailed({ Item: LIVE }) });
      const err = await rejection(session.table(T).atomicPut('users', 'user/1', writeWithString('v')));
      expect(err.code).to.equal('KEY_EXISTS');
      const [outcome] = completions(events);
      expect(outcome?.error).to.equal(err);
      expect(outcome).to.include({ command: 'PutItem', conditionFailed: true });
    });

    it('atomicPut compare, the old item returned: KEY_MODIFIED at once, from the one request', async () => {
      const { session, events } = recorded({ updateItem: conditionFailed({ Item: { ...LIVE, version: { N: '4' } } }) });
      const err = await rejection(session.table(T).atomicPut('users', 'user/1', writeWithPreviousKV({ version: 3 })));
      expect(err.code).to.equal('KEY_MODIFIED');
      expect(completions(events).map((o) => [o.command, codeOf(o.error), o.conditionFailed])).to.deep.equal([
        ['UpdateItem', 'KEY_MODIFIED', true],
      ]);
    });

    it('atomicPut compare, no old item returned (as dynalite): reported after the GetItem that tells why', async () => {
      const { session, events } = recorded({ updateItem: conditionFailed(), getItem: {} });
      const err = await rejection(session.table(T).atomicPut('users', 'user/1', writeWithPreviousKV({ version: 3 })));
      expect(err.code).to.equal('KEY_NOT_FOUND');
      expect(
        events.map((e) => [
          e.hook,
          'command' in e.ctx ? e.ctx.command : '',
          'outcome' in e ? codeOf(e.outcome.error) : '',
        ]),
      ).to.deep.equal([
        ['requestBuilt', 'UpdateItem', ''],
        ['requestBuilt', 'GetItem', ''],
        ['requestCompleted', 'GetItem', undefined],
        ['requestCompleted', 'UpdateItem', 'KEY_NOT_FOUND'],
        ['operationCompleted', 'GetItem', 'KEY_NOT_FOUND'],
      ]);
    });

    it('atomicDelete: KEY_EXISTS without previous, KEY_MODIFIED with a stale one', async () => {
      const { session, events } = recorded({
        deleteItem: [conditionFailed(), conditionFailed({ Item: { ...LIVE, version: { N: '9' } } })],
      });
      expect((await rejection(session.table(T).atomicDelete('users', 'user/1'))).code).to.equal('KEY_EXISTS');
      expect((await rejection(session.table(T).atomicDelete('users', 'user/1', { version: 3 }))).code).to.equal(
        'KEY_MODIFIED',
      );
      expect(completions(events).map((o) => codeOf(o.error))).to.deep.equal(['KEY_EXISTS', 'KEY_MODIFIED']);
    });

    it("put over an expired item: the condition failed, it is no error of put's, and it is reported at once", async () => {
      const { session, events } = recorded({ updateItem: conditionFailed(), putItem: {} });
      await session.table(T).put('users', 'user/1', writeWithString('v'));
      expect(completions(events).map((o) => [o.command, o.conditionFailed, o.error])).to.deep.equal([
        ['UpdateItem', true, undefined],
        ['PutItem', false, undefined],
      ]);
      expect(events.map((e) => [e.hook, 'command' in e.ctx ? e.ctx.command : ''])).to.deep.equal([
        ['requestBuilt', 'UpdateItem'],
        ['requestCompleted', 'UpdateItem'],
        ['requestBuilt', 'PutItem'],
        ['requestCompleted', 'PutItem'],
        ['operationCompleted', 'PutItem'],
      ]);
    });

    it("put whose replacement then fails: the expired item's condition is still no error, the PutItem's is", async () => {
      const { session, events } = recorded({
        updateItem: conditionFailed(),
        putItem: () => {
          throw awsError('InternalServerError', 'boom');
        },
      });
      const err = await rejection(session.table(T).put('users', 'user/1', writeWithString('v')));
      expect(
        completions(events).map((o) => [o.command, o.error === undefined ? undefined : o.error === err]),
      ).to.deep.equal([
        ['UpdateItem', undefined],
        ['PutItem', true],
      ]);
    });

    it("a follow-up read that fails: the condition's request gets the operation's error", async () => {
      const { session, events } = recorded({
        updateItem: conditionFailed(),
        getItem: () => {
          throw awsError('InternalServerError', 'boom');
        },
      });
      const err = await rejection(session.table(T).atomicPut('users', 'user/1', writeWithPreviousKV({ version: 3 })));
      expect(err.code).to.equal('REQUEST_FAILED');
      expect(completions(events).map((o) => [o.command, o.error === err])).to.deep.equal([
        ['GetItem', true],
        ['UpdateItem', true],
      ]);
      expect(events.at(-1)?.hook).to.equal('operationCompleted');
    });
  });

  describe('operationCompleted', () => {
    it('ends an operation that failed with its error, after all its requests', async () => {
      const { session, events } = recorded({ getItem: {} });
      const err = await rejection(session.table(T).get('users', 'user/1'));
      expect(err.code).to.equal('KEY_NOT_FOUND');
      const ended = events.at(-1) as Extract<Event, { hook: 'operationCompleted' }>;
      expect(ended.outcome.error).to.equal(err);
      // The request itself succeeded: it found nothing.
      expect(completions(events)[0]?.error).to.equal(undefined);
    });

    it('ends iterate when the loop breaks, and list with KEY_NOT_FOUND when nothing matches', async () => {
      const { session, events } = recorded({
        query: [
          { Items: [LIVE], Count: 1, LastEvaluatedKey: KEY },
          { Items: [], Count: 0 },
        ],
      });
      // eslint-disable-next-line @typescript-eslint/no-unused-vars -- only the first item is wanted
      for await (const _ of session.table(T).iterate('users', '')) break;
      expect(events.map((e) => e.hook)).to.deep.equal(['requestBuilt', 'requestCompleted', 'operationCompleted']);
      expect(events.at(-1)?.ctx.operation).to.equal('ListPage');

      events.length = 0;
      restoreMocks();
      const again = recorded({ query: { Items: [], Count: 0 } });
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- list is tested on purpose
      const err = await rejection(again.session.table(T).list('users', 'none/'));
      const ended = again.events.at(-1) as Extract<Event, { hook: 'operationCompleted' }>;
      expect([ended.outcome.operation, ended.outcome.error]).to.deep.equal(['List', err]);
    });

    it('ends iterate with the error its loop failed with', async () => {
      const { session, events } = recorded({
        query: [
          { Items: [LIVE], Count: 1, LastEvaluatedKey: KEY },
          () => {
            throw awsError('InternalServerError', 'boom');
          },
        ],
      });
      const keys: string[] = [];
      const err = await rejection(
        (async () => {
          for await (const kv of session.table(T).iterate('users', '')) keys.push(kv.key);
        })(),
      );
      expect(keys).to.deep.equal(['user/1']);
      const ended = events.at(-1) as Extract<Event, { hook: 'operationCompleted' }>;
      expect([ended.hook, ended.outcome.requests, ended.outcome.error]).to.deep.equal(['operationCompleted', 2, err]);
    });

    it('ends getMany once, after every BatchGetItem of it', async () => {
      const keys = Array.from({ length: 250 }, (_, i) => `user/${i}`);
      const { session, events } = recorded({ batchGetItem: { Responses: { [T]: [] } } });
      await session.table(T).getMany('users', keys);
      expect(events.filter((e) => e.hook === 'requestCompleted')).to.have.length(3);
      expect(events.at(-1)).to.deep.include({ hook: 'operationCompleted' });
      expect((events.at(-1) as { outcome: OperationOutcome }).outcome.requests).to.equal(3);
    });

    it('is not called for an operation that sent nothing (an already-aborted signal)', async () => {
      const { session, events } = recorded({ getItem: {} });
      await rejection(session.table(T).get('users', 'user/1', { signal: AbortSignal.abort() }));
      expect(events).to.deep.equal([]);
    });
  });

  describe('a hook that throws', () => {
    let warnings: Error[];
    const onWarning = (w: Error): void => void warnings.push(w);
    beforeEach(() => {
      warnings = [];
      process.on('warning', onWarning);
    });
    afterEach(() => process.off('warning', onWarning));
    const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

    it('in requestCompleted or operationCompleted: the write succeeds, and the error becomes a process warning', async () => {
      const boom = new Error('hook bug');
      const { session: base, calls } = mockedSession({ updateItem: {} });
      const session = new Session({
        client: base.client,
        hooks: {
          requestCompleted() {
            throw boom;
          },
          operationCompleted() {
            throw boom;
          },
        },
      });
      await session.table(T).put('users', 'user/1', writeWithString('v'));
      expect(calls).to.have.length(1);
      await tick();
      expect(warnings.map((w) => [w.name, w.cause])).to.deep.equal([
        ['DynastoreHookWarning', boom],
        ['DynastoreHookWarning', boom],
      ]);
      expect(warnings[0]?.message).to.contain('hooks.requestCompleted failed: hook bug');
    });

    it('an async requestCompleted that rejects: no unhandled rejection, a warning instead', async () => {
      const escaped: unknown[] = [];
      const onUnhandled = (reason: unknown): void => void escaped.push(reason);
      process.on('unhandledRejection', onUnhandled);
      try {
        const { session: base } = mockedSession({ getItem: { Item: LIVE } });
        const session = new Session({
          client: base.client,
          hooks: { requestCompleted: () => Promise.reject(new Error('async hook bug')) as never },
        });
        await session.table(T).get('users', 'user/1');
        await tick();
        await tick();
        expect(escaped).to.deep.equal([]);
        expect(warnings.map((w) => (w.cause as Error).message)).to.deep.equal(['async hook bug']);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    });

    describe('requestBuilt that throws: nothing is sent', () => {
      const hookThrowing = (value: unknown): Hooks => ({
        requestBuilt() {
          throw value;
        },
      });

      for (const [what, value] of [
        ['a string', 'vetoed'],
        ['undefined', undefined],
        ['null', null],
        ['a plain object', { reason: 'vetoed' }],
        ['an object without a prototype', Object.create(null) as object],
        ['a symbol', Symbol('vetoed')],
        ['a number', 42],
      ] as const) {
        it(`${what}: INVALID_ARGUMENT whose cause is the value`, async () => {
          const { session: base, calls } = mockedSession({ getItem: { Item: LIVE } });
          const session = new Session({ client: base.client, hooks: hookThrowing(value) });
          const err = await rejection(session.table(T).get('users', 'user/1'));
          expect(err.code).to.equal('INVALID_ARGUMENT');
          expect(err.message).to.contain('hooks.requestBuilt threw');
          expect(err.cause).to.equal(value);
          expect(calls).to.have.length(0);
        });
      }

      it('an Error: the operation fails with that very error, as documented', async () => {
        const veto = new RangeError('vetoed');
        // An Error of another realm (a vm context, a worker's) is an Error all the same.
        const foreign = runInNewContext('new Error("vetoed elsewhere")') as unknown;
        for (const error of [veto, foreign]) {
          const { session: base, calls } = mockedSession({ getItem: { Item: LIVE } });
          const session = new Session({ client: base.client, hooks: hookThrowing(error) });
          try {
            await session.table(T).get('users', 'user/1');
            expect.fail('expected the hook to fail the operation');
          } catch (err) {
            expect(err).to.equal(error);
          }
          expect(calls).to.have.length(0);
        }
      });
    });

    describe('what requestBuilt returns', () => {
      it('a context it cannot copy (a Proxy it returned) fails the next request with INVALID_ARGUMENT, not a TypeError', async () => {
        const { session: base } = mockedSession({ updateItem: conditionFailed(), getItem: {} });
        const hostile = new Proxy(
          {},
          {
            ownKeys() {
              throw new TypeError('no keys');
            },
          },
        );
        const session = new Session({ client: base.client, hooks: { requestBuilt: () => hostile as never } });
        const err = await rejection(session.table(T).atomicPut('users', 'user/1', writeWithPreviousKV({ version: 1 })));
        expect(err.code).to.equal('INVALID_ARGUMENT');
        expect((err.cause as Error).message).to.equal('no keys');
      });

      it('a returned object whose then getter throws is a context like any other', async () => {
        const { session: base } = mockedSession({ getItem: { Item: LIVE } });
        const seen: unknown[] = [];
        const odd = Object.defineProperty({}, 'then', {
          get() {
            throw new Error('then');
          },
        });
        const session = new Session({
          client: base.client,
          hooks: { requestBuilt: () => odd as never, requestCompleted: (ctx) => void seen.push(ctx) },
        });
        await session.table(T).get('users', 'user/1');
        expect(seen).to.deep.equal([odd]);
      });
    });

    it('requestCompleted or operationCompleted throwing anything at all: a warning with it as cause, never the operation', async () => {
      const hostileMessage = Object.defineProperty(new Error(), 'message', {
        get() {
          throw new Error('message');
        },
      });
      const values: unknown[] = [
        Symbol('hook'),
        Object.create(null),
        undefined,
        'text',
        hostileMessage,
        { toString: () => ({}) },
      ];
      for (const value of values) {
        warnings = [];
        const { session: base, calls } = mockedSession({ updateItem: {} });
        const session = new Session({
          client: base.client,
          hooks: {
            requestCompleted() {
              throw value;
            },
            // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what a broken hook may do
            operationCompleted: () => Promise.reject(value) as never,
          },
        });
        await session.table(T).put('users', 'user/1', writeWithString('v'));
        expect(calls).to.have.length(1);
        await tick();
        expect(warnings.map((w) => [w.name, w.cause])).to.deep.equal([
          ['DynastoreHookWarning', value],
          ['DynastoreHookWarning', value],
        ]);
        expect(warnings[0]?.message).to.match(
          /^hooks\.requestCompleted failed: .+ \(the operation was not affected\)$/,
        );
      }
    });

    it('a failed write stays the same failure when requestCompleted throws', async () => {
      const { session: base } = mockedSession({ putItem: conditionFailed({ Item: LIVE }) });
      const session = new Session({
        client: base.client,
        hooks: {
          requestCompleted() {
            throw new Error('hook bug');
          },
        },
      });
      expect((await rejection(session.table(T).atomicPut('users', 'user/1'))).code).to.equal('KEY_EXISTS');
    });
  });

  describe('returnConsumedCapacity', () => {
    it("as a session default, every request sends ReturnConsumedCapacity: 'TOTAL', and hooks see the capacity", async () => {
      const capacity = { TableName: T, CapacityUnits: 0.5 };
      const { session, calls, events } = recorded(
        {
          getItem: { Item: LIVE, ConsumedCapacity: capacity },
          batchGetItem: { Responses: { [T]: [] }, ConsumedCapacity: [{ TableName: T, CapacityUnits: 1 }] },
          updateItem: { ConsumedCapacity: { TableName: T, CapacityUnits: 1 } },
          query: { Items: [], Count: 0, ConsumedCapacity: capacity },
          deleteItem: { ConsumedCapacity: { TableName: T, CapacityUnits: 1 } },
          putItem: { ConsumedCapacity: { TableName: T, CapacityUnits: 1 } },
        },
        { returnConsumedCapacity: true },
      );
      const t = session.table(T);
      await t.get('users', 'user/1');
      await t.getMany('users', ['user/1']);
      await t.put('users', 'user/1');
      await t.listPage('users', '');
      await t.delete('users', 'user/1');
      await t.atomicPut('users', 'user/2');
      expect(calls.map((c) => c.params.ReturnConsumedCapacity)).to.deep.equal(Array(6).fill('TOTAL'));
      // requestBuilt saw the params as sent.
      expect(events.filter((e) => e.hook === 'requestBuilt')).to.have.length(6);
      expect(completions(events).map((o) => o.consumedCapacity)).to.deep.equal([
        capacity,
        { TableName: T, CapacityUnits: 1 },
        { TableName: T, CapacityUnits: 1 },
        capacity,
        { TableName: T, CapacityUnits: 1 },
        { TableName: T, CapacityUnits: 1 },
      ]);
    });

    it("an operation's option wins over the session's, both ways", async () => {
      const { session: base, calls } = mockedSession({ getItem: {} });
      const on = new Session({ client: base.client, returnConsumedCapacity: true });
      const off = new Session({ client: base.client });
      await on.table(T).exists('users', 'user/1', { returnConsumedCapacity: false });
      await off.table(T).exists('users', 'user/1', { returnConsumedCapacity: true });
      await off.table(T).exists('users', 'user/1');
      expect(calls.map((c) => c.params.ReturnConsumedCapacity)).to.deep.equal([undefined, 'TOTAL', undefined]);
    });

    it('is accepted by every read and write, and refused when not a boolean', async () => {
      const { session: base } = mockedSession({});
      const t = new Session({ client: base.client }).table(T);
      const bad = { returnConsumedCapacity: 'yes' } as never;
      for (const call of [
        () => t.get('users', 'k', bad),
        () => t.exists('users', 'k', bad),
        () => t.listPage('users', '', bad),
        () => t.getMany('users', ['k'], bad),
        () => t.put('users', 'k', bad),
        () => t.atomicPut('users', 'k', bad),
        () => t.delete('users', 'k', bad),
        () => t.atomicDelete('users', 'k', undefined, bad),
      ]) {
        const err = await rejection(call());
        expect(err.code).to.equal('INVALID_ARGUMENT');
        expect(err.message).to.contain('returnConsumedCapacity');
      }
      expect(() => new Session({ client: base.client, returnConsumedCapacity: 1 as never })).to.throw(
        /returnConsumedCapacity must be a boolean/,
      );
    });
  });

  describe('session validation of hooks', () => {
    for (const [what, hooks, message] of [
      ['a misspelt hook', { requestComplete: () => undefined }, /unknown hook "requestComplete"/],
      ['requestCompleted not a function', { requestCompleted: 'x' }, /hooks.requestCompleted must be a function/],
      ['operationCompleted not a function', { operationCompleted: 1 }, /hooks.operationCompleted must be a function/],
    ] as const) {
      it(`refuses ${what}`, () => {
        const { session: base } = mockedSession({});
        expect(() => new Session({ client: base.client, hooks: hooks as never })).to.throw(DynastoreError, message);
      });
    }
  });
});
