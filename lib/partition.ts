import { isTable } from './brand';
import { invalidArgument } from './errors';
import type { BatchWriteOptions, PutManyItem } from './batch-write';
import type { KVPair, KVPairPage } from './kvpair';
import { acquire, resolveLockOptions, tryAcquire, type Lock, type LockOptions, type LockStore } from './lock';
import type { DeleteOptions, GetOptions, PreviousKV, PutOptions, ReadOptions, WriteOptions } from './options';
import type { Table } from './table';
import type { DeleteTreeOptions, TreeEntry } from './tree';
import type { PutIfNewerResult } from './write';
import { checkPartitionKey, checkSortKey, describeValue } from './validate';

/**
 * A partition of a table: the operations of {@link Table} with the partition
 * name bound. Keys may be paths (`user/123`, `a/b/c`), so a partition holds a
 * hierarchy that prefix listing walks like a directory.
 *
 * @example
 * ```ts
 * const users = session.table('agents').partition('users');
 * await users.put('user/123', writeWithString('{"name":"Stax"}'), writeWithTTL(60_000));
 * const kv = await users.get('user/123');
 * const next = await users.atomicPut('user/123', writeWithString('v2'), writeWithPreviousKV(kv));
 * ```
 */
export class Partition {
  /** The table this partition is in. */
  readonly table: Table;
  /** The partition name (the value of the table's hash key, `id` by default). */
  readonly partitionName: string;

  /** Same as `table.partition(partitionName)`; anything but a Table as `table` is `INVALID_ARGUMENT`. */
  constructor(table: Table, partitionName: string) {
    // A lookalike, or Object.create(Table.prototype), would fail later with a TypeError.
    if (!isTable(table)) throw invalidArgument(`a Partition needs a Table, got ${describeValue(table)}`, table);
    this.table = table;
    this.partitionName = checkPartitionKey(partitionName);
  }

  /** The DynamoDB table name. */
  get tableName(): string {
    return this.table.tableName;
  }

  /** See {@link Table.put}. */
  put(key: string, ...options: (PutOptions | undefined)[]): Promise<void> {
    return this.table.put(this.partitionName, key, ...options);
  }

  /** See {@link Table.get}. */
  get(key: string, ...options: (GetOptions | undefined)[]): Promise<KVPair> {
    return this.table.get(this.partitionName, key, ...options);
  }

  /** See {@link Table.getMany}. */
  getMany(keys: readonly string[], ...options: (GetOptions | undefined)[]): Promise<(KVPair | undefined)[]> {
    return this.table.getMany(this.partitionName, keys, ...options);
  }

  /** See {@link Table.exists}. */
  exists(key: string, ...options: (GetOptions | undefined)[]): Promise<boolean> {
    return this.table.exists(this.partitionName, key, ...options);
  }

  /** See {@link Table.delete}. */
  delete(key: string, ...options: (DeleteOptions | undefined)[]): Promise<void> {
    return this.table.delete(this.partitionName, key, ...options);
  }

  /**
   * See {@link Table.listPage}. With a global index, list through the table
   * instead: its partition argument is the index's partition value.
   */
  listPage(prefix: string, ...options: (ReadOptions | undefined)[]): Promise<KVPairPage> {
    return this.table.listPage(this.partitionName, prefix, ...options);
  }

  /** See {@link Table.iterate}. */
  iterate(prefix: string, ...options: (ReadOptions | undefined)[]): AsyncIterableIterator<KVPair> {
    return this.table.iterate(this.partitionName, prefix, ...options);
  }

  /**
   * The children of a directory, lazily: each live item directly under
   * `prefix` as `{ type: 'item', pair }` and each child directory once as
   * `{ type: 'prefix', prefix }`, without reading the subtrees;
   * `delimiter` defaults to `'/'`. See {@link Table.iterateChildren}.
   *
   * @example
   * ```ts
   * for await (const entry of docs.iterateChildren('docs/', { delimiter: '/' })) {
   *   console.log(entry.type === 'prefix' ? entry.prefix : entry.pair.key);
   * }
   * ```
   */
  iterateChildren(prefix: string, ...options: (ReadOptions | undefined)[]): AsyncIterableIterator<TreeEntry> {
    return this.table.iterateChildren(this.partitionName, prefix, ...options);
  }

