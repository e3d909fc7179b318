import { randomUUID } from 'node:crypto';
import { fullJitter, sleep } from './backoff';
import { DynastoreError, invalidArgument, quote } from './errors';
import type { KVPair } from './kvpair';
import type { GetOptions, WriteOptions } from './options';
import { checkSignal } from './resolve';
import { type AttributeNames, checkWellFormed, checkWriteSize, describeValue, isPlainObject } from './validate';

/**
 * @internal What a lock needs of the partition it lives in: its two
 * operations and the session's clock. A {@link Lock} is built on this, not on
 * `Partition`, so the dependency points one way. Lock writes carry
 * `context.lock` (`'acquire'`, `'renew'`, `'release'`, `'read'`) for hooks.
 */
export interface LockStore {
  /** The partition's name and the table's attribute names, for the size of a lock write. */
  readonly partition: string;
  readonly names: AttributeNames;
  /** The session's clock, in milliseconds since the epoch. */
  readonly clock: () => number;
  /** `Partition.get`. */
  get(key: string, options?: GetOptions): Promise<KVPair>;
  /** `Partition.atomicPut`. */
  atomicPut(key: string, ...options: WriteOptions[]): Promise<KVPair>;
}

// Implementation notes: what the locks do NOT guarantee.
//
// - Leases are judged by clocks: the holder gives its lease up at 0.9 × ttl
//   after sending a write, by its session's clock; others take it at the
//   stored `leaseUntil` (send time + ttl) by theirs. Clocks that disagree by
//   a tenth of the ttl or more can let two holders overlap. The fencing token
//   is what protects storage downstream.
// - A release whose compare fails while the holder's lease is still live is
//   taken as landed: nobody may write the item then unless the release freed
//   it first (its reply was lost, and a waiter took the lock before the SDK's
//   retry). One read looks for the only proof against it, someone else's
//   write at the very version the release would have written. A writer that
//   ignores leases (a clock off by more than a tenth of the ttl, a `put` of
//   the key) and then writes again before that read can make a release that
//   never landed answer true.
// - A write whose answer never came (REQUEST_FAILED: the SDK's retries ran
//   out, its check read failed, or the client does not retry) is looked up
//   with one consistent read: an acquire that finds its own `held` item gets
//   the lock, a release that finds its own `released` item answers true. If
//   that read fails too, the acquire fails REQUEST_FAILED and the release
//   answers false, not knowing whether they landed. An acquire that did, or a
//   release that did not, leaves the item `held` by nobody until its
//   `leaseUntil`, and waiters take it then; so does a renewal cut off when
//   the lease ran out, which is not looked up. Nothing is lost but time, at
//   most one ttl.
// - An acquire answered at or after the moment its holder would give the
//   lease up (0.9 × ttl after sending it) is not handed out, even if it
//   landed: it is released at once, best effort, and counts as not acquired.
//   If that release fails, the item stays `held` until its `leaseUntil`, at
//   most a tenth of the ttl away.
// - A holder whose event loop is blocked past its deadline learns of the end
//   late: the signal fires when the timer can run.

/** The longest delay Node's timers keep: a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/**
 * The shortest lease: the holder gives it up at 0.9 × ttl, so a renewal sent
 * at ttl / 2 has at least 0.4 × ttl (400 ms) to be answered: a round trip and
 * the SDK's first few retries (aws-sdk v2 waits a random time up to 50, 100,
 * 200 ms … before each DynamoDB retry), not all ten, and not a reply that is
 * silently dropped: the SDK waits for that one until its HTTP timeout, which
 * is what bounds a hung attempt. The lock then ends REQUEST_FAILED when the
 * lease runs out: safe, since the holder stops before anyone else may start.
 */
const MIN_TTL_MS = 1000;
/** The shortest heartbeat: a held lock writes at most ten times a second. */
const MIN_HEARTBEAT_MS = 100;
/** The shortest pause of a waiter: at most 20 attempts a second, whatever its options. */
const MIN_PAUSE_MS = 50;
/** Beyond this, doubling the backoff only ever reaches the cap. */
const MAX_BACKOFF_EXPONENT = 16;

/**
 * Options of {@link Partition.lock} and {@link Partition.tryLock}. Every
 * combination the validator accepts keeps a healthy lock held; anything else
 * is refused with `INVALID_ARGUMENT` naming the option, before any request.
 */
