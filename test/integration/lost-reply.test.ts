// Lost replies: DynamoDB applied a write, but its reply never reached the
// caller, so the SDK (at its default retry settings, as users run it) sent the
// write again; a few cases use a client that does not retry
// or lose every reply until the retries run out. Every answer must be what
// DynamoDB holds afterwards, read straight from the server, never through
// the proxy.
import { expect } from 'chai';
import type DynamoDB from 'aws-sdk/clients/dynamodb';
import {
  DynastoreError,
  Session,
  writeWithAttributeValue,
  writeWithFields,
  writeWithKeepTTL,
  writeWithPreviousKV,
  writeWithString,
  type AttributeValue,
  type FieldValue,
  type KVPair,
  type Lock,
  type Partition,
} from '../../lib';
import { rejection } from '../helpers/expect';
import { faultProxy, type Fault, type FaultProxy, type Plan } from '../helpers/proxy';
import { record } from '../helpers/report';
import { DEFAULT_ATTEMPTS, forEachTarget } from '../helpers/sdk';
import { createTable, rawClient } from '../helpers/server';

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);
const internal: Fault = { status: 500, type: 'InternalServerError' };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Where a case runs. */
interface Stage {
  /** The partition through the fault proxy. */
  through: Partition;
  /** The same partition straight to the server: the reader of what DynamoDB holds, and the other writer. */
  direct: Partition;
  /** Straight to the server, by a clock far enough ahead that every lease it reads has run out. */
  ahead: Partition;
  key: string;
  /** How many of the write's replies are lost. */
  lost: number;
}

/** The write under test, its stage set. */
interface Write {
  /** Sends it. A lock's `false` rejects with the lock signal's reason, so every failure is a rejection. */
  send(): Promise<unknown>;
  /** Asserts that DynamoDB holds this very write, whatever the caller was told. */
  landed(): Promise<void>;
  /** Asserts that the answer is this write's success. */
  answered(answer: unknown): Promise<void>;
}

/**
 * What tells a retry whose condition failed that an earlier attempt of its own
 * landed: the stored item, which DynamoDB Local and AWS return with the
 * failure and dynalite leaves to one consistent read; the item's absence,
 * which only a read shows; or nothing, where the retry cannot fail on its own
 * write.
 */
type Witness = 'item' | 'absence' | 'none';

interface Case {
  name: string;
  witness: Witness;
  /** Sets the stage, straight to the server or through the proxy before any reply is lost; the write. */
  prepare(s: Stage): Promise<Write>;
}

interface LockFields {
  owner?: string;
  state?: string;
  leaseUntil?: number;
}

/** A pair as a plain object, to compare with what is stored. */
function view(kv: KVPair): object {
  const { partition, key, version, expires, value, fields } = kv;
  return { partition, key, version, expires, value, fields };
}

/** Asserts that no item is stored at the key. */
async function expectGone(s: Stage): Promise<void> {
  expect(await s.direct.exists(s.key)).to.equal(false);
}

/** A lock's answer: true, or its signal's reason (why it is not held) as the rejection. */
async function lockAnswer(lock: Lock, write: Promise<boolean>): Promise<true> {
  if (await write) return true;
  throw lock.signal.reason;
}

/** Asserts that the stored lock item is held at the lock's fencing token, and that nobody else can take it. */
async function expectHeldBy(s: Stage, lock: Lock | undefined): Promise<void> {
  expect(lock, 'the caller gets its lock').to.be.an('object');
  const stored = await s.direct.get(s.key);
  expect(stored.decodeFields<LockFields>().state).to.equal('held');
  expect(stored.version).to.equal(lock?.fencingToken);
  expect(lock?.signal.aborted, 'the lock is live').to.equal(false);
  expect(await s.direct.tryLock(s.key, { heartbeat: false }), 'another session finds it busy').to.equal(undefined);
  expect(await lock?.release()).to.equal(true);
}

/**
 * A payload of every kind DynamoDB stores, numbers spelled as DynamoDB does
 * not keep them: the stored item must still read as this very write.
 */
