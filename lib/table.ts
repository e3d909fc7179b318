import type { AttributeMap } from './attribute';
import { getMany } from './batch';
import { deleteMany, putMany, type BatchWriteOptions, type PutManyItem } from './batch-write';
import { brandTable, isSession } from './brand';
import { invalidArgument, keyNotFound } from './errors';
import { existsProjection } from './expressions';
import { seconds } from './item';
import { itemKey, resolveTableOptions, type Layout, type TableAttributes, type TableOptions } from './layout';
import { decodeItem, isExpired, KVPair, type KVPairPage } from './kvpair';
import { Listing } from './listing';
import type {
  DeleteOptions,
  GetOptions,
  PreviousKV,
  PutIfNewerOptions,
  PutOptions,
  ReadOptions,
  WriteOptions,
} from './options';
import { Partition } from './partition';
import { Operation, rejected, type Runtime } from './request';
import { resolveDeleteOptions, resolveReadOptions } from './resolve';
import type { Session } from './session';
import { deleteTree, Directory, type DeleteTreeOptions, type TreeEntry } from './tree';
import { checkPartitionKey, checkSortKey, checkTableName, describeValue } from './validate';
import { atomicDelete, atomicPut, put, putIfNewer, type PutIfNewerResult } from './write';

/**
 * A DynamoDB table holding partitions: hash key `id` (the partition name),
 * range key `name` (the entity key), unless {@link TableOptions.attributes}
 * names them otherwise. Every operation takes the partition first;
 * {@link Table.partition} binds one.
 *
 * @example
 * ```ts
 * const agents = session.table('agents');
 * await agents.put('users', 'user/123', writeWithString('{"name":"Stax"}'));
 * const kv = await agents.get('users', 'user/123');
 * ```
 */
export class Table {
  /** The DynamoDB table name. */
  readonly tableName: string;
  /** The names of the attributes dynastore owns in this table's items, defaults filled in. */
  readonly attributes: Readonly<Required<TableAttributes>>;
  private readonly runtime: Runtime;
  /** @internal */
  readonly layout: Layout;

  /** Same as `session.table(tableName, options)`; anything but a Session as `session` is `INVALID_ARGUMENT`. */
  constructor(session: Session<object>, tableName: string, options?: TableOptions) {
    // A lookalike, or Object.create(Session.prototype), would fail later with a TypeError.
    if (!isSession(session)) throw invalidArgument(`a Table needs a Session, got ${describeValue(session)}`, session);
    this.tableName = checkTableName(tableName);
    this.layout = resolveTableOptions(options);
    const { partitionKey, sortKey, value, version, expires } = this.layout;
    this.attributes = Object.freeze({ partitionKey, sortKey, value, version, expires });
    this.runtime = session.runtime;
    brandTable(this);
  }

  /** A stored item as a pair, converted later by the session's SDK. */
  private readonly decode = (item: AttributeMap): KVPair => decodeItem(item, this.runtime.client.codec, this.layout);

  /** @internal The session's clock, in milliseconds since the epoch. */
  get clock(): () => number {
    return this.runtime.clock;
  }

  /** The partition `name` of this table. */
  partition(name: string): Partition {
    return new Partition(this, name);
  }

  /**
   * Writes the item at `key`, creating it or updating it, and resolves to
   * the item as stored after the write: the given payload and fields replace
   * the stored ones, others stay, `version` goes up by 1, and `expires` is
   * set from `ttl`, kept with `keepTtl: true`, or else removed. An expired
   * item counts as absent and is replaced whole, starting again at version
   * 1. Takes {@link PutOptions}: `previous` belongs to `atomicPut`.
   *
   * The pair returned works as `previous` for a compare-and-swap with
   * {@link Table.atomicPut}. One UpdateItem request (`ReturnValues:
   * ALL_NEW`, so the reply carries the item); replacing an expired item
   * takes a second. Not idempotent: when the SDK retries an attempt whose
   * reply was lost but which landed, `version` goes up by 2, and the pair
   * returned shows it.
   *
   * @example
   * ```ts
   * const kv = await agents.put('users', 'user/123', { value: json, ttl: 60_000 });
   * await agents.put('users', 'user/123', writeWithString(json2), writeWithKeepTTL()); // still expires then
   * await agents.atomicPut('users', 'user/123', writeWithString(json3), writeWithPreviousKV(kv)); // KEY_MODIFIED: kv is one version behind
   * ```
   */
  put(partition: string, key: string, ...options: (PutOptions | undefined)[]): Promise<KVPair> {
    return put(this.runtime, this.tableName, this.layout, partition, key, options);
  }