export interface LockOptions {
  /**
   * Lease length in milliseconds: a holder that stops renewing loses the lock
   * this long after its last renewal was sent, and gives it up itself a tenth
   * earlier. From 1000 to 2^31−1 (about 24.8 days, the longest delay Node's
   * timers keep).
   *
   * A renewal has at least 0.4 × ttl to be answered, 400 ms at the minimum:
   * time for a round trip and the SDK's first few retries, not for a reply
   * that is silently dropped. The SDK waits for that one until its HTTP
   * timeout before it retries, and that timeout is what bounds a hung
   * attempt: aws-sdk v2 `httpOptions.timeout` (120 s by default); aws-sdk v3,
   * the request handler's `requestTimeout` (with `throwOnRequestTimeout:
   * true` in recent versions) or `socketTimeout` (none by default). When the
   * lease runs out first, the lock ends `REQUEST_FAILED`: safe, since the
   * holder stops before anyone else may start. For a lock to outlive a
   * dropped reply, keep that timeout well under 0.4 × ttl.
   *
   * The ttl also bounds what a lost answer costs: an acquire that landed
   * though neither its answer nor the read that looks for it came back, or a
   * release that did not land, leaves the lock `held` by nobody until its
   * `leaseUntil`, at most one ttl later.
   * @defaultValue 20000
   */
  ttl?: number;
  /**
   * How long after each renewal was sent the next one is, in milliseconds:
   * from 100 to `ttl / 2`, so that a renewal always has at least 0.4 × ttl
   * to be answered before the holder gives up at 0.9 × ttl. `false` renews
   * only when {@link Lock.renew} is called.
   * @defaultValue ttl / 3
   */
  heartbeat?: number | false;
  /**
   * How long `lock` waits for the lock, in milliseconds, by the session's
   * clock; any non-negative number. Unset, it waits until acquired or
   * aborted.
   */
  wait?: number;
  /**
   * Base delay between attempts of `lock`, in milliseconds, any positive
   * number: each pause is random up to base × 2^attempt (full jitter), capped
   * at the ttl; it is never shorter than 50 ms, so a waiter makes at most 20
   * attempts a second, and never lasts past the end of the holder's lease.
   * @defaultValue 50
   */
  retry?: number;
  /**
   * Data stored with the lock, as the item's payload; each holder writes its
   * own (default `''`). Checked as a put's value is, before any request:
   * well-formed Unicode, and small enough for the lock item to fit in 400 KB.
   */
  value?: string;
  /** Aborts waiting for the lock (`ABORTED`). */
  signal?: AbortSignal;
}

interface ResolvedLockOptions {
  ttl: number;
  heartbeat: number | false;
  wait: number | undefined;
  retry: number;
  value: string | undefined;
  signal: AbortSignal | undefined;
}

const LOCK_KEYS = new Set(['ttl', 'heartbeat', 'wait', 'retry', 'value', 'signal']);

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Runs `read` on the caller's options: what a getter or Proxy trap throws becomes INVALID_ARGUMENT. */
function guardedRead<T>(what: string, input: unknown, read: () => T): T {
  try {
    return read();
  } catch (err) {
    throw new DynastoreError('INVALID_ARGUMENT', `reading ${what} threw (see cause)`, { value: input, cause: err });
  }
}