const EVERY_KIND: AttributeValue = {
  M: {
    s: { S: 'mine' },
    n: { N: '1.50' },
    e: { N: '-0.0120e3' },
    b: { B: Buffer.from([0, 1, 254, 255]) },
    t: { BOOL: true },
    z: { NULL: true },
    ss: { SS: ['b', 'a'] },
    ns: { NS: ['2.50', '10'] },
    bs: { BS: [Buffer.from('x'), Buffer.from('y')] },
    l: { L: [{ S: 'x' }, { N: '3.0' }, { M: {} }] },
  },
};

/** An atomicPut (from `previous` when given) of a string payload, or of every kind of value, landed at `version`. */
function atomicPutCase(s: Stage, version: number, previous?: KVPair, everyKind = false): Write {
  const options = previous === undefined ? {} : writeWithPreviousKV(previous);
  const fields: Record<string, FieldValue> = everyKind
    ? { n: version, bytes: Uint8Array.from([1, 2, 3]), flag: false, ratio: 0.5 }
    : { n: version };
  const stored = async (): Promise<KVPair> => {
    const kv = await s.direct.get(s.key);
    expect(kv.version).to.equal(version);
    expect(everyKind ? kv.value?.M?.s?.S : kv.stringValue()).to.equal('mine');
    expect(kv.decodeFields()).to.deep.include({ tag: 'mine', n: version });
    return kv;
  };
  return {
    send: () =>
      s.through.atomicPut(
        s.key,
        everyKind ? writeWithAttributeValue(EVERY_KIND) : writeWithString('mine'),
        writeWithFields({ tag: 'mine', ...fields }),
        options,
      ),
    landed: async () => {
      await stored();
    },
    answered: async (answer) => {
      expect(view(answer as KVPair)).to.deep.equal(view(await stored()));
    },
  };
}

/** A tryLock on the key as prepared, landed at `version`. */
function tryLockCase(s: Stage, version: number): Write {
  const landed = async (): Promise<void> => {
    const stored = await s.direct.get(s.key);
    expect(stored.decodeFields<LockFields>().state).to.equal('held');
    expect(stored.version).to.equal(version);
  };
  return {
    send: () => s.through.tryLock(s.key, { heartbeat: false }),
    landed,
    answered: async (answer) => {
      await landed();
      await expectHeldBy(s, answer as Lock | undefined);
    },
  };
}

