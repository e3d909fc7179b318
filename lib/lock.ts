import { randomUUID } from 'node:crypto';
import { fullJitter, sleep } from './backoff';
import { DynastoreError, invalidArgument } from './errors';
import type { KVPair } from './kvpair';
import { checkSignal } from './options';
import type { Partition } from './partition';
import { describeValue } from './validate';

/**
 * Options of {@link Partition.lock} and {@link Partition.tryLock}.
 */
export interface LockOptions {
  /**
   * Lease length in milliseconds: a holder that stops renewing loses the lock
   * this long after its last renewal.
   * @defaultValue 20000
   */
  ttl?: number;
  /**
   * How often the lease is renewed, in milliseconds, below `ttl`; `false`
   * renews only when {@link Lock.renew} is called.
   * @defaultValue ttl / 3
   */
  heartbeat?: number | false;
  /** How long `lock` waits for the lock, in milliseconds; unset, it waits until acquired or aborted. */
  wait?: number;
  /**
   * Base delay between attempts of `lock`, in milliseconds: each wait is
   * random up to base × 2^attempt (full jitter), capped at the ttl.
   * @defaultValue 50
   */
  retry?: number;
  /** Data stored with the lock, as the item's payload; each holder writes its own (default `''`). */
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

function positive(what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalidArgument(`${what} must be a positive number of milliseconds, got ${describeValue(value)}`, value);
  }
  return value;
}

/** @internal Validates lock options before anything is sent. */
export function resolveLockOptions(options: LockOptions | undefined): ResolvedLockOptions {
  const input: unknown = options ?? {};
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalidArgument(`lock options must be an object, got ${describeValue(input)}`, input);
  }
  const o = input as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!LOCK_KEYS.has(key)) throw invalidArgument(`unknown lock option ${JSON.stringify(key)}`, o);
  }
  const ttl = o.ttl === undefined ? 20_000 : positive('ttl', o.ttl);
  let heartbeat: number | false = ttl / 3;
  if (o.heartbeat === false) heartbeat = false;
  else if (o.heartbeat !== undefined) {
    heartbeat = positive('heartbeat', o.heartbeat);
    if (heartbeat >= ttl) {
      throw invalidArgument(`heartbeat (${heartbeat} ms) must be shorter than ttl (${ttl} ms), or false`, o.heartbeat);
    }
  }
  let wait: number | undefined;
  if (o.wait !== undefined) {
    if (typeof o.wait !== 'number' || !Number.isFinite(o.wait) || o.wait < 0) {
      throw invalidArgument(`wait must be a non-negative number of milliseconds, got ${describeValue(o.wait)}`, o.wait);
    }
    wait = o.wait;
  }
  const retry = o.retry === undefined ? 50 : positive('retry', o.retry);
  if (o.value !== undefined && typeof o.value !== 'string') {
    throw invalidArgument(`value must be a string, got ${describeValue(o.value)}`, o.value);
  }
  return { ttl, heartbeat, wait, retry, value: o.value, signal: checkSignal(o.signal) };
}