  /**
   * Reads the item at `key`. Fails with `KEY_NOT_FOUND` when it is absent or
   * expired. Takes {@link GetOptions}: a listing option (`limit`,
   * `startKey`, `scanIndexForward`) fails with `INVALID_ARGUMENT`, an index
   * with `INDEX_NOT_SUPPORTED`, before any request.
   * One GetItem request, strongly consistent unless `consistent: false`.
   */
  get(partition: string, key: string, ...options: (GetOptions | undefined)[]): Promise<KVPair> {
    return this.read(partition, key, options, true) as Promise<KVPair>;
  }

  /**
   * @internal `get` for whom a missing item is an answer, not a failure
   * (the LaunchDarkly store): undefined when the item is absent or expired,
   * and hooks see an operation that succeeded. Same request, same name.
   */
  find(partition: string, key: string, ...options: (GetOptions | undefined)[]): Promise<KVPair | undefined> {
    return this.read(partition, key, options, false);
  }

  /**
   * `get` and `find`: one GetItem; a missing item fails with KEY_NOT_FOUND
   * only when `required`. Not async, like the request pipeline under it: the
   * operation's promise is the request's, with one step for the answer (a
   * bad argument still rejects, with nothing sent).
   */
  private read(
    partition: string,
    key: string,
    options: readonly (GetOptions | undefined)[],
    required: boolean,
  ): Promise<KVPair | undefined> {
    try {
      const o = resolveReadOptions(options, 'get');
      checkPartitionKey(partition);
      checkSortKey(key);
      const op = new Operation(this.runtime, 'Get', o);
      return op.run(() =>
        op
          .getItem({
            TableName: this.tableName,
            Key: itemKey(this.layout, partition, key),
            ConsistentRead: o.consistent,
          })
          .then(({ Item }) => {
            if (Item !== undefined && !isExpired(Item, seconds(this.runtime.clock()), this.layout)) {
              return this.decode(Item);
            }
            if (required) throw keyNotFound(this.tableName, partition, key);
            return undefined;
          }),
      );
    } catch (err) {
      return rejected(err);
    }
  }

  /**
   * Whether a live item is at `key`: false when absent or expired. Takes
   * {@link GetOptions}, as `get` does. One GetItem request that fetches only
   * the key and expiry.
   */
  async exists(partition: string, key: string, ...options: (GetOptions | undefined)[]): Promise<boolean> {
    const o = resolveReadOptions(options, 'exists');
    checkPartitionKey(partition);
    checkSortKey(key);
    const op = new Operation(this.runtime, 'Exists', o);
    return op.run(async () => {
      const { Item } = await op.getItem({
        TableName: this.tableName,
        Key: itemKey(this.layout, partition, key),
        ConsistentRead: o.consistent,
        ...existsProjection(this.layout),
      });
      return (
        Item !== undefined &&
        Object.hasOwn(Item, this.layout.partitionKey) &&
        !isExpired(Item, seconds(this.runtime.clock()), this.layout)
      );
    });
  }

  /** Deletes the item at `key`; no error when there is none. One DeleteItem request. */
  async delete(partition: string, key: string, ...options: (DeleteOptions | undefined)[]): Promise<void> {
    const o = resolveDeleteOptions(options);
    checkPartitionKey(partition);
    checkSortKey(key);
    const op = new Operation(this.runtime, 'Delete', o);
    await op.run(() => op.deleteItem({ TableName: this.tableName, Key: itemKey(this.layout, partition, key) }));
  }