/** The operations a user runs, each checked against what DynamoDB holds after its reply was lost. */
const CASES: Case[] = [
  {
    name: 'atomicPut create',
    witness: 'item',
    prepare: (s) => Promise.resolve(atomicPutCase(s, 1)),
  },
  {
    name: 'atomicPut with previous',
    witness: 'item',
    prepare: async (s) => {
      const previous = await s.direct.atomicPut(s.key, writeWithString('old'), writeWithFields({ tag: 'old' }));
      return atomicPutCase(s, 2, previous);
    },
  },
  {
    name: 'atomicPut create of every kind of value',
    witness: 'item',
    prepare: (s) => Promise.resolve(atomicPutCase(s, 1, undefined, true)),
  },
  {
    name: 'atomicPut with previous of every kind of value',
    witness: 'item',
    prepare: async (s) => {
      const previous = await s.direct.atomicPut(s.key, writeWithString('old'), writeWithFields({ tag: 'old' }));
      return atomicPutCase(s, 2, previous, true);
    },
  },
  {
    name: 'atomicPut with previous keeping the expiry (keepTtl)',
    witness: 'item',
    prepare: async (s) => {
      const previous = await s.direct.atomicPut(s.key, writeWithString('old'), { ttl: 3_600_000 });
      const landed = async (): Promise<KVPair> => {
        const stored = await s.direct.get(s.key);
        expect(stored.version).to.equal(2);
        expect(stored.stringValue()).to.equal('mine');
        expect(stored.expires, 'the expiry is kept').to.equal(previous.expires);
        return stored;
      };
      return {
        send: () =>
          s.through.atomicPut(s.key, writeWithString('mine'), writeWithKeepTTL(), writeWithPreviousKV(previous)),
        landed: async () => {
          await landed();
        },
        answered: async (answer) => {
          expect(view(answer as KVPair)).to.deep.equal(view(await landed()));
        },
      };
    },
  },
  {
    name: 'atomicDelete with previous',
    witness: 'absence',
    prepare: async (s) => {
      const previous = await s.direct.atomicPut(s.key, writeWithString('old'));
      const landed = (): Promise<void> => expectGone(s);
      return {
        send: () => s.through.atomicDelete(s.key, previous),
        landed,
        answered: async (answer) => {
          expect(answer).to.equal(true);
          await landed();
        },
      };
    },
  },
  {
    name: 'atomicDelete without previous, nothing stored',
    witness: 'none',
    prepare: (s) => {
      const landed = (): Promise<void> => expectGone(s);
      return Promise.resolve({
        send: () => s.through.atomicDelete(s.key),
        landed,
        answered: async (answer) => {
          expect(answer).to.equal(false);
          await landed();
        },
      });
    },
  },
  {
    name: 'put on a version-1 item',
    witness: 'none',
    prepare: async (s) => {
      await s.direct.atomicPut(s.key, writeWithString('old'), writeWithFields({ tag: 'old' }));
      const landed = async (): Promise<void> => {
        const stored = await s.direct.get(s.key);
        expect(stored.stringValue()).to.equal('mine');
        expect(stored.decodeFields()).to.deep.equal({ tag: 'mine' });
        // Documented: put is not conditional, so every attempt that landed counts once in version; a put
        // whose reply was lost once may leave version 3, not 2. Only compare-and-swap is exact.
        expect(stored.version).to.be.within(2, 2 + s.lost);
      };
      return {
        send: () => s.through.put(s.key, writeWithString('mine'), writeWithFields({ tag: 'mine' })),
        landed,
        answered: async (answer) => {
          await landed();
          // The pair put returns is the item as stored after its last attempt.
          expect(view(answer as KVPair)).to.deep.equal(view(await s.direct.get(s.key)));
        },
      };
    },
  },
  {
    name: 'tryLock on a fresh key',
    witness: 'item',
    prepare: (s) => Promise.resolve(tryLockCase(s, 1)),
  },
  {
    name: 'tryLock on a released lock item',
    witness: 'item',
    prepare: async (s) => {
      const earlier = await s.direct.lock(s.key, { heartbeat: false });
      await earlier.release();
      // Acquired at 1, released at 2: the next holder's token is 3.
      return tryLockCase(s, 3);
    },
  },
  {
    name: 'lock.renew()',
    witness: 'item',
    prepare: async (s) => {
      const lock = await s.through.lock(s.key, { heartbeat: false });
      const owner = (await s.direct.get(s.key)).decodeFields<LockFields>().owner;
      const landed = async (): Promise<void> => {
        const stored = await s.direct.get(s.key);
        expect(stored.version).to.equal(lock.fencingToken + 1);
        expect(stored.decodeFields<LockFields>()).to.include({ state: 'held', owner });
      };
      return {
        send: () => lockAnswer(lock, lock.renew()),
        landed,
        answered: async (answer) => {
          expect(answer).to.equal(true);
          await landed();
          expect(lock.signal.aborted, 'the lock is live').to.equal(false);
          // The lock knows the version its renewal wrote: its release, with no fault, goes through.
          expect(await lock.release()).to.equal(true);
        },
      };
    },
  },
  {
    name: 'lock.release()',
    witness: 'item',
    prepare: async (s) => {
      const lock = await s.through.lock(s.key, { heartbeat: false });
      const landed = async (): Promise<void> => {
        const stored = await s.direct.get(s.key);
        expect(stored.version).to.equal(lock.fencingToken + 1);
        expect(stored.decodeFields<LockFields>().state).to.equal('released');
      };
      return {
        send: () => lockAnswer(lock, lock.release()),
        landed,
        answered: async (answer) => {
          expect(answer).to.equal(true);
          await landed();
          const next = await s.direct.tryLock(s.key, { heartbeat: false });
          expect(next, 'the lock is free').to.be.an('object');
          await next?.release();
        },
      };
    },
  },
];

/** A write that meets another writer's write, made straight to the server just before ours reaches it. */
interface Control {
  name: string;
  /** The answer: a rejection's code, or the resolved value as text. */
  answer: string;
  /** Sets the stage; the other writer's write, ours, and what DynamoDB holds afterwards. */
  prepare(s: Stage): Promise<{ other: () => Promise<void>; send: () => Promise<unknown>; stored: () => Promise<void> }>;
}