  /**
   * See {@link Table.list}.
   *
   * @deprecated Holds the whole listing in memory; use {@link Partition.iterate} or {@link Partition.listPage}.
   */
  list(prefix: string, ...options: (ReadOptions | undefined)[]): Promise<KVPair[]> {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the deprecated Go API, ported on purpose
    return this.table.list(this.partitionName, prefix, ...options);
  }

  /** See {@link Table.atomicPut}. */
  atomicPut(key: string, ...options: (WriteOptions | undefined)[]): Promise<KVPair> {
    return this.table.atomicPut(this.partitionName, key, ...options);
  }

  /**
   * See {@link Table.putIfNewer}.
   *
   * @example
   * ```ts
   * const { written, pair } = await features.putIfNewer('flag-a', 12, writeWithString(json));
   * ```
   */
  putIfNewer(key: string, version: number, ...options: (PutOptions | undefined)[]): Promise<PutIfNewerResult> {
    return this.table.putIfNewer(this.partitionName, key, version, ...options);
  }

  /**
   * See {@link Table.putMany}.
   *
   * @example
   * ```ts
   * await features.putMany([{ key: 'flag-a', version: 3, value: json }], { signal });
   * ```
   */
  putMany(items: readonly PutManyItem[], options?: BatchWriteOptions): Promise<number> {
    return this.table.putMany(this.partitionName, items, options);
  }

  /**
   * See {@link Table.deleteMany}.
   *
   * @example
   * ```ts
   * await features.deleteMany(['flag-b', 'flag-c']);
   * ```
   */
  deleteMany(keys: readonly string[], options?: BatchWriteOptions): Promise<number> {
    return this.table.deleteMany(this.partitionName, keys, options);
  }

  /**
   * Deletes every item whose key begins with `prefix`, expired ones
   * included; resolves to how many it deleted. `''` (the whole partition)
   * needs `{ wholePartition: true }`. See {@link Table.deleteTree}.
   *
   * @example
   * ```ts
   * const n = await docs.deleteTree('docs/old/', { onProgress: (deleted) => console.log(deleted) });
   * ```
   */
  deleteTree(prefix: string, options?: DeleteTreeOptions): Promise<number> {
    return this.table.deleteTree(this.partitionName, prefix, options);
  }

  /** See {@link Table.atomicDelete}. */
  atomicDelete(key: string, previous?: PreviousKV, ...options: (DeleteOptions | undefined)[]): Promise<boolean> {
    return this.table.atomicDelete(this.partitionName, key, previous, ...options);
  }

  /**
   * Takes the lock at `key`, waiting (with jittered backoff) while another
   * holder has it, up to `wait`: then `KEY_EXISTS`. The lease is renewed every
   * `heartbeat` until {@link Lock.release}. See {@link Lock} for how it is
   * stored and what the fencing token guarantees, and {@link LockOptions}
   * for the accepted options. Leases are judged by the session's `clock`,
   * and holders' clocks must agree to within a tenth of `ttl`. An attempt
   * whose write is answered only at or after 0.9 × ttl does not count: it is
   * released at once and the wait goes on. Fails with `REQUEST_FAILED`,
   * without waiting further, when DynamoDB cannot be reached.
   *
   * @example
   * ```ts
   * const lock = await jobs.lock('reindex', { ttl: 10_000, wait: 30_000 });
   * try {
   *   await work(lock.fencingToken, lock.signal);
   * } finally {
   *   await lock.release();
   * }
   * ```
   */
  async lock(key: string, options?: LockOptions): Promise<Lock> {
    checkSortKey(key);
    return acquire(this.lockStore(), key, resolveLockOptions(options));
  }

  /**
   * One attempt at the lock at `key`: the lock, or undefined while another
   * holder has it, another holder's write got there first, or this attempt's
   * write was answered only at or after 0.9 × ttl (it is then released at
   * once). Fails with
   * `REQUEST_FAILED` when DynamoDB cannot be reached: that is never reported
   * as a busy lock.
   */
  async tryLock(key: string, options?: LockOptions): Promise<Lock | undefined> {
    checkSortKey(key);
    return tryAcquire(this.lockStore(), key, resolveLockOptions(options));
  }

  /** What a lock needs of this partition. */
  private lockStore(): LockStore {
    return {
      partition: this.partitionName,
      names: this.table.layout,
      clock: this.table.clock,
      get: (key: string, options?: GetOptions) => this.get(key, options),
      atomicPut: (key, ...options) => this.atomicPut(key, ...options),
    };
  }
}