/**
 * A held lock: an ordinary item of the partition at `key` (readable with
 * `get`), whose `owner`, `state` and `leaseUntil` fields say who holds it and
 * until when. It never has `expires`, so DynamoDB's TTL never deletes it and
 * its version only grows: the version a holder acquired it at is the
 * {@link Lock.fencingToken}.
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
  private version: number;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  /** When the lease ends for this holder: the last acknowledged write's send time, plus ttl, less a margin. */
  private deadline = 0;
  /** Renewals and the release run one at a time, in order, so a release never races a heartbeat. */
  private queue: Promise<unknown> = Promise.resolve();
  private renewing = false;
  private ended = false;

  /** @internal */
  constructor(
    private readonly partition: Partition,
    pair: KVPair,
    private readonly owner: string,
    private readonly options: ResolvedLockOptions,
    sentAt: number,
  ) {
    this.key = pair.key;
    this.version = pair.version;
    this.fencingToken = pair.version;
    this.signal = this.controller.signal;
    this.extend(sentAt);
    if (options.heartbeat !== false) {
      this.heartbeatTimer = setInterval(() => {
        // A renewal still under way is not queued again behind itself.
        if (!this.renewing) this.renew().catch(() => undefined);
      }, options.heartbeat);
      // A held lock alone does not keep the process alive.
      this.heartbeatTimer.unref();
    }
  }

  /**
   * Extends the lease by `ttl` from now. Resolves true when renewed; false,
   * with {@link Lock.signal} aborted and the reason saying why, when the lock
   * has ended, was lost or could not be reached before its lease ran out.
   */
  renew(): Promise<boolean> {
    return this.serialized(async () => {
      if (this.ended) return false;
      this.renewing = true;
      const sentAt = Date.now();
      try {
        const next = await this.partition.atomicPut(this.key, {
          previous: { version: this.version },
          fields: { owner: this.owner, state: 'held', leaseUntil: sentAt + this.options.ttl },
          // A renewal that cannot finish before the lease runs out is no use.
          signal: AbortSignal.timeout(Math.max(1, this.deadline - sentAt)),
        });
        this.version = next.version;
        this.extend(sentAt);
        return true;
      } catch (err) {
        if (await this.stillOurs(err)) return true;
        this.end(reasonOf(err, this.key));
        return false;
      } finally {
        this.renewing = false;
      }
    });
  }

  /**
   * Releases the lock, after any renewal already under way. Resolves true
   * when this holder released it; false when it had already ended or been
   * lost (then nothing is written).
   */
  release(): Promise<boolean> {
    this.stopHeartbeat();
    return this.serialized(async () => {
      for (let attempt = 0; !this.ended && attempt < 2; attempt++) {
        try {
          await this.partition.atomicPut(this.key, {
            previous: { version: this.version },
            fields: { owner: this.owner, state: 'released', leaseUntil: 0 },
          });
          this.end(new DynastoreError('ABORTED', `lock ${JSON.stringify(this.key)} released`));
          return true;
        } catch (err) {
          // A write of ours that the SDK retried may have landed: then try again on its version.
          if (!(await this.stillOurs(err))) this.end(reasonOf(err, this.key));
        }
      }
      this.end(new DynastoreError('REQUEST_FAILED', `lock ${JSON.stringify(this.key)} could not be released`));
      return false;
    });
  }

  /**
   * After a failed compare: whether the item is still held by this holder
   * (an earlier attempt of the same write landed, and the SDK's retry found
   * the version moved). If so, adopts its version.
   */
  private async stillOurs(err: unknown): Promise<boolean> {
    if (!DynastoreError.is(err, 'KEY_MODIFIED')) return false;
    try {
      const item = await this.partition.get(this.key);
      const fields = item.decodeFields<{ owner?: string; state?: string; leaseUntil?: number }>();
      if (fields.owner !== this.owner || fields.state !== 'held') return false;
      this.version = item.version;
      this.extend((fields.leaseUntil ?? 0) - this.options.ttl);
      return !this.ended;
    } catch {
      return false;
    }
  }

  /** Moves the local deadline to a write sent at `sentAt`, and arms the timer that ends the lease there. */
  private extend(sentAt: number): void {
    this.deadline = sentAt + this.options.ttl - this.options.ttl / 10;
    if (this.deadlineTimer !== undefined) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = setTimeout(
      () => {
        this.end(
          this.renewing
            ? new DynastoreError(
                'REQUEST_FAILED',
                `lock ${JSON.stringify(this.key)} lease ran out while a renewal was still under way`,
              )
            : new DynastoreError(
                'KEY_MODIFIED',
                `lock ${JSON.stringify(this.key)} lost: its lease ran out before it was renewed`,
              ),
        );
      },
      Math.max(0, this.deadline - Date.now()),
    );
    this.deadlineTimer.unref();
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private end(reason: DynastoreError): void {
    if (this.ended) return;
    this.ended = true;
    this.stopHeartbeat();
    if (this.deadlineTimer !== undefined) clearTimeout(this.deadlineTimer);
    this.controller.abort(reason);
  }
}