/** The answer as text: a rejection's code, or the resolved value. */
async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    return String(await promise);
  } catch (err) {
    expect(err).to.be.instanceOf(DynastoreError);
    return (err as DynastoreError).code;
  }
}

/** Asserts that the stored item is the other writer's. */
async function expectTheirs(s: Stage, version: number): Promise<void> {
  const stored = await s.direct.get(s.key);
  expect(stored.stringValue()).to.equal('theirs');
  expect(stored.version).to.equal(version);
}

const CONTROLS: Control[] = [
  {
    name: 'atomicPut create after another writer created the item',
    answer: 'KEY_EXISTS',
    prepare: (s) =>
      Promise.resolve({
        other: async () => {
          await s.direct.atomicPut(s.key, writeWithString('theirs'));
        },
        send: () => s.through.atomicPut(s.key, writeWithString('mine')),
        stored: () => expectTheirs(s, 1),
      }),
  },
  {
    name: 'atomicPut with previous after another writer updated the item',
    answer: 'KEY_MODIFIED',
    prepare: async (s) => {
      const previous = await s.direct.atomicPut(s.key, writeWithString('old'));
      return {
        other: async () => {
          await s.direct.atomicPut(s.key, writeWithString('theirs'), { previous });
        },
        send: () => s.through.atomicPut(s.key, writeWithString('mine'), writeWithPreviousKV(previous)),
        stored: () => expectTheirs(s, 2),
      };
    },
  },
  {
    name: 'atomicPut with previous after another writer deleted the item',
    answer: 'KEY_NOT_FOUND',
    prepare: async (s) => {
      const previous = await s.direct.atomicPut(s.key, writeWithString('old'));
      return {
        other: () => s.direct.delete(s.key),
        send: () => s.through.atomicPut(s.key, writeWithString('mine'), writeWithPreviousKV(previous)),
        stored: () => expectGone(s),
      };
    },
  },
  {
    name: 'atomicDelete with previous after another writer updated the item',
    answer: 'KEY_MODIFIED',
    prepare: async (s) => {
      const previous = await s.direct.atomicPut(s.key, writeWithString('old'));
      return {
        other: async () => {
          await s.direct.atomicPut(s.key, writeWithString('theirs'), { previous });
        },
        send: () => s.through.atomicDelete(s.key, previous),
        stored: () => expectTheirs(s, 2),
      };
    },
  },
  {
    name: 'atomicDelete without previous after another writer created the item',
    answer: 'KEY_EXISTS',
    prepare: (s) =>
      Promise.resolve({
        other: async () => {
          await s.direct.atomicPut(s.key, writeWithString('theirs'));
        },
        send: () => s.through.atomicDelete(s.key),
        stored: () => expectTheirs(s, 1),
      }),
  },
  {
    name: 'tryLock after another holder took the lock between its read and its write',
    answer: 'undefined',
    prepare: (s) => {
      let theirs: Lock | undefined;
      return Promise.resolve({
        other: async () => {
          theirs = await s.direct.lock(s.key, { heartbeat: false });
        },
        send: () => s.through.tryLock(s.key, { heartbeat: false }),
        stored: async () => {
          const stored = await s.direct.get(s.key);
          expect(stored.decodeFields<LockFields>().state).to.equal('held');
          expect(stored.version).to.equal(theirs?.fencingToken);
          expect(await theirs?.release()).to.equal(true);
        },
      });
    },
  },
  ...(['renew', 'release'] as const).map((what): Control => ({
    name: `lock.${what}() after another holder took the lock over`,
    // The lock's answer is false; its signal's reason says the lock was lost.
    answer: 'KEY_MODIFIED',
    prepare: async (s) => {
      const lock = await s.through.lock(s.key, { heartbeat: false });
      let theirs: Lock | undefined;
      return {
        other: async () => {
          theirs = await s.ahead.lock(s.key, { heartbeat: false });
        },
        send: () => lockAnswer(lock, what === 'renew' ? lock.renew() : lock.release()),
        stored: async () => {
          const stored = await s.direct.get(s.key);
          expect(stored.decodeFields<LockFields>().state).to.equal('held');
          expect(stored.version).to.equal(theirs?.fencingToken);
          expect(await theirs?.release()).to.equal(true);
        },
      };
    },
  })),
  {
    // Documented: a retried atomicDelete that finds the item gone answers true, whoever deleted it,
    // since the item at previous.version is gone either way.
    name: 'atomicDelete with previous after another writer deleted that version',
    answer: 'true',
    prepare: async (s) => {
      const previous = await s.direct.atomicPut(s.key, writeWithString('old'));
      return {
        other: () => s.direct.delete(s.key),
        send: () => s.through.atomicDelete(s.key, previous),
        stored: () => expectGone(s),
      };
    },
  },
];