/** @internal Validates lock options before anything is sent. */
export function resolveLockOptions(options: LockOptions | undefined): ResolvedLockOptions {
  const input: unknown = options;
  // Own properties only, read once: nothing inherited from Object.prototype is an option.
  const o = Object.create(null) as Record<string, unknown>;
  if (input !== undefined) {
    if (!guardedRead('the lock options', input, () => isPlainObject(input))) {
      throw invalidArgument(`lock options must be a plain object, got ${describeValue(input)}`, input);
    }
    const plain = input as Record<string, unknown>;
    for (const key of guardedRead('the lock options', input, () => Object.keys(plain))) {
      if (!LOCK_KEYS.has(key)) throw invalidArgument(`unknown lock option ${describeValue(key)}`, input);
      o[key] = guardedRead(`lock option ${describeValue(key)}`, input, () => plain[key]);
    }
  }
  let ttl = 20_000;
  if (o.ttl !== undefined) {
    if (!isNumber(o.ttl) || o.ttl < MIN_TTL_MS || o.ttl > MAX_TIMER_MS) {
      throw invalidArgument(
        `ttl must be from ${MIN_TTL_MS} to ${MAX_TIMER_MS} milliseconds (the longest delay Node's timers keep), got ${describeValue(o.ttl)}`,
        o.ttl,
      );
    }
    ttl = o.ttl;
  }
  let heartbeat: number | false = ttl / 3;
  if (o.heartbeat === false) heartbeat = false;
  else if (o.heartbeat !== undefined) {
    if (!isNumber(o.heartbeat) || o.heartbeat < MIN_HEARTBEAT_MS || o.heartbeat > ttl / 2) {
      throw invalidArgument(
        `heartbeat must be from ${MIN_HEARTBEAT_MS} milliseconds to half the ttl (${ttl / 2} for ttl ${ttl}), or false, got ${describeValue(o.heartbeat)}`,
        o.heartbeat,
      );
    }
    heartbeat = o.heartbeat;
  }
  // No timer ever gets wait or retry as is (a pause is at most the ttl), so any size is safe.
  let wait: number | undefined;
  if (o.wait !== undefined) {
    if (!isNumber(o.wait) || o.wait < 0) {
      throw invalidArgument(`wait must be a non-negative number of milliseconds, got ${describeValue(o.wait)}`, o.wait);
    }
    wait = o.wait;
  }
  let retry = 50;
  if (o.retry !== undefined) {
    if (!isNumber(o.retry) || o.retry <= 0) {
      throw invalidArgument(`retry must be a positive number of milliseconds, got ${describeValue(o.retry)}`, o.retry);
    }
    retry = o.retry;
  }
  if (o.value !== undefined) {
    if (typeof o.value !== 'string') {
      throw invalidArgument(`value must be a string, got ${describeValue(o.value)}`, o.value);
    }
    // Checked as a put's value is, so that a bad one is refused before the first read, not at the write.
    checkWellFormed('value', o.value);
  }
  return { ttl, heartbeat, wait, retry, value: o.value, signal: checkSignal(o.signal) };
}

/** A timer that does not keep the process alive: a held lock alone should not. */
function unrefTimer(run: () => void, ms: number): NodeJS.Timeout {
  const timer = setTimeout(run, Math.max(0, ms));
  timer.unref();
  return timer;
}

/**
 * A held lock: an ordinary item of the partition at `key` (readable with
 * `get`), whose `owner`, `state` and `leaseUntil` fields say who holds it and
 * until when. It never has `expires`, so DynamoDB's TTL never deletes it and
 * its version only grows: the version a holder acquired it at is the
 * {@link Lock.fencingToken}.
 *
 * A lock write whose reply is lost and retried by the SDK is recognised as
 * the holder's own. One whose answer never comes at all (`REQUEST_FAILED`)
 * is looked up with one consistent read: an acquire that finds its own held
 * item returns the lock, a release that finds its own released item answers
 * true. Only when that read fails too is the outcome unknown: the acquire
 * fails `REQUEST_FAILED` and the release answers false. An acquire that
 * landed after all, or a release that did not, leaves the lock `held` by
 * nobody until its `leaseUntil` (at most one ttl), when waiters take it.
 *
 * @example
 * ```ts
 * const lock = await jobs.lock('reindex', { ttl: 10_000 });
 * try {
 *   await reindex({ fencingToken: lock.fencingToken, signal: lock.signal });
 * } finally {
 *   await lock.release();
 * }
 * ```
 */
export class Lock {
  /** The key of the lock item. */
  readonly key: string;
  /**
   * Strictly greater than the token of every earlier acquisition of this lock,
   * by anyone, across releases and expiries (as long as nobody deletes the
   * lock item itself): storage downstream can refuse writes carrying a smaller
   * one, so a holder that lost its lease unaware cannot overwrite a newer
   * holder's work.
   */
  readonly fencingToken: number;
  /**
   * Aborted when the lock ends, with a {@link DynastoreError} as reason whose
   * code says why: `ABORTED` when released; `KEY_MODIFIED` when the lease is
   * lost: another holder took it, or it ran out before a renewal (the holder
   * gives it up a tenth of the ttl early, so it stops before anyone else may
   * start); `REQUEST_FAILED` when a renewal could not reach DynamoDB in time:
   * an outage, not a takeover, though the lock is no longer held.
   */
  readonly signal: AbortSignal;

  private readonly controller = new AbortController();
  private readonly clock: () => number;
  private version: number;
  /** When this holder gives the lease up: 0.9 × ttl after its last renewal was sent, by the session's clock. */
  private deadline = 0;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  /** Renewals and the release run one at a time, in order, so a release never races a heartbeat. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The write under way, if any: the deadline names it, and cuts a renewal short. */
  private writing: 'renewal' | 'release' | undefined;
  private renewal: AbortController | undefined;
  /** Set by release(): no heartbeat is armed after it, even by a renewal that completes before it. */
  private releasing = false;
  private ended = false;