  /**
   * One page of the live items whose key begins with `prefix` (all items for
   * `''`), in sort-key order. With an index option the prefix matches the
   * index's sort key, and for a global index `partition` is the value of the
   * index's partition key. Expired items are filtered out by DynamoDB, so a
   * page can hold fewer than `limit` items, even none, while `lastKey` is set:
   * follow `lastKey` until it is undefined, or use {@link Table.iterate}.
   * One Query request.
   *
   * With a `delimiter`, one directory level instead, as S3's ListObjectsV2:
   * `keys` holds the live items directly under `prefix` (one whose key is
   * `prefix` itself included), `prefixes` each child directory once across
   * all pages (the prefix plus the key up to and including the next
   * delimiter), and `limit` bounds the entries (items plus prefixes) of a
   * page, 1000 when unset. Subtrees are not read: each child directory costs
   * one Query of a few items, and a page may take several requests. A
   * directory whose items have all expired does not appear.
   *
   * @example
   * ```ts
   * const page = await files.listPage('tenant-1', 'docs/', { delimiter: '/' });
   * // page.keys: [KVPair 'docs/index.md'], page.prefixes: ['docs/api/', 'docs/guide/']
   * ```
   */
  listPage(partition: string, prefix: string, ...options: (ReadOptions | undefined)[]): Promise<KVPairPage> {
    try {
      const listing = new Listing(this.runtime, this.tableName, this.layout, 'ListPage', partition, prefix, options);
      const delimiter = listing.o.delimiter;
      if (delimiter !== undefined) {
        const directory = new Directory(listing, delimiter);
        return listing.op.run(() => directory.page());
      }
      return listing.op.run(() => listing.page());
    } catch (err) {
      return rejected(err);
    }
  }

  /**
   * Every live item whose key begins with `prefix`, page after page, fetched
   * lazily as the loop asks for more. Takes the options of `listPage`; `limit`
   * is the page size. Its requests are reported to hooks as `ListPage`.
   *
   * @example
   * ```ts
   * for await (const kv of agents.iterate('users', 'user/')) console.log(kv.key);
   * ```
   */
  iterate(partition: string, prefix: string, ...options: (ReadOptions | undefined)[]): AsyncIterableIterator<KVPair> {
    const listing = new Listing(this.runtime, this.tableName, this.layout, 'ListPage', partition, prefix, options);
    refuseDelimiter('iterate', listing);
    return listing.op.iterate(listing.walk());
  }

  /**
   * The children of a directory, page after page, fetched lazily as the loop
   * asks for more: each live item directly under `prefix` (an item whose key
   * is `prefix` itself included) as `{ type: 'item', pair }`, and each child
   * directory once as `{ type: 'prefix', prefix }`, the prefix ending in the
   * delimiter, in sort-key order. Subtrees are not read (one Query each, of a
   * few items); a directory whose items have all expired does not appear.
   * Takes the options of `listPage`; `delimiter` defaults to `'/'`. Its
   * requests are reported to hooks as `ListPage`.
   *
   * @example
   * ```ts
   * for await (const entry of files.iterateChildren('tenant-1', 'docs/', { delimiter: '/' })) {
   *   console.log(entry.type === 'prefix' ? entry.prefix : entry.pair.key);
   * }
   * ```
   */
  iterateChildren(
    partition: string,
    prefix: string,
    ...options: (ReadOptions | undefined)[]
  ): AsyncIterableIterator<TreeEntry> {
    const listing = new Listing(this.runtime, this.tableName, this.layout, 'ListPage', partition, prefix, [
      { delimiter: '/' },
      ...options,
    ]);
    const directory = new Directory(listing, listing.o.delimiter ?? '/');
    return listing.op.iterate(directory.entries());
  }

  /**
   * Every live item whose key begins with `prefix`, all pages at once.
   * Fails with `KEY_NOT_FOUND` when nothing matches, as Go does.
   *
   * @deprecated Holds the whole listing in memory; use {@link Table.iterate} or {@link Table.listPage}.
   */
  async list(partition: string, prefix: string, ...options: (ReadOptions | undefined)[]): Promise<KVPair[]> {
    const listing = new Listing(this.runtime, this.tableName, this.layout, 'List', partition, prefix, options);
    refuseDelimiter('list', listing);
    return listing.op.run(async () => {
      const items: KVPair[] = [];
      for await (const kv of listing.walk()) items.push(kv);
      if (items.length === 0) throw keyNotFound(this.tableName, partition, prefix, 'prefix');
      return items;
    });
  }

