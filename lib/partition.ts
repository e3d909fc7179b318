import { isTable } from './brand';
import { invalidArgument } from './errors';
import type { BatchWriteOptions, PutManyItem } from './batch-write';
import type { KVPair, KVPairPage } from './kvpair';
import { acquire, resolveLockOptions, tryAcquire, type Lock, type LockOptions, type LockStore } from './lock';
import type {
  DeleteOptions,
  GetOptions,
  PreviousKV,
  PutIfNewerOptions,
  PutOptions,
  ReadOptions,
  WriteOptions,
} from './options';
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

  /**
   * Writes the item at `key`, creating or updating it, and resolves to the
   * item as stored: the given payload and fields replace the stored ones,
   * others stay, `version` goes up by 1, and `expires` is set from `ttl`,
   * kept with `keepTtl: true`, or else removed. An expired item is replaced
   * whole at version 1. One UpdateItem request. Details: {@link Table.put}.
   *
   * @example
   * ```ts
   * const kv = await users.put('user/123', { value: json, ttl: 60_000 });
   * await users.put('user/123', writeWithString(json2), writeWithKeepTTL()); // keeps the expiry
   * ```
   */
  put(key: string, ...options: (PutOptions | undefined)[]): Promise<KVPair> {
    return this.table.put(this.partitionName, key, ...options);
  }

  /**
   * Reads the item at `key`: `KEY_NOT_FOUND` when it is absent or expired.
   * Takes `consistent` (default true), `signal`, `context` and
   * `returnConsumedCapacity`. One GetItem request. Details: {@link Table.get}.
   *
   * @example
   * ```ts
   * const kv = await users.get('user/123');
   * console.log(kv.version, kv.stringValue());
   * ```
   */
  get(key: string, ...options: (GetOptions | undefined)[]): Promise<KVPair> {
    return this.table.get(this.partitionName, key, ...options);
  }

  /**
   * Reads many keys at once (BatchGetItem, 100 keys per request, unprocessed
   * keys retried): one entry per key asked for, in order, the pair or
   * `undefined` when absent or expired. Details: {@link Table.getMany}.
   *
   * @example
   * ```ts
   * const [alice, bob] = await users.getMany(['user/alice', 'user/bob']);
   * ```
   */
  getMany(keys: readonly string[], ...options: (GetOptions | undefined)[]): Promise<(KVPair | undefined)[]> {
    return this.table.getMany(this.partitionName, keys, ...options);
  }

  /**
   * Whether a live item is at `key`: false when absent or expired. One
   * GetItem request for the key and expiry only. Details: {@link Table.exists}.
   */
  exists(key: string, ...options: (GetOptions | undefined)[]): Promise<boolean> {
    return this.table.exists(this.partitionName, key, ...options);
  }

  /**
   * Deletes the item at `key`; no error when there is none. One DeleteItem
   * request. To delete only a version you read, use {@link Partition.atomicDelete}.
   */
  delete(key: string, ...options: (DeleteOptions | undefined)[]): Promise<void> {
    return this.table.delete(this.partitionName, key, ...options);
  }

  /**
   * One page of the live items whose key begins with `prefix` (`''` for
   * all), in key order: `{ keys, lastKey? }`, where `keys` holds the pairs
   * (Go's name) and `lastKey` is the token for the next page
   * (`readWithStartKey`), undefined when done. A page may hold fewer than
   * `limit` items, even none, while `lastKey` is set, as expired items are
   * filtered out. With `delimiter`, one directory level: the items directly
   * under `prefix` and each child directory once in `prefixes`. One Query
   * request (a directory page may take several). With a global index, list
   * through the table: its partition argument is the index's partition
   * value. Details: {@link Table.listPage}.
   *
   * @example
   * ```ts
   * let page = await users.listPage('user/', readWithLimit(100));
   * while (page.lastKey !== undefined) page = await users.listPage('user/', readWithStartKey(page.lastKey));
   * const dir = await docs.listPage('docs/', { delimiter: '/' }); // dir.prefixes: ['docs/api/', …]
   * ```
   */
  listPage(prefix: string, ...options: (ReadOptions | undefined)[]): Promise<KVPairPage> {
    return this.table.listPage(this.partitionName, prefix, ...options);
  }

  /**
   * Every live item whose key begins with `prefix`, page after page, fetched
   * lazily as the loop asks for more; `limit` is the page size. Details:
   * {@link Table.iterate}.
   *
   * @example
   * ```ts
   * for await (const kv of users.iterate('user/')) console.log(kv.key);
   * ```
   */
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
   * Every live item whose key begins with `prefix`, all pages at once;
   * `KEY_NOT_FOUND` when nothing matches, as in Go. Details: {@link Table.list}.
   *
   * @deprecated Holds the whole listing in memory; use {@link Partition.iterate} or {@link Partition.listPage}.
   */
  list(prefix: string, ...options: (ReadOptions | undefined)[]): Promise<KVPair[]> {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the deprecated Go API, ported on purpose
    return this.table.list(this.partitionName, prefix, ...options);
  }

  /**
   * Compare-and-swap write; resolves to the item as written. Without
   * `previous` it creates: `KEY_EXISTS` when a live item is at `key` (an
   * expired one is replaced). With `previous` it writes only if the stored
   * version is `previous.version` and the item is live: `KEY_MODIFIED` on
   * another version, `KEY_NOT_FOUND` when absent or expired. Exact under the
   * SDK's retries. One conditional request. Details: {@link Table.atomicPut}.
   *
   * @example
   * ```ts
   * const created = await users.atomicPut('user/123', writeWithString(json));
   * const updated = await users.atomicPut('user/123', writeWithString(json2), writeWithPreviousKV(created));
   * ```
   */
  atomicPut(key: string, ...options: (WriteOptions | undefined)[]): Promise<KVPair> {
    return this.table.atomicPut(this.partitionName, key, ...options);
  }

  /**
   * "Newer version wins": writes the whole item at the caller's `version`
   * only if the stored item has a lower version, none, or has expired.
   * Resolves `{ written, pair }`, `pair` being what is stored afterwards.
   * One conditional PutItem. Details: {@link Table.putIfNewer}.
   *
   * @example
   * ```ts
   * const { written, pair } = await features.putIfNewer('flag-a', 12, writeWithString(json));
   * ```
   */
  putIfNewer(key: string, version: number, ...options: (PutIfNewerOptions | undefined)[]): Promise<PutIfNewerResult> {
    return this.table.putIfNewer(this.partitionName, key, version, ...options);
  }

  /**
   * Writes many items with BatchWriteItem, 25 per request, in order, each
   * replacing what is stored at its key (no condition), unprocessed writes
   * retried; resolves to the number written. Not a transaction. Details:
   * {@link Table.putMany}.
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
   * Deletes many keys with BatchWriteItem, 25 per request, in order,
   * unprocessed deletes retried; resolves to the number of keys sent.
   * Details: {@link Table.deleteMany}.
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

  /**
   * Compare-and-delete. With `previous`: deletes only if the stored version
   * is `previous.version` and the item is live, and resolves true;
   * `KEY_MODIFIED` on another version, `KEY_NOT_FOUND` when absent or
   * expired. Without: `KEY_EXISTS` when a live item is at `key`, else false.
   * One conditional DeleteItem. Details: {@link Table.atomicDelete}.
   *
   * @example
   * ```ts
   * const kv = await users.get('user/123');
   * await users.atomicDelete('user/123', kv); // KEY_MODIFIED if it changed since
   * ```
   */
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
