import type { AttributeMap } from './attribute';
import { setMaxListeners } from 'node:events';
import { DynastoreError, invalidArgument } from './errors';
import { seconds } from './item';
import { itemKey, type Layout } from './layout';
import { decodeItem, isExpired, type KVPair } from './kvpair';
import type { GetOptions } from './options';
import { Operation, type Runtime } from './request';
import { resolveReadOptions, type ResolvedRead } from './resolve';
import { checkPartitionKey, checkSortKey, describeValue } from './validate';

/**
 * BatchGetItem: keys per request, and requests in flight at once. 16 keeps
 * a big getMany to a third of the 50 sockets a session's agent opens, so
 * other calls on the session still get through, and bounds the responses
 * held in memory at once (up to 16 MB each).
 */
const BATCH_GET_KEYS = 100;
const BATCH_GET_IN_FLIGHT = 16;
/** How unprocessed keys are retried: `attempts` counts attempts in a row that processed no key. */
const BATCH_RETRY = { attempts: 10, baseMs: 25, capMs: 2000 } as const;

/**
 * @internal `Table.getMany`: many keys of one partition over BatchGetItem.
 *
 * Implementation notes: chunks of 100 keys go through a queue that 16
 * workers share. The first failure, or the caller's abort, aborts an
 * internal signal that every request and backoff wait listens to, and
 * getMany settles only once every worker has stopped, so nothing of the call
 * runs on after it. What it does not do: a request already on the wire is
 * abandoned, not recalled (the server may still read and bill it), and the
 * keys other chunks found are dropped with the error, not returned.
 */
export async function getMany(
  runtime: Runtime,
  tableName: string,
  layout: Layout,
  partition: string,
  keys: readonly string[],
  options: readonly (GetOptions | undefined)[],
): Promise<(KVPair | undefined)[]> {
  const o = resolveReadOptions(options, 'getMany');
  checkPartitionKey(partition);
  const list = copyKeys(keys);
  const unique = [...new Set(list)];
  if (unique.length === 0) return [];
  const chunks: string[][] = [];
  for (let at = 0; at < unique.length; at += BATCH_GET_KEYS) chunks.push(unique.slice(at, at + BATCH_GET_KEYS));

  // The caller's signal is forwarded by a listener removed when the call ends, not joined with
  // AbortSignal.any: Node lets go of an any() signal linked to a long-lived one only at garbage
  // collection (nodejs/node#55351), and a caller may pass one signal to many calls.
  const stop = new AbortController();
  // Each worker's request or backoff wait listens to it: 16 listeners are expected, not a leak.
  setMaxListeners(BATCH_GET_IN_FLIGHT, stop.signal);
  const caller = o.signal;
  const forward = (): void => stop.abort(caller?.reason);
  if (caller?.aborted) forward();
  // A null-prototype bag: Node reads `signal` from it, and must not find a polluted Object.prototype's.
  else caller?.addEventListener('abort', forward, Object.assign(Object.create(null) as object, { once: true }));
  // Built on a null prototype like `o`, so an option not given reads as undefined whatever Object.prototype holds.
  const op = new Operation(
    runtime,
    'GetMany',
    Object.assign(Object.create(null) as ResolvedRead, o, { signal: stop.signal }),
  );
  const found = new Map<string, KVPair>();
  // The caller gets the first failure, not the ABORTED the other chunks then end with.
  const failures: unknown[] = [];
  const queue = chunks.values();
  const worker = async (): Promise<void> => {
    // The workers share one iterator, so each chunk is taken once, by whichever worker is free first.
    for (const chunk of queue) {
      if (failures.length > 0) return;
      try {
        await batchGet(op, tableName, layout, partition, chunk, o.consistent, found);
      } catch (err) {
        failures.push(err);
        stop.abort(err);
      }
    }
  };
  return op.run(async () => {
    try {
      // A worker never rejects, so this waits for all of them, and no rejection is left unhandled.
      await Promise.all(Array.from({ length: Math.min(BATCH_GET_IN_FLIGHT, chunks.length) }, worker));
    } finally {
      caller?.removeEventListener('abort', forward);
    }
    if (failures.length > 0) throw failures[0];
    return list.map((key) => found.get(key));
  });
}

/**
 * @internal The keys, copied once by index and each checked: a Proxy's traps run here
 * only, and what they throw is INVALID_ARGUMENT with it as `cause`.
 */
export function copyKeys(keys: unknown): string[] {
  try {
    if (!Array.isArray(keys)) throw invalidArgument(`keys must be an array of keys, got ${describeValue(keys)}`, keys);
    const input = keys as unknown[];
    const length = input.length;
    const copy: string[] = [];
    for (let i = 0; i < length; i++) copy.push(checkSortKey(input[i]));
    return copy;
  } catch (err) {
    if (DynastoreError.is(err, 'INVALID_ARGUMENT')) throw err;
    throw new DynastoreError('INVALID_ARGUMENT', 'reading the keys threw (see cause)', { value: keys, cause: err });
  }
}

/**
 * One chunk of getMany, its unprocessed keys retried. Only attempts that
 * process no key count towards giving up: a response DynamoDB cut at 16 MB
 * leaves keys unprocessed but is progress, and a chunk of large items may
 * need more than 10 such attempts.
 */
async function batchGet(
  op: Operation,
  tableName: string,
  layout: Layout,
  partition: string,
  keys: readonly string[],
  consistent: boolean,
  found: Map<string, KVPair>,
): Promise<void> {
  let pending: AttributeMap[] = keys.map((key) => itemKey(layout, partition, key));
  let stalled = 0;
  for (;;) {
    const out = await op.batchGetItem({
      RequestItems: { [tableName]: { Keys: pending, ConsistentRead: consistent } },
    });
    const now = seconds(op.runtime.clock());
    for (const item of out.Responses?.[tableName] ?? []) {
      const pair = decodeItem(item, op.runtime.client.codec, layout);
      if (pair.partition === partition && !isExpired(item, now, layout)) found.set(pair.key, pair);
    }
    const sent = pending.length;
    pending = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
    if (pending.length === 0) return;
    // Progress also restarts the backoff: the next attempt is likely to make some too.
    stalled = pending.length < sent ? 0 : stalled + 1;
    if (stalled === BATCH_RETRY.attempts) {
      throw new DynastoreError(
        'REQUEST_FAILED',
        `getMany gave up with ${pending.length} keys still unprocessed after ${BATCH_RETRY.attempts} BatchGetItem attempts in a row that processed none`,
      );
    }
    await op.backoff(stalled, BATCH_RETRY.baseMs, BATCH_RETRY.capMs);
  }
}