  /**
   * Reads many keys of one partition at once: BatchGetItem, 100 keys per
   * request, each key sent once however often it is asked for. At most 16
   * requests are in flight at once; the next 100 keys go out as a request
   * ends, so a large call neither floods the table nor takes every socket of
   * the session. Keys DynamoDB leaves unprocessed (throttling, responses cut
   * at 16 MB) are retried with jittered exponential backoff; only attempts
   * that process no key count, so a run of large items read a few per
   * response goes on to the end, and 10 attempts in a row that process none
   * fail with `REQUEST_FAILED`. The first failure ends the whole call: the
   * other requests and backoff waits stop at once, no further request is
   * sent, and the call rejects with that failure (an abort of `signal`, with
   * `ABORTED`); keys already read are not returned. Returns one entry per key
   * asked for, in the same order: the pair, or `undefined` for an absent or
   * expired key. Takes {@link GetOptions}, as `get` does: `consistent`,
   * `signal`, `context` and `returnConsumedCapacity`.
   *
   * @example
   * ```ts
   * const [alice, bob] = await users.getMany(['user/alice', 'user/bob']);
   * if (bob === undefined) console.log('no bob');
   * ```
   */
  async getMany(
    partition: string,
    keys: readonly string[],
    ...options: (GetOptions | undefined)[]
  ): Promise<(KVPair | undefined)[]> {
    return getMany(this.runtime, this.tableName, this.layout, partition, keys, options);
  }

  /**
   * Compare-and-swap write; returns the item as written.
   *
   * Without `previous` it creates: `KEY_EXISTS` if a live item is at `key`
   * (an expired one is replaced). One conditional PutItem.
   *
   * With `previous` it updates only if the stored version is
   * `previous.version` and the item is live: `KEY_MODIFIED` when another
   * version is stored, `KEY_NOT_FOUND` when the item is absent or expired.
   * `previous.version` 0 (a pair read from an item another tool wrote, with
   * no version of dynastore's) matches a live item that has none; the write
   * gives it version 1. `keepTtl: true` keeps the item's expiry; otherwise
   * `expires` is set from `ttl` or removed, as `put` does. One conditional UpdateItem; on failure, DynamoDB returns the old item to
   * tell the two apart, or, where the server does not (dynalite), one
   * consistent GetItem does.
   *
   * The answer is exact when the SDK retries: if an attempt whose reply was
   * lost had landed, the retry's condition fails on this very write; the
   * stored item is then compared with the write (version, payload, fields,
   * expires) and, when it holds exactly this write, the call resolves with
   * it. If that check cannot read the item, the call fails `REQUEST_FAILED`.
   * `ABORTED` while the request is in flight means the write may or may not
   * have landed.
   *
   * @example
   * ```ts
   * const created = await customers.atomicPut(id, writeWithString(json));
   * const updated = await customers.atomicPut(id, writeWithString(json2), writeWithPreviousKV(created));
   * ```
   */
  atomicPut(partition: string, key: string, ...options: (WriteOptions | undefined)[]): Promise<KVPair> {
    return atomicPut(this.runtime, this.tableName, this.layout, partition, key, options);
  }

  /**
   * Compare-and-delete.
   *
   * With `previous`: deletes only if the stored version is `previous.version`
   * and the item is live, and returns true; `KEY_MODIFIED` when another
   * version is stored, `KEY_NOT_FOUND` when absent or expired.
   * `previous.version` 0 matches a live item with no version of dynastore's.
   *
   * Without `previous`: asserts no live item is at `key`: `KEY_EXISTS` if one
   * is, otherwise false (an expired leftover is cleaned up). Go dereferenced
   * nil here.
   *
   * One conditional DeleteItem (plus, on a failed compare where the server
   * does not return the old item, one consistent GetItem).
   *
   * When the SDK retried the request and the retry finds the item gone, the
   * call returns true: an earlier attempt whose reply was lost deleted it, or
   * another caller deleted that same version in between; either way the item
   * at `previous.version` is gone.
   */
  async atomicDelete(
    partition: string,
    key: string,
    previous?: PreviousKV,
    ...options: (DeleteOptions | undefined)[]
  ): Promise<boolean> {
    return atomicDelete(this.runtime, this.tableName, this.layout, partition, key, previous, options);
  }