  /** @internal */
  constructor(
    private readonly store: LockStore,
    pair: KVPair,
    private readonly owner: string,
    private readonly options: ResolvedLockOptions,
    sentAt: number,
  ) {
    this.key = pair.key;
    this.version = pair.version;
    this.fencingToken = pair.version;
    this.signal = this.controller.signal;
    this.clock = store.clock;
    this.extend(sentAt);
  }

  /**
   * Extends the lease by `ttl` from now. Resolves true when renewed and the
   * lock is still live; false, with {@link Lock.signal} aborted and the
   * reason saying why, when the lock has ended, was lost, could not be
   * reached, or ran out while this renewal was on its way.
   */
  renew(): Promise<boolean> {
    return this.serialized(async () => {
      if (this.ended) return false;
      const renewal = new AbortController();
      this.renewal = renewal;
      this.writing = 'renewal';
      try {
        // In the try: a clock that fails (INVALID_ARGUMENT) ends the lock with that reason, as a failed write does.
        const sentAt = this.clock();
        const next = await this.store.atomicPut(this.key, {
          previous: { version: this.version },
          fields: { owner: this.owner, state: 'held', leaseUntil: sentAt + this.options.ttl },
          // Aborted when the lease runs out: a renewal that cannot finish before then is no use.
          signal: renewal.signal,
          context: { lock: 'renew' },
        });
        // The lock ended (its lease ran out) while the answer was on its way: it stays ended.
        if (renewal.signal.aborted) return false;
        this.version = next.version;
        this.extend(sentAt);
        return true;
      } catch (err) {
        this.end(reasonOf(err, this.key, 'renewed'));
        return false;
      } finally {
        this.writing = undefined;
        this.renewal = undefined;
      }
    });
  }

  /**
   * Releases the lock, after any renewal already under way. Resolves true
   * when this holder's release was written, even if its reply was lost and a
   * waiter took the lock before the SDK's retry; false when the lock had
   * already ended or been lost (then nothing is written), or the release
   * failed (the signal's reason says why). A release that did not land
   * leaves the lock item held until its lease runs out; one that fails
   * `REQUEST_FAILED` may have landed all the same, when even the read that
   * looks for it failed.
   */
  release(): Promise<boolean> {
    this.releasing = true;
    this.stopHeartbeat();
    return this.serialized(async () => {
      if (this.ended) return false;
      this.writing = 'release';
      try {
        await this.store.atomicPut(this.key, {
          previous: { version: this.version },
          fields: { owner: this.owner, state: 'released', leaseUntil: 0 },
          context: { lock: 'release' },
        });
        return this.released();
      } catch (err) {
        if (await this.releaseLanded(err)) return this.released();
        this.end(reasonOf(err, this.key, 'released'));
        return false;
      } finally {
        this.writing = undefined;
      }
    });
  }

  private released(): true {
    this.end(new DynastoreError('ABORTED', `lock ${quote(this.key)} released`));
    return true;
  }

  /**
   * Whether a release that failed landed all the same.
   *
   * A failed compare while the lease is live: nobody may write the item
   * before the lease ends unless this release freed it, so it landed (its
   * reply was lost, and a waiter took the lock before the SDK's retry).
   * Someone else's write at the very version the release would have written
   * is the one proof that it did not; one read looks for it.
   *
   * REQUEST_FAILED: the answer never came; the stored item says whether the
   * release landed.
   */
  private async releaseLanded(err: unknown): Promise<boolean> {
    if (someoneElseWrote(err)) {
      // Judged when the failed compare came back: the item had changed by then.
      if (this.clock() >= this.deadline) return false;
      const stored = await readLock(this.store, this.key);
      return typeof stored !== 'object' || stored.version !== this.version + 1 || this.isOwnRelease(stored);
    }
    if (!DynastoreError.is(err, 'REQUEST_FAILED')) return false;
    const stored = await readLock(this.store, this.key);
    return typeof stored === 'object' && stored.version === this.version + 1 && this.isOwnRelease(stored);
  }

  /** Whether a stored item is this holder's release. */
  private isOwnRelease(stored: KVPair): boolean {
    const { owner, state } = lockFields(stored);
    return owner === this.owner && state === 'released';
  }

