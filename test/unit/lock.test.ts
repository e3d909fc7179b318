// Lock timing without real sleeps: a stubbed DynamoDB that answers (or holds,
// or loses, or fails) each request as the test says, sinon's fake timers, and
// the session's clock reading the fake time. Date is deliberately not faked,
// so a lock that read Date.now instead of the session's clock would be off by
// years and fail these tests. The stub is a v2-shaped client of its own
// rather than aws-sdk-mock (test/helpers/mock.ts), which answers at once:
// these tests hold answers back, deliver them late, or lose them.
import { expect } from 'chai';
import type DynamoDB from 'aws-sdk/clients/dynamodb';
import sinon from 'sinon';
import { DynastoreError, Session, writeWithFields, type Lock, type LockOptions, type Partition } from '../../lib';
import { codeOf, rejection } from '../helpers/expect';
import { awsError } from '../helpers/mock';

const T0 = 1_600_000_000_000;
const MAX_TIMER = 2 ** 31 - 1;

type Command = 'getItem' | 'putItem' | 'updateItem';
type Params = Record<string, unknown> & {
  Key?: DynamoDB.Key;
  Item?: DynamoDB.AttributeMap;
  ConditionExpression?: string;
  UpdateExpression?: string;
  ExpressionAttributeNames?: DynamoDB.ExpressionAttributeNameMap;
  ExpressionAttributeValues?: DynamoDB.ExpressionAttributeValueMap;
  ReturnValuesOnConditionCheckFailure?: string;
};

/**
 * What happens to one request: `answer` applies it and answers (after
 * `latency`); `lose-reply` applies it, loses the answer, and answers as the
 * SDK's retry of the same request would, reporting the retry as the SDK does;
 * `{ beforeRetry }` is `lose-reply` with another process acting between the
 * lost attempt and the retry; `hold` applies it and keeps the answer until
 * the test delivers it; `{ landed }` applies it and fails with that error, as
 * a client does whose reply was lost and that retries no more; an Error
 * fails it unapplied.
 */
type Plan = 'answer' | 'lose-reply' | 'hold' | Error | { beforeRetry: () => Promise<unknown> } | { landed: Error };

/**
 * A DynamoDB of one table, good for the requests locks make: GetItem, and
 * PutItem and UpdateItem with the conditions and update expressions the
 * table builds. Conditions and updates are evaluated, not matched, so the
 * tests do not depend on placeholder numbering.
 */
class FakeDynamo {
  readonly items = new Map<string, DynamoDB.AttributeMap>();
  readonly calls: Array<{ command: Command; params: Params; at: number }> = [];
  /** Answers waiting for `deliver()`. */
  readonly held: Array<() => void> = [];
  /** Whether a failed condition returns the old item, as AWS and DynamoDB Local do; dynalite does not. */
  returnsOldItem = true;
  /** How long an answer takes, in (fake) milliseconds; the write is applied when it is sent. */
  latency = 0;
  private readonly scripts = new Map<Command, Plan[]>();

  constructor(private readonly now: () => number) {}

  /** Plans for the next requests of `command`, in order; the ones after them are answered. */
  script(command: Command, ...plans: Plan[]): void {
    this.scripts.set(command, [...(this.scripts.get(command) ?? []), ...plans]);
  }

  deliver(): void {
    for (const answer of this.held.splice(0)) answer();
  }

  count(command: Command): number {
    return this.calls.filter((c) => c.command === command).length;
  }

  /** The stored lock item's fields. */
  lockItem(key: string): { version: number; owner?: string; state?: string; leaseUntil?: number } {
    const item = this.items.get(itemId({ id: { S: 'jobs' }, name: { S: key } }));
    if (item === undefined) throw new Error(`no item ${key}`);
    return {
      version: Number(item.version?.N),
      owner: item.owner?.S,
      state: item.state?.S,
      leaseUntil: item.leaseUntil?.N === undefined ? undefined : Number(item.leaseUntil.N),
    };
  }

  getItem(params: Params): FakeRequest {
    return this.request('getItem', params);
  }

  putItem(params: Params): FakeRequest {
    return this.request('putItem', params);
  }

  updateItem(params: Params): FakeRequest {
    return this.request('updateItem', params);
  }