  /**
   * "Newer version wins": writes the item at `key` with the caller's
   * `version` (an integer from 1 to 2^53 − 1, stored as is, not a write
   * counter) only if the stored item has no version, a lower one, or has
   * expired (or there is none). The write replaces the whole item: key,
   * version, payload, fields, and `expires` from `ttl`. Takes
   * {@link PutIfNewerOptions}: the options of `put` but `keepTtl`. Resolves `{ written, pair }`: `pair` is the stored
   * item after the call, this write when `written`, else the item that kept
   * its place (same or newer version). A stored version that is not a number
   * is never overwritten.
   *
   * One conditional PutItem. When it loses, DynamoDB returns the stored item
   * with the failure; where the server does not (dynalite), one consistent
   * GetItem reads it. Should that item be gone by then, the write is tried
   * again (up to 5 times, then `REQUEST_FAILED`).
   *
   * Exact under the SDK's retries: when an attempt whose reply was lost had
   * landed, the retry's condition fails on this very write; the stored item
   * is then compared with the write and, when it holds exactly this write,
   * the call resolves `written: true`. Another writer that wrote the very
   * same item at the same version in between reads as this write.
   *
   * @example
   * ```ts
   * const { written, pair } = await flags.putIfNewer('features', 'flag-a', 12, writeWithString(json));
   * if (!written) console.log(`kept version ${pair.version}`);
   * ```
   */
  async putIfNewer(
    partition: string,
    key: string,
    version: number,
    ...options: (PutIfNewerOptions | undefined)[]
  ): Promise<PutIfNewerResult> {
    return putIfNewer(this.runtime, this.tableName, this.layout, partition, key, version, options);
  }

  /**
   * Writes many items of one partition with BatchWriteItem, 25 per request.
   * Each item replaces whatever is stored at its key (no condition:
   * BatchWriteItem takes none), with the item's own `version` (default 1;
   * 0 writes no version attribute), payload, fields and `ttl`. Every item is
   * checked before any request (`INVALID_ARGUMENT`, `RESERVED_FIELD`); a key
   * given twice is `INVALID_ARGUMENT`.
   *
   * The chunks of 25 are sent one after another in the order given: when
   * the call resolves, everything was written, and an item is written only
   * after every chunk before its own. Writes DynamoDB leaves unprocessed are
   * retried with jittered exponential backoff; 10 attempts in a row that
   * process none fail with `REQUEST_FAILED`, naming how many writes were not
   * done. A failure or an abort of `signal` midway leaves the writes before
   * it in place (this is no transaction). Resolves to the number of items
   * written; an empty list sends nothing and resolves 0.
   *
   * @example
   * ```ts
   * await flags.putMany('features', [
   *   { key: 'flag-a', version: 3, value: '{"on":true}' },
   *   { key: '$inited', version: 0 },
   * ]);
   * ```
   */
  async putMany(partition: string, items: readonly PutManyItem[], options?: BatchWriteOptions): Promise<number> {
    return putMany(this.runtime, this.tableName, this.layout, partition, items, options);
  }

  /**
   * Deletes many keys of one partition with BatchWriteItem, 25 per request,
   * in order, unprocessed deletes retried, as {@link Table.putMany} writes.
   * A key given twice is `INVALID_ARGUMENT`. Resolves to the number of keys
   * sent: DynamoDB does not say whether an item was there.
   *
   * @example
   * ```ts
   * await flags.deleteMany('features', ['flag-b', 'flag-c']);
   * ```
   */
  async deleteMany(partition: string, keys: readonly string[], options?: BatchWriteOptions): Promise<number> {
    return deleteMany(this.runtime, this.tableName, this.layout, partition, keys, options);
  }

  /**
   * Deletes every item whose key begins with `prefix`, expired ones
   * included, and resolves to how many it deleted. Reads the keys with
   * consistent Query requests (keys only) and deletes them with BatchWriteItem,
   * 25 a request, retrying what DynamoDB leaves unprocessed, as
   * {@link Table.deleteMany} does; its requests are reported to hooks as
   * `DeleteTree`. The prefix `''` (the whole partition) is `INVALID_ARGUMENT`
   * before any request unless `{ wholePartition: true }` is given.
   *
   * Not a transaction: an item written under the prefix while the call runs
   * may stay, and a call that fails or is aborted leaves what it had not yet
   * deleted; call it again to finish.
   *
   * @example
   * ```ts
   * const n = await files.deleteTree('tenant-1', 'docs/old/', { onProgress: (deleted) => bar.update(deleted) });
   * ```
   */
  async deleteTree(partition: string, prefix: string, options?: DeleteTreeOptions): Promise<number> {
    return deleteTree(this.runtime, this.tableName, this.layout, partition, prefix, options);
  }
}

/** `iterate` and `list` yield items only: a directory listing is `listPage` or `iterateChildren`. */
function refuseDelimiter(operation: string, listing: Listing): void {
  const delimiter = listing.o.delimiter;
  if (delimiter !== undefined) {
    throw invalidArgument(
      `${operation} does not take the delimiter option: list a directory with listPage or iterateChildren`,
      delimiter,
    );
  }
}