/**
 * Another process acts between our write's lost attempt and the SDK's retry:
 * our write landed first, so the answer must still be ours.
 */
const BETWEEN: Control[] = [
  {
    name: 'lock.release(), a waiter taking the lock it freed',
    // Our lease was live, so nobody could take the lock unless our release had freed it.
    answer: 'true',
    prepare: async (s) => {
      const lock = await s.through.lock(s.key, { heartbeat: false });
      let theirs: Lock | undefined;
      return {
        other: async () => {
          theirs = await s.direct.tryLock(s.key, { heartbeat: false });
          expect(theirs, 'the waiter finds the lock released, and takes it').to.be.an('object');
        },
        send: () => lockAnswer(lock, lock.release()),
        stored: async () => {
          expect((lock.signal.reason as DynastoreError).code).to.equal('ABORTED');
          const stored = await s.direct.get(s.key);
          expect(stored.decodeFields<LockFields>().state).to.equal('held');
          expect(stored.version).to.equal(lock.fencingToken + 2);
          expect(stored.version).to.equal(theirs?.fencingToken);
          expect(await theirs?.release()).to.equal(true);
        },
      };
    },
  },
  {
    name: 'tryLock, a waiter finding the lock held',
    answer: 'acquired',
    prepare: (s) => {
      let mine: Lock | undefined;
      let theirs: Lock | undefined;
      return Promise.resolve({
        other: async () => {
          theirs = await s.direct.tryLock(s.key, { heartbeat: false });
        },
        send: async () => {
          mine = await s.through.tryLock(s.key, { heartbeat: false });
          return mine === undefined ? 'busy' : 'acquired';
        },
        stored: async () => {
          expect(theirs, 'the waiter found it held').to.equal(undefined);
          await expectHeldBy(s, mine);
        },
      });
    },
  },
];

/** The lock operations, whose writes are looked up with one read when no answer came. */
const LOCK_CASES = CASES.filter((c) => c.name.startsWith('tryLock') || c.name === 'lock.release()');

const TIMES = [
  [1, 'once'],
  [2, 'twice'],
] as const;

