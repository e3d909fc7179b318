// Locks and leases against each real server: mutual exclusion under
// contention, fencing tokens, crashed holders, releases racing heartbeats,
// lost leases and outages told apart.
import { expect } from 'chai';
import { DynastoreError, type Lock, type Partition } from '../../lib';
import { codeOf, rejection } from '../helpers/expect';
import { faultProxy } from '../helpers/proxy';
import { record } from '../helpers/report';
import { forEachTarget } from '../helpers/sdk';
import { createTable, rawClient } from '../helpers/server';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function reason(lock: Lock): DynastoreError {
  expect(lock.signal.aborted, 'the lock signal is aborted').to.equal(true);
  expect(lock.signal.reason).to.be.instanceOf(DynastoreError);
  return lock.signal.reason as DynastoreError;
}

forEachTarget('locks and leases', (target) => {
  let endpoint: string;
  let tableName: string;
  let jobs: Partition;
  let n = 0;
  const fresh = (): string => `lock-${++n}`;
  /**
   * The partition as seen by a process whose clock is `ms` ahead: it judges
   * leases `ms` later, so a lease can run out without the test sleeping.
   */
  const ahead = (ms: number): Partition =>
    target
      .session(endpoint, { clock: () => Date.now() + ms })
      .table(tableName)
      .partition('jobs');
  /** The partition through a fault proxy, with the SDK's default retries as in production. */
  const via = (proxyEndpoint: string): Partition => target.session(proxyEndpoint).table(tableName).partition('jobs');

  before(async () => {
    endpoint = await target.server.endpoint();
    tableName = await createTable(rawClient(endpoint), 'locks');
    jobs = target.session(endpoint).table(tableName).partition('jobs');
  });

  it('12 contenders × 20 rounds: one holder at a time, every round served, fencing tokens strictly increasing', async function () {
    this.timeout(120_000);
    const key = fresh();
    let holders = 0;
    let maxHolders = 0;
    const tokens: number[] = [];
    const rounds = new Map<number, number>();
    await Promise.all(
      Array.from({ length: 12 }, async (_, contender) => {
        for (let round = 0; round < 20; round++) {
          const lock = await jobs.lock(key, { ttl: 5000, retry: 5 });
          holders++;
          maxHolders = Math.max(maxHolders, holders);
          tokens.push(lock.fencingToken);
          await sleep(1);
          holders--;
          expect(await lock.release()).to.equal(true);
          rounds.set(contender, (rounds.get(contender) ?? 0) + 1);
        }
      }),
    );
    expect(maxHolders).to.equal(1);
    expect([...rounds.values()]).to.deep.equal(Array.from({ length: 12 }, () => 20));
    expect(tokens).to.have.length(240);
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]).to.be.greaterThan(tokens[i - 1] as number);
    record(
      this,
      `locks-${target.name}`,
      `lock contention on ${target.name}: contenders × rounds / max holders at once / tokens out of order`,
      '12 × 20 / 1 / 0',
    );
  });

  it('hooks see each lock request tagged with what it is for: read, acquire, renew, release', async () => {
    const seen: string[] = [];
    const tagged = target
      .session(endpoint, {
        hooks: {
          requestBuilt: (ctx) => {
            seen.push(`${ctx.operation}:${String(ctx.lock)}`);
          },
        },
      })
      .table(tableName)
      .partition('jobs');
    const lock = await tagged.lock(fresh(), { heartbeat: false });
    expect(await lock.renew()).to.equal(true);
    expect(await lock.release()).to.equal(true);
    expect(seen).to.deep.equal(['Get:read', 'AtomicPut:acquire', 'AtomicPut:renew', 'AtomicPut:release']);
  });

  it('the lock is an ordinary item, readable with get, with no expires, so TTL never deletes it', async () => {
    const key = fresh();
    const lock = await jobs.lock(key, { value: 'worker-a', heartbeat: false });
    const item = await jobs.get(key);
    expect(item.stringValue()).to.equal('worker-a');
    expect(item.expires).to.equal(0);
    expect(item.decodeFields<{ state: string }>().state).to.equal('held');
    expect(item.version).to.equal(lock.fencingToken);
    await lock.release();
    expect((await jobs.get(key)).decodeFields<{ state: string }>().state).to.equal('released');
  });

  it('fencing tokens keep increasing across releases and expiries', async () => {
    const key = fresh();
    const first = await jobs.lock(key, { ttl: 1000, heartbeat: false });
    await first.release();
    const second = await jobs.lock(key, { ttl: 1000, heartbeat: false });
    // The lease runs out unreleased, for a process whose clock is past it.
    const third = await ahead(2000).lock(key, { ttl: 1000, heartbeat: false });
    expect(second.fencingToken).to.be.greaterThan(first.fencingToken);
    expect(third.fencingToken).to.be.greaterThan(second.fencingToken);
    await third.release();
  });

  it('tryLock makes one attempt: undefined while held', async () => {
    const key = fresh();
    const lock = await jobs.lock(key, { heartbeat: false });
    expect(await jobs.tryLock(key)).to.equal(undefined);
    await lock.release();
    const next = await jobs.tryLock(key);
    expect(next).to.not.equal(undefined);
    await next?.release();
  });

  it('lock gives up after wait with KEY_EXISTS, and stops at once on its signal', async () => {
    const key = fresh();
    const held = await jobs.lock(key, { ttl: 10_000, heartbeat: false });
    const started = Date.now();
    expect(await codeOf(jobs.lock(key, { wait: 150, retry: 10 }))).to.equal('KEY_EXISTS');
    expect(Date.now() - started).to.be.within(150, 2000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 100);
    expect(await codeOf(jobs.lock(key, { signal: controller.signal, retry: 1000 }))).to.equal('ABORTED');
    await held.release();
  });

  it('a holder that stops heartbeating gives the lease up before ttl, then loses the lock to a successor', async () => {
    const key = fresh();
    const started = Date.now();
    const crashed = await jobs.lock(key, { ttl: 1000, heartbeat: false });
    let abortedAt = 0;
    crashed.signal.addEventListener('abort', () => (abortedAt = Date.now()));
    const successor = await jobs.lock(key, { ttl: 5000, retry: 20 });
    const acquiredAt = Date.now();
    expect(acquiredAt - started).to.be.at.least(1000);
    // The successor's pauses stop at the end of the lease: it does not sleep on a free lock.
    expect(acquiredAt - started).to.be.below(3000);
    expect(successor.fencingToken).to.be.greaterThan(crashed.fencingToken);
    // The old holder's signal fired before the successor could start.
    expect(abortedAt).to.be.greaterThan(0);
    expect(abortedAt).to.be.at.most(acquiredAt);
    expect(reason(crashed).code).to.equal('KEY_MODIFIED');
    expect(reason(crashed).message).to.contain('ran out');
    expect(await crashed.renew()).to.equal(false);
    // The successor still holds it.
    expect((await jobs.get(key)).version).to.be.at.least(successor.fencingToken);
    expect(await successor.release()).to.equal(true);
  });

  it('a heartbeat keeps the lock past its ttl', async () => {
    const key = fresh();
    const lock = await jobs.lock(key, { ttl: 1000, heartbeat: 100 });
    await sleep(1500);
    expect(await jobs.tryLock(key)).to.equal(undefined);
    expect(lock.signal.aborted).to.equal(false);
    expect(await lock.release()).to.equal(true);
  });

  it('a release racing heartbeats never brings the lock back', async () => {
    for (let i = 0; i < 10; i++) {
      const key = fresh();
      const lock = await jobs.lock(key, { ttl: 1000, heartbeat: 100 });
      await sleep(90 + i * 3); // heartbeats in flight at varying moments
      const renewing = lock.renew();
      expect(await lock.release()).to.equal(true);
      await renewing;
      const released = await jobs.get(key);
      await sleep(30);
      const later = await jobs.get(key);
      expect(later.decodeFields<{ state: string }>().state).to.equal('released');
      expect(later.version).to.equal(released.version);
      expect(reason(lock).code).to.equal('ABORTED');
      const next = await jobs.tryLock(key, { heartbeat: false });
      expect(next).to.not.equal(undefined);
      await next?.release();
    }
  });

  it('a renew after the lease expired and was taken fails and aborts the signal', async () => {
    const key = fresh();
    const stale = await jobs.lock(key, { ttl: 1000, heartbeat: false });
    // For a process whose clock is past the lease, it has expired.
    const taker = await ahead(2000).tryLock(key, { heartbeat: false });
    expect(taker).to.not.equal(undefined);
    expect(await stale.renew()).to.equal(false);
    expect(reason(stale).code).to.equal('KEY_MODIFIED');
    expect(await stale.release()).to.equal(false);
    expect((await jobs.get(key)).decodeFields<{ state: string }>().state).to.equal('held');
    await taker?.release();
  });

  it('a renewal that hangs: the holder gives the lease up before anyone else can take it', async () => {
    let hang = false;
    const proxy = await faultProxy(endpoint, () => (hang ? 'hang' : 'forward'));
    try {
      const key = fresh();
      const through = via(proxy.endpoint);
      const holder = await through.lock(key, { ttl: 1000, heartbeat: 250 });
      let abortedAt = 0;
      holder.signal.addEventListener('abort', () => (abortedAt = Date.now()));
      hang = true;
      let taken: Lock | undefined;
      while (taken === undefined) {
        taken = await jobs.tryLock(key, { heartbeat: false });
        if (taken === undefined) await sleep(10);
      }
      const takenAt = Date.now();
      expect(abortedAt).to.be.greaterThan(0);
      expect(abortedAt).to.be.at.most(takenAt);
      expect(reason(holder).code).to.equal('REQUEST_FAILED');
      await taken.release();
    } finally {
      await proxy.close();
    }
  });

  it('an abort of lock() while its write is in flight leaves no lock held', async () => {
    const proxy = await faultProxy(endpoint, () => ({ delay: 200 }));
    try {
      const key = fresh();
      const through = via(proxy.endpoint);
      const controller = new AbortController();
      // The get answers after 200 ms, the write after 400: abort between them.
      setTimeout(() => controller.abort(new Error('caller gave up')), 300);
      expect(await codeOf(through.lock(key, { signal: controller.signal }))).to.equal('ABORTED');
      const next = await jobs.tryLock(key, { heartbeat: false });
      expect(next, 'the lock is free at once').to.not.equal(undefined);
      await next?.release();
    } finally {
      await proxy.close();
    }
  });

  it('an acquire answered only after its holder would give the lease up hands out no lock and frees it at once', async () => {
    // The first two creates reach the server at once; their replies are held back past 0.9 × ttl.
    const proxy = await faultProxy(endpoint, (_, { command, nOfCommand }) =>
      command === 'PutItem' && nOfCommand <= 2 ? { delay: 1000 } : 'forward',
    );
    try {
      const key = fresh();
      const through = via(proxy.endpoint);
      expect(await through.tryLock(key, { ttl: 1000, heartbeat: false })).to.equal(undefined);
      const stored = await jobs.get(key);
      expect(stored.decodeFields<{ state: string }>().state, 'released, not held until leaseUntil').to.equal(
        'released',
      );
      expect(stored.version).to.equal(2);
      // lock() waits on instead: its next attempt takes the lock (created, released, taken) with a whole lease.
      const second = await through.lock(fresh(), { ttl: 1000, heartbeat: false, wait: 5000 });
      expect(second.fencingToken).to.equal(3);
      expect(second.signal.aborted).to.equal(false);
      expect(await second.release()).to.equal(true);
      const next = await jobs.tryLock(key, { heartbeat: false });
      expect(next, 'the first key is free').to.not.equal(undefined);
      await next?.release();
    } finally {
      await proxy.close();
    }
  });

  it('writes that landed but whose replies were lost are recognised as ours: acquire, renew, release', async () => {
    // The number of the request whose reply is lost; the SDK (default retries) retries it, and the
    // retry's condition meets the write that landed.
    let lose = 0;
    const proxy = await faultProxy(endpoint, (n) => (n === lose ? 'lose-reply' : 'forward'));
    try {
      const key = fresh();
      const through = via(proxy.endpoint);
      // First a create (no item yet), then a swap on the released item.
      for (let round = 0; round < 2; round++) {
        lose = proxy.seen + 2; // tryLock reads, then writes
        const lock = await through.tryLock(key, { ttl: 5000, heartbeat: false });
        expect(lock, `round ${round}: the caller gets its lock`).to.not.equal(undefined);
        expect(lock?.fencingToken).to.equal((await jobs.get(key)).version);
        lose = proxy.seen + 1;
        expect(await lock?.renew()).to.equal(true);
        expect(lock?.signal.aborted).to.equal(false);
        lose = proxy.seen + 1;
        expect(await lock?.release()).to.equal(true);
        expect((await jobs.get(key)).decodeFields<{ state: string }>().state).to.equal('released');
      }
      expect(proxy.injected).to.equal(6);
    } finally {
      await proxy.close();
    }
  });

  it("each holder stores its own value: a new holder does not inherit the last one's", async () => {
    const key = fresh();
    const first = await jobs.lock(key, { value: 'worker-a', heartbeat: false });
    await first.release();
    const second = await jobs.lock(key, { heartbeat: false });
    expect((await jobs.get(key)).stringValue()).to.equal('');
    await second.release();
  });

  it('an unreachable server during renew aborts the signal with REQUEST_FAILED, not as a lost lock', async () => {
    let down = false;
    const proxy = await faultProxy(endpoint, () => (down ? { status: 503, type: 'ServiceUnavailable' } : 'forward'));
    try {
      const through = via(proxy.endpoint);
      const lock = await through.lock(fresh(), { ttl: 1000, heartbeat: false });
      down = true;
      expect(await lock.renew()).to.equal(false);
      // The SDK retries the 503s until it gives up, or the lease runs out first.
      expect(reason(lock).code).to.equal('REQUEST_FAILED');
      expect(reason(lock).message).to.match(/could not be renewed|still under way/);
    } finally {
      await proxy.close();
    }
  });

  it('refuses bad options with INVALID_ARGUMENT before any request', async () => {
    let sent = 0;
    const counted = target
      .session(endpoint, {
        hooks: {
          requestBuilt: () => {
            sent++;
          },
        },
      })
      .table(tableName)
      .partition('jobs');
    const cases: Array<[object, string]> = [
      [{ ttl: 0 }, 'ttl'],
      [{ ttl: -5 }, 'ttl'],
      [{ ttl: 999 }, 'ttl'],
      [{ ttl: 30 * 24 * 3600 * 1000 }, 'ttl'],
      [{ ttl: 1e300 }, 'ttl'],
      [{ ttl: 1000, heartbeat: 1000 }, 'heartbeat'],
      [{ ttl: 1000, heartbeat: 950 }, 'heartbeat'],
      [{ ttl: 1000, heartbeat: 2000 }, 'heartbeat'],
      [{ ttl: 1000, heartbeat: 50 }, 'heartbeat'],
      [{ wait: -1 }, 'wait'],
      [{ retry: 0 }, 'retry'],
      [{ value: 5 }, 'value'],
      [{ lease: 5 }, '"lease"'],
    ];
    for (const [options, mention] of cases) {
      const err = await rejection(counted.lock('k', options));
      expect(err.code, JSON.stringify(options)).to.equal('INVALID_ARGUMENT');
      expect(err.message).to.contain(mention);
      expect((await rejection(counted.tryLock('k', options))).code).to.equal('INVALID_ARGUMENT');
    }
    expect((await rejection(counted.lock(''))).code).to.equal('INVALID_ARGUMENT');
    expect(sent).to.equal(0);
  });
});