  /** Moves the local deadline to a write sent at `sentAt`, and arms the timers that end and renew the lease. */
  private extend(sentAt: number): void {
    if (this.ended) return;
    const { ttl, heartbeat } = this.options;
    this.deadline = leaseEnd(sentAt, ttl);
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = unrefTimer(() => {
      this.runOut();
    }, this.deadline - this.clock());
    if (heartbeat === false || this.releasing) return;
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = unrefTimer(
      () => {
        // A renewal under way arms the next heartbeat itself when it succeeds.
        if (this.writing === undefined) this.renew().catch(() => undefined);
      },
      sentAt + heartbeat - this.clock(),
    );
  }

  private runOut(): void {
    const key = quote(this.key);
    this.end(
      this.writing === undefined
        ? new DynastoreError('KEY_MODIFIED', `lock ${key} lost: its lease ran out before it was renewed`)
        : new DynastoreError('REQUEST_FAILED', `lock ${key} lease ran out while a ${this.writing} was still under way`),
    );
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private stopHeartbeat(): void {
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private end(reason: DynastoreError): void {
    if (this.ended) return;
    this.ended = true;
    this.stopHeartbeat();
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    this.renewal?.abort(reason);
    this.controller.abort(reason);
  }
}

/** When a holder gives up a lease it sent at `sentAt`: a tenth of the ttl early, before anyone else may take it. */
function leaseEnd(sentAt: number, ttl: number): number {
  return sentAt + ttl - ttl / 10;
}

/**
 * Whether a lock write failed because someone else's write got there first:
 * atomicPut recognises its own write after a lost reply, so a failed compare
 * is never this write.
 */
function someoneElseWrote(err: unknown): err is DynastoreError {
  return (
    DynastoreError.is(err, 'KEY_MODIFIED') ||
    DynastoreError.is(err, 'KEY_NOT_FOUND') ||
    DynastoreError.is(err, 'KEY_EXISTS')
  );
}

/** Why a renewal or release failed, as the lock's abort reason. */
function reasonOf(err: unknown, key: string, what: 'renewed' | 'released'): DynastoreError {
  if (someoneElseWrote(err)) {
    return new DynastoreError('KEY_MODIFIED', `lock ${quote(key)} lost: another holder took it, or it was removed`, {
      cause: err,
    });
  }
  if (DynastoreError.is(err, 'REQUEST_FAILED') || DynastoreError.is(err, 'ABORTED')) {
    return new DynastoreError(
      'REQUEST_FAILED',
      `lock ${quote(key)} could not be ${what}: DynamoDB did not answer (${err.message}); the lease may still run until it expires`,
      { cause: err },
    );
  }
  return DynastoreError.is(err)
    ? err
    : new DynastoreError('REQUEST_FAILED', `lock ${quote(key)} failed: ${describeValue(err)}`, { cause: err });
}

/** The fields a lock write stores; anything else when the item is not a lock. */
function lockFields(pair: KVPair): { owner?: unknown; state?: unknown; leaseUntil?: unknown } {
  return pair.decodeFields();
}

/** When a stored lock item's lease ends: 0 when it is released (or not a lock at all). */
function heldUntil(pair: KVPair): number {
  const { state, leaseUntil } = lockFields(pair);
  return state === 'held' && typeof leaseUntil === 'number' ? leaseUntil : 0;
}

/**
 * The lock item, read consistently after a write whose outcome is in doubt:
 * `'absent'` when there is none, `'unknown'` when the read failed too.
 */
async function readLock(store: LockStore, key: string): Promise<KVPair | 'absent' | 'unknown'> {
  try {
    return await store.get(key, { context: { lock: 'read' } });
  } catch (err) {
    return DynastoreError.is(err, 'KEY_NOT_FOUND') ? 'absent' : 'unknown';
  }
}

/** Frees a lock item this attempt wrote but will not hand out; if it fails, the lease runs out by itself. */
async function releaseQuietly(store: LockStore, acquired: KVPair, owner: string): Promise<void> {
  try {
    await store.atomicPut(acquired.key, {
      previous: acquired,
      fields: { owner, state: 'released', leaseUntil: 0 },
      context: { lock: 'release' },
    });
  } catch {
    // Someone else's write after the lease ran out, or an outage: either way nothing more to do.
  }
}

/** One attempt's outcome: the lock, or, when someone else has it, until when their lease runs if known. */
interface Attempt {
  lock?: Lock;
  heldUntil?: number;
}

async function attempt(store: LockStore, key: string, o: ResolvedLockOptions): Promise<Attempt> {
  const clock = store.clock;
  let current: KVPair | undefined;
  try {
    current = await store.get(key, { signal: o.signal, context: { lock: 'read' } });
  } catch (err) {
    if (!DynastoreError.is(err, 'KEY_NOT_FOUND')) throw err;
  }
  if (current !== undefined) {
    const until = heldUntil(current);
    if (until > clock()) return { heldUntil: until };
  }
  const owner = randomUUID();
  const sentAt = clock();
  // The owner and leaseUntil make every lock write unique, so atomicPut can tell its own write after a lost
  // reply. The caller's signal does not reach this write: cut off in flight it could still land, leaving a
  // lock nobody holds. It is checked once the write is done instead.
  const write = { fields: { owner, state: 'held', leaseUntil: sentAt + o.ttl }, value: o.value ?? '' };
  let acquired: KVPair;
  try {
    acquired = await store.atomicPut(key, { ...write, previous: current, context: { lock: 'acquire' } });
  } catch (err) {
    // Someone else's write got there first: busy.
    if (someoneElseWrote(err)) return {};
    if (!DynastoreError.is(err, 'REQUEST_FAILED')) throw err;
    // No answer came (retries ran out, the check read failed, a client that does not retry), yet the write
    // may have landed: then the item holds this attempt's owner. Anything else is an outage, not "busy".
    const stored = await readLock(store, key);
    if (typeof stored !== 'object') throw err;
    const { owner: storedOwner, state } = lockFields(stored);
    if (storedOwner !== owner || state !== 'held') throw err;
    acquired = stored;
  }
  // Answered once the holder would already have given the lease up (a reply held back long, then recognised
  // by the SDK's retry): a lock whose lease is over is no lock. Cut off by the caller's signal: not wanted.
  // Either way the item is freed now, not left held until its leaseUntil.
  const lapsed = clock() >= leaseEnd(sentAt, o.ttl);
  if (lapsed || o.signal?.aborted) {
    await releaseQuietly(store, acquired, owner);
    if (o.signal?.aborted) {
      throw new DynastoreError('ABORTED', `lock ${quote(key)} aborted: ${describeValue(o.signal.reason)}`, {
        cause: o.signal.reason,
      });
    }
    return {};
  }
  return { lock: new Lock(store, acquired, owner, o, sentAt) };
}

/** What a lock write stores besides its value, at its longest: a uuid, `'released'`, the largest leaseUntil. */
const LONGEST_LOCK_FIELDS = {
  owner: { S: '00000000-0000-0000-0000-000000000000' },
  state: { S: 'released' },
  leaseUntil: { N: String(Number.MAX_SAFE_INTEGER) },
};

/** Refuses a value too big for a lock write to DynamoDB, before the first read rather than at the write. */
function checkLockSize(store: LockStore, key: string, o: ResolvedLockOptions): void {
  checkWriteSize(store.partition, key, { S: o.value ?? '' }, LONGEST_LOCK_FIELDS, undefined, store.names);
}

/** @internal One attempt at the lock; undefined when someone else holds it. */
export async function tryAcquire(store: LockStore, key: string, o: ResolvedLockOptions): Promise<Lock | undefined> {
  checkLockSize(store, key, o);
  return (await attempt(store, key, o)).lock;
}

/**
 * How long a waiter pauses before its next attempt: full jitter capped at the
 * ttl, but never under the floor (so no option makes it a hot loop), never
 * past the end of the holder's lease when that is known (nothing is gained by
 * sleeping on a free lock), and never past the end of `wait`.
 */
function pause(n: number, o: ResolvedLockOptions, untilFree: number, left: number): number {
  const backoff = fullJitter(Math.min(n, MAX_BACKOFF_EXPONENT), o.retry, o.ttl);
  return Math.min(left, Math.max(MIN_PAUSE_MS, Math.min(backoff, untilFree)));
}

/** @internal Attempts until acquired, with jittered backoff, within `wait`. */
export async function acquire(store: LockStore, key: string, o: ResolvedLockOptions): Promise<Lock> {
  checkLockSize(store, key, o);
  const clock = store.clock;
  const started = clock();
  for (let n = 0; ; n++) {
    const { lock, heldUntil: until } = await attempt(store, key, o);
    if (lock !== undefined) return lock;
    const now = clock();
    const left = o.wait === undefined ? Infinity : started + o.wait - now;
    if (left <= 0) {
      throw new DynastoreError('KEY_EXISTS', `lock ${quote(key)} is still held after waiting ${o.wait} ms`);
    }
    await sleep(pause(n, o, until === undefined ? Infinity : until - now, left), o.signal, 'lock');
  }
}