/** Why a renewal or release failed, as the lock's abort reason. */
function reasonOf(err: unknown, key: string): DynastoreError {
  if (DynastoreError.is(err, 'KEY_MODIFIED') || DynastoreError.is(err, 'KEY_NOT_FOUND')) {
    return new DynastoreError(
      'KEY_MODIFIED',
      `lock ${JSON.stringify(key)} lost: another holder took it, or it was removed`,
      {
        cause: err,
      },
    );
  }
  if (DynastoreError.is(err, 'REQUEST_FAILED') || DynastoreError.is(err, 'ABORTED')) {
    return new DynastoreError(
      'REQUEST_FAILED',
      `lock ${JSON.stringify(key)} could not be renewed: DynamoDB did not answer (${err.message}); the lease may still run until it expires`,
      { cause: err },
    );
  }
  return DynastoreError.is(err)
    ? err
    : new DynastoreError('REQUEST_FAILED', `lock ${JSON.stringify(key)} failed: ${String(err)}`, { cause: err });
}

/** Whether a stored lock item is free to take: released, or its lease has passed. */
function isFree(pair: KVPair, now: number): boolean {
  const fields = pair.decodeFields<{ state?: string; leaseUntil?: number }>();
  return fields.state !== 'held' || (fields.leaseUntil ?? 0) <= now;
}

/** @internal One attempt at the lock; undefined when someone else holds it. */
export async function tryAcquire(partition: Partition, key: string, o: ResolvedLockOptions): Promise<Lock | undefined> {
  const owner = randomUUID();
  let current: KVPair | undefined;
  try {
    current = await partition.get(key, o.signal === undefined ? {} : { signal: o.signal });
  } catch (err) {
    if (!DynastoreError.is(err, 'KEY_NOT_FOUND')) throw err;
  }
  if (current !== undefined && !isFree(current, Date.now())) return undefined;
  const sentAt = Date.now();
  // The caller's signal does not reach this write: cut off in flight it could still land, leaving a
  // lock nobody holds. It is checked once the write is done instead.
  const write = { fields: { owner, state: 'held', leaseUntil: sentAt + o.ttl }, value: o.value ?? '' };
  let lock: Lock;
  try {
    const acquired = await partition.atomicPut(key, current === undefined ? write : { ...write, previous: current });
    lock = new Lock(partition, acquired, owner, o, sentAt);
  } catch (err) {
    // Someone else got there first.
    if (
      DynastoreError.is(err, 'KEY_EXISTS') ||
      DynastoreError.is(err, 'KEY_MODIFIED') ||
      DynastoreError.is(err, 'KEY_NOT_FOUND')
    ) {
      return undefined;
    }
    throw err;
  }
  if (o.signal?.aborted) {
    await lock.release();
    throw new DynastoreError('ABORTED', `lock ${JSON.stringify(key)} aborted: ${String(o.signal.reason)}`, {
      cause: o.signal.reason,
    });
  }
  return lock;
}

/** @internal Attempts until acquired, with jittered backoff, within `wait`. */
export async function acquire(partition: Partition, key: string, o: ResolvedLockOptions): Promise<Lock> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const lock = await tryAcquire(partition, key, o);
    if (lock !== undefined) return lock;
    const left = o.wait === undefined ? Infinity : o.wait - (Date.now() - started);
    if (left <= 0) {
      throw new DynastoreError('KEY_EXISTS', `lock ${JSON.stringify(key)} is still held after waiting ${o.wait} ms`);
    }
    await sleep(Math.min(left, fullJitter(Math.min(attempt, 16), o.retry, o.ttl)), o.signal, 'lock');
  }
}