  private request(command: Command, params: Params): FakeRequest {
    this.calls.push({ command, params, at: this.now() });
    const plan = this.scripts.get(command)?.shift() ?? 'answer';
    const run = (): { data?: unknown; error?: Error } => {
      try {
        return { data: this.apply(command, params) };
      } catch (error) {
        return { error: error as Error };
      }
    };
    let outcome: Promise<{ data?: unknown; error?: Error }>;
    if (plan instanceof Error) outcome = Promise.resolve({ error: plan });
    else if (typeof plan === 'object' && 'landed' in plan) {
      run();
      outcome = Promise.resolve({ error: plan.landed });
    } else if (typeof plan === 'object') {
      run();
      outcome = plan.beforeRetry().then(run);
    } else {
      if (plan === 'lose-reply') run();
      outcome = Promise.resolve(run());
    }
    const promise = new Promise((resolve, reject) => {
      const settle = (): void => {
        void outcome.then(({ data, error }) => (error === undefined ? resolve(data) : reject(error)));
      };
      if (plan === 'hold') this.held.push(settle);
      else if (this.latency > 0) setTimeout(settle, this.latency);
      else void Promise.resolve().then(settle);
    });
    const retried = plan === 'lose-reply' || (typeof plan === 'object' && 'beforeRetry' in plan);
    // An abort does not stop a write that was sent: the worst case for the lock.
    return { promise: () => promise, abort: () => undefined, response: { retryCount: retried ? 1 : 0 } };
  }

  private apply(command: Command, params: Params): unknown {
    const id = itemId(params.Key ?? (params.Item as DynamoDB.Key));
    const current = this.items.get(id);
    if (command === 'getItem') return current === undefined ? {} : { Item: structuredClone(current) };
    if (params.ConditionExpression !== undefined && !evaluate(params, current)) {
      const extra: Record<string, unknown> = {};
      if (this.returnsOldItem && params.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && current !== undefined) {
        extra.Item = structuredClone(current);
      }
      throw awsError('ConditionalCheckFailedException', 'The conditional request failed', extra);
    }
    if (command === 'putItem') {
      this.items.set(id, structuredClone(params.Item as DynamoDB.AttributeMap));
      return {};
    }
    const next = update(params, structuredClone(current ?? { ...(params.Key as DynamoDB.AttributeMap) }));
    this.items.set(id, next);
    return { Attributes: structuredClone(next) };
  }
}

interface FakeRequest {
  promise(): Promise<unknown>;
  abort(): void;
  response: { retryCount: number };
}

function itemId(key: DynamoDB.Key): string {
  return `${key.id?.S}\u0000${key.name?.S}`;
}