forEachTarget('lost replies: every answer is what DynamoDB holds', (target) => {
  const server = target.server;
  let ddb: DynamoDB;
  let tableName: string;
  let n = 0;
  let proxy: FaultProxy;
  /** The plan of the test under way; the proxy asks it. */
  let plan: Plan = () => 'forward';

  before(async () => {
    const endpoint = await server.endpoint();
    ddb = rawClient(endpoint);
    tableName = await createTable(ddb, 'lost-reply');
    proxy = await faultProxy(endpoint, (i, request) => plan(i, request));
  });

  after(async () => {
    await proxy.close();
  });

  afterEach(() => {
    plan = () => 'forward';
  });

  /**
   * A stage whose `through` session, on the target's SDK, uses the SDK's
   * default retry settings; `quick` shortens only the backoff, for a case
   * that runs the retries out; `none` is a client that never retries.
   * `direct` and `ahead` stay on aws-sdk v2, the yardstick.
   */
  const stage = (lost: number, retries: 'default' | 'quick' | 'none' = 'default'): Stage => {
    const tuning = retries === 'quick' ? { backoff: 2 } : retries === 'none' ? { retries: 0 } : {};
    return {
      through: target.session(proxy.endpoint, tuning).table(tableName).partition('p'),
      direct: new Session({ client: ddb }).table(tableName).partition('p'),
      ahead: new Session({ client: ddb, clock: () => Date.now() + 3_600_000 }).table(tableName).partition('p'),
      key: `k${++n}`,
      lost,
    };
  };

  /** What a plan that loses replies saw. */
  interface Losses {
    /** Replies lost so far. */
    lost: number;
    /** GetItem requests since the first lost reply. */
    readsAfter(): number;
  }

  /**
   * Loses the replies of the next `times` writes, each forwarded and applied
   * first. `other` runs before the first of them reaches the server;
   * `beforeRetry` runs when the next write after it (the SDK's retry) comes,
   * and the proxy holds that write until it is done. With `failReads`, every
   * GetItem after the first lost reply fails with a 500.
   */
  const loseWrites = (
    times: number,
    options: { other?: () => Promise<void>; beforeRetry?: () => Promise<void>; failReads?: boolean } = {},
  ): Losses => {
    let other = options.other;
    let beforeRetry = options.beforeRetry;
    let from: number | undefined;
    const losses: Losses = {
      lost: 0,
      readsAfter: () => (from === undefined ? 0 : proxy.commands.slice(from).filter((c) => c === 'GetItem').length),
    };
    plan = async (_, { command }) => {
      if (WRITES.has(command) && from !== undefined && beforeRetry !== undefined) {
        const between = beforeRetry;
        beforeRetry = undefined;
        await between();
      }
      if (WRITES.has(command) && losses.lost < times) {
        losses.lost++;
        from ??= proxy.commands.length;
        const first = other;
        other = undefined;
        if (first !== undefined) await first();
        return 'lose-reply';
      }
      if (command === 'GetItem' && from !== undefined && options.failReads === true) return internal;
      return 'forward';
    };
    return losses;
  };

  const recordLost = (ctx: Mocha.Context, losses: Losses): void =>
    record(ctx, `lost-${target.name}`, `lost replies injected on ${target.name}`, losses.lost);
  const recordFound = (ctx: Mocha.Context): void =>
    record(
      ctx,
      `found-${target.name}`,
      `lock writes left with no answer (no retries, or retries run out), found by one read: answer equals what ${target.name} holds`,
      1,
    );
  const recordExact = (ctx: Mocha.Context): void =>
    record(
      ctx,
      `exact-${target.name}`,
      `operations retried after a lost reply whose answer equals what ${target.name} holds`,
      1,
    );

  describe('a write whose reply is lost, then retried by the SDK', () => {
    for (const c of CASES) {
      for (const [times, howOften] of TIMES) {
        it(`${c.name}, its reply lost ${howOften}: the answer is what DynamoDB holds`, async function () {
          const s = stage(times);
          const write = await c.prepare(s);
          const losses = loseWrites(times);
          const answer = await write.send();
          expect(losses.lost, 'replies lost').to.equal(times);
          await write.answered(answer);
          recordLost(this, losses);
          recordExact(this);
        });
      }
    }
  });

  describe('the read that checks a retry whose condition failed', () => {
    for (const c of CASES.filter((k) => k.witness !== 'none')) {
      if (server.returnsOldItem && c.witness === 'item') {
        it(`${c.name}: the failed condition returns the stored item, so no read follows (reads would fail)`, async function () {
          const s = stage(1, 'quick');
          const write = await c.prepare(s);
          const losses = loseWrites(1, { failReads: true });
          await write.answered(await write.send());
          expect(losses.readsAfter(), 'GetItem requests after the lost reply').to.equal(0);
          recordLost(this, losses);
          recordExact(this);
        });
        continue;
      }
      it(`${c.name}: a check read that fails on every attempt gives REQUEST_FAILED, never a wrong answer`, async function () {
        // The SDK's default retry count, with a quick backoff: the read runs out every retry.
        const s = stage(1, 'quick');
        const write = await c.prepare(s);
        const losses = loseWrites(1, { failReads: true });
        const err = await rejection(write.send());
        expect(err.code).to.equal('REQUEST_FAILED');
        expect(losses.readsAfter(), 'GetItem requests after the lost reply').to.be.greaterThan(0);
        // Unknown to the caller, so not a failure to report as KEY_MODIFIED or busy: the write did land.
        await write.landed();
        recordLost(this, losses);
        record(
          this,
          `check-failed-${target.name}`,
          `retried writes whose check read failed on ${target.name}: REQUEST_FAILED, never a wrong answer`,
          1,
        );
      });
    }
  });

  describe('control: another writer really did change the item first', () => {
    for (const c of CONTROLS) {
      for (const [times, howOften] of TIMES) {
        it(`${c.name}, our reply lost ${howOften}: ${c.answer}`, async function () {
          const s = stage(times);
          const { other, send, stored } = await c.prepare(s);
          const losses = loseWrites(times, { other });
          expect(await outcome(send())).to.equal(c.answer);
          expect(losses.lost, 'replies lost').to.equal(times);
          await stored();
          recordLost(this, losses);
          recordExact(this);
        });
      }
    }
  });

  describe("another process acts between our write's lost attempt and the SDK's retry", () => {
    for (const c of BETWEEN) {
      for (const [times, howOften] of TIMES) {
        it(`${c.name}, our reply lost ${howOften}: ${c.answer}`, async function () {
          const s = stage(times);
          const { other, send, stored } = await c.prepare(s);
          const losses = loseWrites(times, { beforeRetry: other });
          expect(await outcome(send())).to.equal(c.answer);
          expect(losses.lost, 'replies lost').to.equal(times);
          await stored();
          recordLost(this, losses);
          recordExact(this);
        });
      }
    }
  });

  describe('a lock write with no answer at all: one read looks for it', () => {
    for (const c of LOCK_CASES) {
      it(`${c.name}, by a client that does not retry (maxRetries: 0), its reply lost: the answer is what DynamoDB holds`, async function () {
        const s = stage(1, 'none');
        const write = await c.prepare(s);
        const losses = loseWrites(1);
        const answer = await write.send();
        expect(losses.lost, 'replies lost').to.equal(1);
        expect(losses.readsAfter(), 'GetItem requests after the lost reply').to.equal(1);
        await write.answered(answer);
        recordLost(this, losses);
        recordFound(this);
      });

      it(`${c.name}, every reply lost until the SDK's retries run out: the answer is what DynamoDB holds`, async function () {
        // The SDK's default retry count, with a quick backoff.
        const attempts = DEFAULT_ATTEMPTS[target.sdk];
        const s = stage(attempts, 'quick');
        const write = await c.prepare(s);
        const losses = loseWrites(Infinity);
        const answer = await write.send();
        expect(losses.lost, "the first attempt and the SDK's default retries").to.equal(attempts);
        plan = () => 'forward';
        await write.answered(answer);
        recordLost(this, losses);
        recordFound(this);
      });

      it(`${c.name}, by a client that does not retry, its reply lost and the read failing: REQUEST_FAILED, the write landed`, async function () {
        const s = stage(1, 'none');
        const write = await c.prepare(s);
        const losses = loseWrites(1, { failReads: true });
        const err = await rejection(write.send());
        expect(err.code).to.equal('REQUEST_FAILED');
        expect(losses.readsAfter(), 'GetItem requests after the lost reply').to.equal(1);
        // Documented: the caller cannot know the write landed; an acquire's item stays held by nobody until its
        // leaseUntil.
        await write.landed();
        recordLost(this, losses);
      });
    }
  });

  describe('ABORTED while a write is in flight: its outcome is unknown, the item is old or new', () => {
    const writes: Array<[string, (s: Stage, previous: KVPair, signal: AbortSignal) => Promise<unknown>]> = [
      [
        'atomicPut with previous',
        (s, previous, signal) => s.through.atomicPut(s.key, writeWithString('new'), { previous, signal }),
      ],
      ['put', (s, _, signal) => s.through.put(s.key, writeWithString('new'), { signal })],
    ];
    for (const [name, send] of writes) {
      it(name, async function () {
        const s = stage(0);
        const previous = await s.direct.atomicPut(s.key, writeWithString('old'));
        // The write reaches the server at once and is answered 300 ms later; the caller gives up at 100 ms.
        plan = (_, { command }) => (WRITES.has(command) ? { delay: 300 } : 'forward');
        const controller = new AbortController();
        setTimeout(() => controller.abort(new Error('caller gave up')), 100);
        const err = await rejection(send(s, previous, controller.signal));
        expect(err.code).to.equal('ABORTED');
        expect((err.cause as Error).message).to.equal('caller gave up');
        await sleep(300);
        const stored = await s.direct.get(s.key);
        expect([stored.stringValue(), stored.version]).to.be.deep.oneOf([
          ['old', 1],
          ['new', 2],
        ]);
        record(
          this,
          `aborted-${target.name}`,
          `writes aborted in flight on ${target.name}, found whole afterwards (old or new)`,
          1,
        );
      });
    }
  });
});