/** Evaluates the condition expressions the table builds: comparisons, BETWEEN, attribute_(not_)exists, NOT, AND, OR, parentheses. */
function evaluate(params: Params, item: DynamoDB.AttributeMap | undefined): boolean {
  const tokens = (params.ConditionExpression ?? '').match(/\(|\)|<=|>=|<>|=|<|>|[#:\w]+/g) ?? [];
  let i = 0;
  const operand = (token: string): DynamoDB.AttributeValue | undefined =>
    token.startsWith(':')
      ? params.ExpressionAttributeValues?.[token]
      : item?.[params.ExpressionAttributeNames?.[token] ?? token];
  const factor = (): boolean => {
    const token = tokens[i++] as string;
    if (token === '(') {
      const value = or();
      i++; // ')'
      return value;
    }
    if (token === 'NOT') return !factor();
    if (token === 'attribute_not_exists' || token === 'attribute_exists') {
      const name = tokens[i + 1] as string;
      i += 3;
      return (operand(name) === undefined) === (token === 'attribute_not_exists');
    }
    const op = tokens[i++] as string;
    const a = operand(token);
    if (op === 'BETWEEN') {
      const low = operand(tokens[i++] as string);
      i++; // 'AND'
      const high = operand(tokens[i++] as string);
      if (a?.N === undefined || low?.N === undefined || high?.N === undefined) return false;
      return Number(a.N) >= Number(low.N) && Number(a.N) <= Number(high.N);
    }
    const b = operand(tokens[i++] as string);
    // DynamoDB compares values of different types as unequal, never in order.
    if (a === undefined || b === undefined || (a.N === undefined) !== (b.N === undefined)) return false;
    const x: number | string = a.N !== undefined ? Number(a.N) : JSON.stringify(a);
    const y: number | string = b.N !== undefined ? Number(b.N) : JSON.stringify(b);
    switch (op) {
      case '=':
        return x === y;
      case '<>':
        return x !== y;
      case '<':
        return x < y;
      case '<=':
        return x <= y;
      case '>':
        return x > y;
      default:
        return x >= y;
    }
  };
  const and = (): boolean => {
    let value = factor();
    while (tokens[i] === 'AND') {
      i++;
      value = factor() && value;
    }
    return value;
  };
  const or = (): boolean => {
    let value = and();
    while (tokens[i] === 'OR') {
      i++;
      value = and() || value;
    }
    return value;
  };
  return or();
}

/** Applies the update expressions the table builds: SET a = :v, …  REMOVE a, …  ADD a :v. */
function update(params: Params, item: DynamoDB.AttributeMap): DynamoDB.AttributeMap {
  const name = (placeholder: string): string => params.ExpressionAttributeNames?.[placeholder] ?? placeholder;
  const value = (placeholder: string): DynamoDB.AttributeValue =>
    params.ExpressionAttributeValues?.[placeholder] as DynamoDB.AttributeValue;
  for (const [, clause, body] of (params.UpdateExpression ?? '').matchAll(
    /(SET|REMOVE|ADD)\s+(.*?)(?=\s+(?:SET|REMOVE|ADD)\s|$)/g,
  )) {
    for (const part of (body as string).split(',').map((s) => s.trim())) {
      if (clause === 'SET') {
        const [a, v] = part.split(/\s*=\s*/) as [string, string];
        item[name(a)] = value(v);
      } else if (clause === 'REMOVE') {
        Reflect.deleteProperty(item, name(part));
      } else {
        const [a, v] = part.split(/\s+/) as [string, string];
        item[name(a)] = { N: String(Number(item[name(a)]?.N ?? 0) + Number(value(v).N)) };
      }
    }
  }
  return item;
}

function reason(lock: Lock): DynastoreError {
  expect(lock.signal.aborted, 'the lock signal is aborted').to.equal(true);
  expect(lock.signal.reason).to.be.instanceOf(DynastoreError);
  return lock.signal.reason as DynastoreError;
}

describe('locks (stubbed DynamoDB, fake timers)', () => {
  let timers: sinon.SinonFakeTimers;
  let db: FakeDynamo;
  /** A partition of the fake table, whose session's clock is the fake time. */
  let jobs: Partition;
  /** Another process on the same table and clock. */
  let other: Partition;

  const partition = (): Partition =>
    new Session({ client: db as unknown as DynamoDB, clock: () => timers.now }).table('locks').partition('jobs');
  /** Lets every answer and promise settle, timers included, up to `ms` from now. */
  const advance = (ms: number): Promise<number> => timers.tickAsync(ms);
  const elapsed = (): number => timers.now - T0;

  beforeEach(() => {
    timers = sinon.useFakeTimers({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    db = new FakeDynamo(() => timers.now);
    jobs = partition();
    other = partition();
  });

  afterEach(() => {
    timers.restore();
    sinon.restore();
  });

  describe('options', () => {
    async function refused(options: object, mention: string): Promise<void> {
      for (const attempt of [jobs.lock('k', options), jobs.tryLock('k', options)]) {
        const err = await rejection(attempt);
        expect(err.code, JSON.stringify(options)).to.equal('INVALID_ARGUMENT');
        expect(err.message, JSON.stringify(options)).to.contain(mention);
      }
      expect(db.calls, 'nothing is sent').to.deep.equal([]);
    }

    it('refuses a heartbeat above half the ttl: heartbeat 950 with ttl 1000 would always lose a healthy lock', async () => {
      await refused({ ttl: 1000, heartbeat: 950 }, 'heartbeat');
      await refused({ ttl: 1000, heartbeat: 501 }, 'heartbeat');
      await refused({ heartbeat: 10_001 }, 'heartbeat'); // the default ttl is 20 s
      await refused({ ttl: 1000, heartbeat: 99 }, 'heartbeat');
      await refused({ ttl: 1000, heartbeat: Number.NaN }, 'heartbeat');
    });

    it("refuses a ttl under 1000 ms: a renewal must have 400 ms, for a round trip and the SDK's first retries", async () => {
      await refused({ ttl: 1 }, 'ttl');
      await refused({ ttl: 999 }, 'ttl');
      await refused({ ttl: 0 }, 'ttl');
    });

    it("refuses a ttl or heartbeat beyond Node's timer limit, naming the option", async () => {
      await refused({ ttl: 30 * 24 * 3600 * 1000 }, 'ttl');
      await refused({ ttl: MAX_TIMER + 1 }, 'ttl');
      await refused({ ttl: MAX_TIMER, heartbeat: 2.2e9 }, 'heartbeat');
    });

    it('a huge ttl fails naming ttl, the option the caller gave, not an internal field', async () => {
      for (const ttl of [1e300, Number.MAX_VALUE, Infinity]) {
        const err = await rejection(jobs.lock('k', { ttl }));
        expect(err.code).to.equal('INVALID_ARGUMENT');
        expect(err.message).to.contain('ttl');
        expect(err.message).to.not.contain('leaseUntil');
      }
      expect(db.calls).to.deep.equal([]);
    });

    it('checks value as a put checks it, before the first read: a lone surrogate, an item over 400 KB', async () => {
      await refused({ value: 'held by \uD800' }, 'value');
      await refused({ value: 'x'.repeat(400 * 1024) }, '400 KB');
    });

    it('takes only a plain object: a Map, a Date, an AbortSignal, a class instance or an inheriting object is refused', async () => {
      for (const options of [
        new Map([['ttl', 5000]]),
        new Date(),
        AbortSignal.abort(),
        new (class Options {
          ttl = 5000;
        })(),
        Object.create({ ttl: 5000 }),
        [],
      ]) {
        await refused(options as object, 'plain object');
      }
      for (const attempt of [jobs.lock('k', null as never), jobs.tryLock('k', 5 as never)]) {
        expect((await rejection(attempt)).code).to.equal('INVALID_ARGUMENT');
      }
      expect(db.calls).to.deep.equal([]);
    });

    it('a Proxy or getter that throws while the options are read is INVALID_ARGUMENT, with the thrown error as cause', async () => {
      const boom = new Error('trap');
      const trap = (): never => {
        throw boom;
      };
      for (const options of [
        new Proxy({}, { ownKeys: trap }),
        new Proxy({}, { getPrototypeOf: trap }),
        Object.defineProperty({}, 'ttl', { enumerable: true, get: trap }),
      ]) {
        const err = await rejection(jobs.tryLock('k', options));
        expect(err.code).to.equal('INVALID_ARGUMENT');
        expect(err.cause).to.equal(boom);
      }
      expect(db.calls).to.deep.equal([]);
    });

    it('refuses wait and retry that are not finite, and accepts any finite size: no timer gets them as they are', async () => {
      await refused({ wait: Infinity }, 'wait');
      await refused({ retry: Infinity }, 'retry');
      await refused({ retry: 0 }, 'retry');
      const holder = await jobs.lock('k', { ttl: 5000 });
      db.calls.length = 0;
      sinon.stub(Math, 'random').returns(0.999);
      const waiting = other.lock('k', { ttl: 1000, wait: 1e15, retry: 3e9 });
      const outcome = codeOf(waiting);
      await advance(4000);
      // Each pause is at most the waiter's ttl, however large retry is: a 3e9 ms timer would fire at once.
      const gets = db.calls.filter((c) => c.command === 'getItem').map((c) => c.at - T0);
      expect(gets.length).to.be.within(4, 5);
      for (let n = 1; n < gets.length; n++) expect(gets[n]! - gets[n - 1]!).to.be.within(50, 1000);
      expect(await holder.release()).to.equal(true);
      await advance(1000);
      expect(await outcome).to.equal('no error');
      const lock = await waiting;
      await lock.release();
    });
  });

  describe('heartbeats and deadlines', () => {
    it('the heartbeat renews every heartbeat after the last renewal was sent, with leaseUntil from the session clock', async () => {
      const lock = await jobs.lock('k', { ttl: 3000, heartbeat: 1000 });
      expect(db.lockItem('k').leaseUntil).to.equal(T0 + 3000);
      await advance(999);
      expect(db.count('updateItem')).to.equal(0);
      await advance(1);
      expect(db.count('updateItem')).to.equal(1);
      expect(db.lockItem('k').leaseUntil).to.equal(T0 + 1000 + 3000);
      await advance(9000);
      expect(db.count('updateItem')).to.equal(10);
      expect(db.lockItem('k')).to.include({ state: 'held', leaseUntil: T0 + 10_000 + 3000 });
      expect(lock.signal.aborted).to.equal(false);
      expect(await lock.release()).to.equal(true);
      expect(timers.countTimers(), 'no timer is left armed').to.equal(0);
    });

    it('the holder gives its lease up at 0.9 × ttl, before anyone else may take it', async () => {
      const lock = await jobs.lock('k', { ttl: 1000, heartbeat: false });
      await advance(899);
      expect(lock.signal.aborted).to.equal(false);
      await advance(1);
      expect(reason(lock).code).to.equal('KEY_MODIFIED');
      expect(reason(lock).message).to.contain('ran out');
      await advance(99);
      expect(await other.tryLock('k', { heartbeat: false }), 'still leased at 999 ms').to.equal(undefined);
      await advance(1);
      const successor = await other.tryLock('k', { heartbeat: false });
      expect(successor, 'free at 1000 ms').to.not.equal(undefined);
      expect(successor!.fencingToken).to.be.greaterThan(lock.fencingToken);
      expect(await lock.renew()).to.equal(false);
      expect(await lock.release()).to.equal(false);
      expect(db.lockItem('k').state, 'the successor still holds it').to.equal('held');
    });

    it('every boundary the validator accepts keeps a healthy lock held (100 ms round trips)', async function () {
      this.timeout(60_000);
      const cases: LockOptions[] = [
        { ttl: 1000, heartbeat: 500 },
        { ttl: 1000, heartbeat: 100 },
        { ttl: 1000 },
        { ttl: MAX_TIMER, heartbeat: MAX_TIMER / 2 },
        { ttl: MAX_TIMER },
      ];
      for (const options of cases) {
        const key = `k-${JSON.stringify(options)}`;
        db.latency = 0;
        const lock = await jobs.lock(key, options);
        db.latency = 100;
        await advance(5 * (options.ttl ?? 0));
        expect(lock.signal.aborted, JSON.stringify(options)).to.equal(false);
        expect(db.count('updateItem')).to.be.at.least(5);
        db.latency = 0;
        expect(await other.tryLock(key, { heartbeat: false })).to.equal(undefined);
        await advance(100); // a renewal may still be on its way
        expect(await lock.release(), JSON.stringify(options)).to.equal(true);
        db.calls.length = 0;
      }
    });

    it('a renewal still under way when the lease runs out resolves false, and its late answer re-arms nothing', async () => {
      const lock = await jobs.lock('k', { ttl: 1000, heartbeat: false });
      await advance(100);
      db.script('updateItem', 'hold');
      const renewing = lock.renew();
      await advance(799);
      expect(lock.signal.aborted).to.equal(false);
      await advance(1);
      expect(reason(lock).code).to.equal('REQUEST_FAILED');
      expect(reason(lock).message).to.contain('still under way');
      // The write landed; its answer comes after the lock ended.
      db.deliver();
      expect(await renewing).to.equal(false);
      await advance(0);
      expect(timers.countTimers(), 'no timer is armed after the lock ended').to.equal(0);
      expect(lock.signal.aborted).to.equal(true);
      expect(await lock.renew()).to.equal(false);
      expect(db.count('updateItem')).to.equal(1);
    });

    it('a heartbeat renewal still under way when the lease runs out: no heartbeat and no deadline are armed again', async () => {
      const lock = await jobs.lock('k', { ttl: 1000, heartbeat: 500 });
      db.script('updateItem', 'hold');
      await advance(900);
      expect(db.count('updateItem')).to.equal(1);
      expect(reason(lock).code).to.equal('REQUEST_FAILED');
      db.deliver();
      await advance(0);
      expect(timers.countTimers()).to.equal(0);
      await advance(10_000);
      expect(db.count('updateItem'), 'no renewal after the lock ended').to.equal(1);
      expect(await lock.release()).to.equal(false);
    });

    it('a heartbeat renewal that completes after release() was called arms no further heartbeat', async () => {
      const lock = await jobs.lock('k', { ttl: 1000, heartbeat: 500 });
      db.script('updateItem', 'hold');
      await advance(500);
      expect(db.count('updateItem')).to.equal(1);
      const releasing = lock.release();
      await advance(100);
      db.deliver();
      expect(await releasing).to.equal(true);
      expect(reason(lock).code).to.equal('ABORTED');
      expect(db.lockItem('k').state).to.equal('released');
      expect(timers.countTimers()).to.equal(0);
      await advance(10_000);
      expect(db.count('updateItem')).to.equal(2);
    });

    it('renew() resolves true only while the lock is live', async () => {
      const lock = await jobs.lock('k', { ttl: 1000, heartbeat: false });
      expect(await lock.renew()).to.equal(true);
      await advance(800);
      expect(await lock.renew(), 'renewed at 800 ms: live until 1700').to.equal(true);
      await advance(800);
      expect(lock.signal.aborted).to.equal(false);
      expect(await lock.release()).to.equal(true);
      expect(await lock.renew(), 'after release').to.equal(false);

      const lost = await jobs.lock('taken', { ttl: 1000, heartbeat: false });
      // Another process that believes the lease is over takes it.
      const ahead = new Session({ client: db as unknown as DynamoDB, clock: () => timers.now + 5000 })
        .table('locks')
        .partition('jobs');
      expect(await ahead.tryLock('taken', { heartbeat: false })).to.not.equal(undefined);
      expect(await lost.renew(), 'after a takeover').to.equal(false);
      expect(reason(lost).code).to.equal('KEY_MODIFIED');
    });
  });

  describe('an acquire answered late', () => {
    it('tryLock answered at 0.9 × ttl after sending hands out no lock, and frees the item at once', async () => {
      db.script('putItem', 'hold');
      const trying = jobs.tryLock('k', { ttl: 1000, heartbeat: false });
      await advance(900);
      // The write landed when sent; its answer comes only now, when the holder would give the lease up.
      db.deliver();
      expect(await trying).to.equal(undefined);
      expect(db.lockItem('k'), 'released, not left held until leaseUntil').to.include({
        version: 2,
        state: 'released',
      });
      expect(timers.countTimers(), 'no timer of a lock nobody got').to.equal(0);
      const next = await other.tryLock('k', { ttl: 1000, heartbeat: false });
      expect(next, 'free at once').to.not.equal(undefined);
      expect(await next!.release()).to.equal(true);
    });

    it('tryLock answered just before 0.9 × ttl hands out a live lock, given up at 0.9 × ttl', async () => {
      db.script('putItem', 'hold');
      const trying = jobs.tryLock('k', { ttl: 1000, heartbeat: false });
      await advance(899);
      db.deliver();
      const lock = await trying;
      expect(lock?.signal.aborted).to.equal(false);
      await advance(1);
      expect(reason(lock!).code).to.equal('KEY_MODIFIED');
    });

    it('lock() answered late keeps waiting, then takes the lock with a whole lease', async () => {
      await (await jobs.lock('k', { heartbeat: false })).release(); // versions 1 and 2
      db.script('updateItem', 'hold');
      let acquired: Lock | undefined;
      const waiting = other.lock('k', { ttl: 1000, heartbeat: false }).then((lock) => (acquired = lock));
      await advance(950);
      db.deliver();
      await advance(0);
      expect(acquired, 'not handed out').to.equal(undefined);
      expect(db.lockItem('k')).to.include({ version: 4, state: 'released' });
      await advance(100); // the next attempt, after at least 50 ms
      const lock = await waiting;
      expect(lock.fencingToken).to.equal(5);
      expect(db.lockItem('k')).to.include({ version: 5, state: 'held' });
      await advance(800);
      expect(lock.signal.aborted, 'a whole lease from its own write').to.equal(false);
      expect(await lock.release()).to.equal(true);
    });
  });

  describe('waiters', () => {
    it('a waiter makes at most 20 attempts a second, whatever its options', async () => {
      const holder = await jobs.lock('k', { ttl: 20_000 });
      db.calls.length = 0;
      const controller = new AbortController();
      const waiting = codeOf(other.lock('k', { ttl: 1000, retry: 1e-9, signal: controller.signal }));
      await advance(10_000);
      controller.abort(new Error('enough'));
      expect(await waiting).to.equal('ABORTED');
      const gets = db.count('getItem');
      expect(gets, `${gets} GetItems in 10 s`).to.be.within(1, 10_000 / 50 + 1);
      await holder.release();
    });

    it("a waiter takes a crashed holder's lock as soon as its lease ends, not up to a ttl later", async () => {
      sinon.stub(Math, 'random').returns(0.999);
      await jobs.lock('k', { ttl: 10_000, heartbeat: false }); // never released
      let acquiredAt = 0;
      const waiting = other.lock('k').then((lock) => {
        acquiredAt = elapsed();
        return lock;
      });
      await advance(9_999);
      expect(acquiredAt).to.equal(0);
      await advance(100);
      expect(acquiredAt).to.be.within(10_000, 10_050);
      await (await waiting).release();
    });

    it('lock() gives up after wait, by the session clock', async () => {
      await jobs.lock('k', { ttl: 60_000 });
      let failedAt = 0;
      const waiting = codeOf(other.lock('k', { wait: 1500 })).then((code) => {
        failedAt = elapsed();
        return code;
      });
      await advance(1499);
      expect(failedAt).to.equal(0);
      await advance(1);
      expect(await waiting).to.equal('KEY_EXISTS');
      expect(failedAt).to.equal(1500);
    });
  });

  describe('lost replies and outages', () => {
    for (const returnsOldItem of [true, false]) {
      const server = returnsOldItem ? 'a server that returns the old item' : 'a server that does not (dynalite)';

      it(`a lost reply on acquire gives the caller its lock, new or released (${server})`, async () => {
        db.returnsOldItem = returnsOldItem;
        db.script('putItem', 'lose-reply');
        const first = await jobs.tryLock('k', { heartbeat: false });
        expect(first, 'created').to.not.equal(undefined);
        expect(first!.fencingToken).to.equal(db.lockItem('k').version);
        expect(await first!.release()).to.equal(true);

        db.script('updateItem', 'lose-reply');
        const second = await jobs.lock('k', { heartbeat: false, wait: 0 });
        expect(second.fencingToken).to.equal(db.lockItem('k').version);
        expect(db.lockItem('k').state).to.equal('held');
        expect(await second.release()).to.equal(true);
      });

      it(`a lost reply on renew resolves true, and on release resolves true (${server})`, async () => {
        db.returnsOldItem = returnsOldItem;
        const lock = await jobs.lock('k', { heartbeat: false });
        db.script('updateItem', 'lose-reply');
        expect(await lock.renew()).to.equal(true);
        expect(lock.signal.aborted).to.equal(false);
        expect(await lock.renew(), 'the next renewal compares with the version written').to.equal(true);
        db.script('updateItem', 'lose-reply');
        expect(await lock.release()).to.equal(true);
        expect(reason(lock).code).to.equal('ABORTED');
        expect(db.lockItem('k').state).to.equal('released');
      });
    }

    for (const returnsOldItem of [true, false]) {
      const server = returnsOldItem ? 'a server that returns the old item' : 'a server that does not (dynalite)';

      it(`a release whose reply is lost, the lock taken by a waiter before the SDK's retry, resolves true (${server})`, async () => {
        db.returnsOldItem = returnsOldItem;
        const lock = await jobs.lock('k', { heartbeat: false });
        let waiter: Lock | undefined;
        db.script('updateItem', {
          beforeRetry: async () => {
            waiter = await other.tryLock('k', { heartbeat: false });
          },
        });
        expect(await lock.release()).to.equal(true);
        expect(reason(lock).code).to.equal('ABORTED');
        expect(waiter, 'the waiter took the lock the release freed').to.not.equal(undefined);
        expect(waiter!.fencingToken).to.equal(lock.fencingToken + 2);
        expect(db.lockItem('k')).to.include({ version: lock.fencingToken + 2, state: 'held' });
        expect(await waiter!.release()).to.equal(true);
      });
    }

    it("someone else's write ends the lock: a renewal on atomicPut's answer alone, a release once a read finds that write where its own would be", async () => {
      const renewed = await jobs.lock('renewed', { heartbeat: false });
      const released = await jobs.lock('released', { heartbeat: false });
      const takeover = writeWithFields({ owner: 'someone else', state: 'held', leaseUntil: T0 + 60_000 });
      await other.put('renewed', takeover);
      await other.put('released', takeover);
      db.calls.length = 0;
      expect(await renewed.renew()).to.equal(false);
      expect(reason(renewed).code).to.equal('KEY_MODIFIED');
      expect(await released.release()).to.equal(false);
      expect(reason(released).code).to.equal('KEY_MODIFIED');
      expect(db.calls.map((c) => c.command)).to.deep.equal(['updateItem', 'updateItem', 'getItem']);
      expect(db.lockItem('released')).to.include({ owner: 'someone else', state: 'held' });
    });

    it('a release whose compare fails once its lease has run out is lost, whatever the item holds', async () => {
      const lock = await jobs.lock('k', { ttl: 1000, heartbeat: false });
      await advance(800);
      // Two writes that ignore the lease: the item is past the version the release would write.
      const takeover = writeWithFields({ owner: 'someone else', state: 'held', leaseUntil: T0 + 60_000 });
      await other.put('k', takeover);
      await other.put('k', takeover);
      // Answered at 900 ms, when the holder gives the lease up.
      db.latency = 100;
      db.calls.length = 0;
      const releasing = lock.release();
      await advance(100);
      expect(await releasing).to.equal(false);
      expect(db.count('getItem'), 'no read after the lease ran out').to.equal(0);
      expect(reason(lock).code).to.not.equal('ABORTED');
    });

    const outage = (): Error => Object.assign(awsError('ServiceUnavailable', 'down'), { statusCode: 503 });

    it('an outage while atomicPut checks a lost reply, and on the read that looks for the write, is REQUEST_FAILED: never KEY_MODIFIED, never a busy lock', async () => {
      db.returnsOldItem = false;
      const lock = await jobs.lock('renewed', { heartbeat: false });
      db.script('updateItem', 'lose-reply');
      db.script('getItem', outage());
      expect(await lock.renew()).to.equal(false);
      expect(reason(lock).code).to.equal('REQUEST_FAILED');

      const released = await jobs.lock('released', { heartbeat: false });
      db.script('updateItem', 'lose-reply');
      db.script('getItem', outage(), outage());
      expect(await released.release()).to.equal(false);
      expect(reason(released).code).to.equal('REQUEST_FAILED');

      // tryLock's own read answers; the check read after the lost reply does not, nor the lock's read after it.
      db.script('putItem', 'lose-reply');
      db.script('getItem', 'answer', outage(), outage());
      expect((await rejection(jobs.tryLock('acquired'))).code).to.equal('REQUEST_FAILED');
      db.script('updateItem', 'lose-reply');
      db.script('getItem', 'answer', outage(), outage());
      expect((await rejection(jobs.lock('released'))).code, 'lock() does not wait on as if busy').to.equal(
        'REQUEST_FAILED',
      );
      // Documented: what landed stays held by nobody until its leaseUntil.
      expect(db.lockItem('acquired').state).to.equal('held');
    });

    it('an outage while atomicPut checks a lost reply: one read finds the write landed, so the lock is got and released', async () => {
      db.returnsOldItem = false;
      db.script('putItem', 'lose-reply');
      db.script('getItem', 'answer', outage());
      const lock = await jobs.tryLock('k', { heartbeat: false });
      expect(lock?.fencingToken).to.equal(1);
      expect(db.lockItem('k')).to.include({ version: 1, state: 'held' });
      db.script('updateItem', 'lose-reply');
      db.script('getItem', outage());
      expect(await lock!.release()).to.equal(true);
      expect(reason(lock!).code).to.equal('ABORTED');
      expect(db.lockItem('k')).to.include({ version: 2, state: 'released' });
    });

    const lostForGood = (): Error => Object.assign(awsError('NetworkingError', 'socket hang up'), { statusCode: 0 });

    it('a write that landed but whose answer never came (a client that does not retry): acquire and release are found by one read', async () => {
      db.script('putItem', { landed: lostForGood() });
      const first = await jobs.tryLock('k', { heartbeat: false });
      expect(first, 'the caller gets the lock its write took').to.not.equal(undefined);
      expect(first!.fencingToken).to.equal(1);
      expect(db.lockItem('k')).to.include({ version: 1, state: 'held' });
      expect(first!.signal.aborted).to.equal(false);
      db.script('updateItem', { landed: lostForGood() });
      expect(await first!.release()).to.equal(true);
      expect(reason(first!).code).to.equal('ABORTED');
      expect(db.lockItem('k')).to.include({ version: 2, state: 'released' });

      db.script('updateItem', { landed: lostForGood() });
      const second = await jobs.lock('k', { heartbeat: false, wait: 0 });
      expect(second.fencingToken).to.equal(3);
      expect(await second.release()).to.equal(true);
      expect(db.count('getItem'), 'the lock reads, then one read per write in doubt').to.equal(5);
    });

    it('a write that did not land and got no answer is REQUEST_FAILED, even when the read after it answers', async () => {
      db.script('putItem', lostForGood());
      expect((await rejection(jobs.tryLock('k'))).code).to.equal('REQUEST_FAILED');
      const lock = await jobs.lock('k', { heartbeat: false });
      db.script('updateItem', lostForGood());
      expect(await lock.release()).to.equal(false);
      expect(reason(lock).code).to.equal('REQUEST_FAILED');
      expect(db.lockItem('k').state).to.equal('held');
    });

    it('a write that landed, found by a read at or after 0.9 × ttl, hands out no lock and frees the item', async () => {
      db.latency = 450;
      db.script('putItem', { landed: lostForGood() });
      const trying = jobs.tryLock('k', { ttl: 1000, heartbeat: false });
      await advance(2000);
      expect(await trying).to.equal(undefined);
      expect(db.lockItem('k')).to.include({ version: 2, state: 'released' });
    });

    it('an outage on acquire is REQUEST_FAILED, not a busy lock', async () => {
      db.script('putItem', outage());
      expect((await rejection(jobs.tryLock('k'))).code).to.equal('REQUEST_FAILED');
      db.script('getItem', outage());
      expect((await rejection(jobs.lock('k'))).code).to.equal('REQUEST_FAILED');
    });
  });
});
