import type { AttributeMap } from './attribute';
import { getMany } from './batch';
import { ConditionFailed, type Outputs, type QueryInput } from './client';
import { DynastoreError, invalidArgument } from './errors';
import {
  absentOrExpiredCondition,
  existsProjection,
  liveAtVersionCondition,
  putExpressions,
  queryExpressions,
  swapExpressions,
} from './expressions';
import { decodeItem, isExpired, KVPair, type KVPairPage } from './kvpair';
import {
  checkPrevious,
  refuseIndex,
  resolveDeleteOptions,
  resolveReadOptions,
  resolveWriteOptions,
  type DeleteOptions,
  type PreviousKV,
  type ReadOptions,
  type ResolvedRead,
  type ResolvedWrite,
  type WriteOptions,
} from './options';
import { Partition } from './partition';
import { itemKey, seconds } from './item';
import { holdsWrite } from './outcome';
import { Operation, type Runtime } from './request';
import type { Session } from './session';
import { decodeToken, encodeToken, type TokenScope } from './token';
import {
  checkExpressionSize,
  checkWriteSize,
  checkPartitionKey,
  checkPrefix,
  checkSortKey,
  checkTableName,
  LIMITS,
} from './validate';

/** How often `put` goes round when an expired item keeps being replaced under it. */
const PUT_ATTEMPTS = 5;

const TABLE_KEYS: ReadonlyMap<string, number> = new Map([
  ['id', LIMITS.partitionKeyBytes],
  ['name', LIMITS.sortKeyBytes],
]);

/**
 * A DynamoDB table holding partitions: hash key `id` (the partition name),
 * range key `name` (the entity key). Every operation takes the partition
 * first; {@link Table.partition} binds one.
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
  private readonly runtime: Runtime;

  /** Same as `session.table(tableName)`. */
  constructor(session: Session<object>, tableName: string) {
    this.tableName = checkTableName(tableName);
    this.runtime = session.runtime;
  }

  /** A stored item as a pair, converted later by the session's SDK. */
  private readonly decode = (item: AttributeMap): KVPair => decodeItem(item, this.runtime.client.codec);

  /** @internal The session's clock, in milliseconds since the epoch. */
  get clock(): () => number {
    return this.runtime.clock;
  }

  /** The partition `name` of this table. */
  partition(name: string): Partition {
    return new Partition(this, name);
  }

  /**
   * Writes the item at `key`, creating it or updating it: the given payload
   * and fields replace the stored ones, others stay, `version` goes up by 1,
   * and `expires` is set from `ttl` or removed. An expired item counts as
   * absent and is replaced whole, starting again at version 1.
   *
   * One UpdateItem request; replacing an expired item takes a second.
   */
  async put(partition: string, key: string, ...options: (WriteOptions | undefined)[]): Promise<void> {
    const o = resolveWriteOptions(options);
    checkPartitionKey(partition);
    checkSortKey(key);
    if (o.previous !== undefined) {
      throw invalidArgument('put does not compare versions: give previous to atomicPut', o.previous);
    }
    const now = this.runtime.clock();
    const expires = expiresAt(now, o.ttl);
    checkWriteSize(partition, key, o.payload, o.fields, expires);
    const update = putExpressions({ payload: o.payload, fields: o.fields, expires }, seconds(now));
    checkExpressionSize(update.UpdateExpression, key, o.fields);
    const op = new Operation(this.runtime, 'Put', o);
    const Key = itemKey(partition, key);
    let replacement: AttributeMap | undefined;

    return op.run(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          await op.updateItem({ TableName: this.tableName, Key, ...update });
          return;
        } catch (err) {
          if (!(err instanceof ConditionFailed)) throw err;
          // The item is expired, so absent: no error of put's, which replaces it.
          op.conditionMeant(err, undefined);
        }
        // Replace it whole, unless it came back to life meanwhile.
        replacement ??= newItem(partition, key, o, expires);
        try {
          await op.putItem({ TableName: this.tableName, Item: replacement, ...absentOrExpiredCondition(seconds(now)) });
          return;
        } catch (err) {
          if (!(err instanceof ConditionFailed)) throw err;
          // It came back to life: put goes round and updates it.
          op.conditionMeant(err, undefined);
        }
        if (attempt === PUT_ATTEMPTS) {
          throw new DynastoreError(
            'REQUEST_FAILED',
            `put of key ${JSON.stringify(key)} gave up after ${attempt} attempts: the item kept changing between live and expired`,
          );
        }
      }
    });
  }

  /**
   * Reads the item at `key`. Fails with `KEY_NOT_FOUND` when it is absent or
   * expired, and with `INDEX_NOT_SUPPORTED` when given an index.
   * One GetItem request, strongly consistent unless `consistent: false`.
   */
  async get(partition: string, key: string, ...options: (ReadOptions | undefined)[]): Promise<KVPair> {
    const o = resolveReadOptions(options);
    checkPartitionKey(partition);
    checkSortKey(key);
    refuseIndex(o, 'get');
    const op = new Operation(this.runtime, 'Get', o);
    return op.run(async () => {
      const { Item } = await op.getItem({
        TableName: this.tableName,
        Key: itemKey(partition, key),
        ConsistentRead: o.consistent,
      });
      if (Item === undefined || isExpired(Item, seconds(this.runtime.clock()))) {
        throw notFound(this.tableName, partition, key);
      }
      return this.decode(Item);
    });
  }

  /**
   * Whether a live item is at `key`: false when absent or expired.
   * One GetItem request that fetches only the key and expiry.
   */
  async exists(partition: string, key: string, ...options: (ReadOptions | undefined)[]): Promise<boolean> {
    const o = resolveReadOptions(options);
    checkPartitionKey(partition);
    checkSortKey(key);
    refuseIndex(o, 'exists');
    const op = new Operation(this.runtime, 'Exists', o);
    return op.run(async () => {
      const { Item } = await op.getItem({
        TableName: this.tableName,
        Key: itemKey(partition, key),
        ConsistentRead: o.consistent,
        ...existsProjection(),
      });
      return Item?.id !== undefined && !isExpired(Item, seconds(this.runtime.clock()));
    });
  }

  /** Deletes the item at `key`; no error when there is none. One DeleteItem request. */
  async delete(partition: string, key: string, ...options: (DeleteOptions | undefined)[]): Promise<void> {
    const o = resolveDeleteOptions(options);
    checkPartitionKey(partition);
    checkSortKey(key);
    const op = new Operation(this.runtime, 'Delete', o);
    await op.run(() => op.deleteItem({ TableName: this.tableName, Key: itemKey(partition, key) }));
  }

  /**
   * One page of the live items whose key begins with `prefix` (all items for
   * `''`), in sort-key order. With an index option the prefix matches the
   * index's sort key, and for a global index `partition` is the value of the
   * index's partition key. Expired items are filtered out by DynamoDB, so a
   * page can hold fewer than `limit` items, even none, while `lastKey` is set:
   * follow `lastKey` until it is undefined, or use {@link Table.iterate}.
   * One Query request.
   */
  async listPage(partition: string, prefix: string, ...options: (ReadOptions | undefined)[]): Promise<KVPairPage> {
    const { o, scope, startKey } = this.listing(partition, prefix, options);
    const op = new Operation(this.runtime, 'ListPage', o);
    return op.run(async () => {
      const out = await this.query(op, scope, o, startKey);
      const page: KVPairPage = { keys: (out.Items ?? []).map(this.decode) };
      if (out.LastEvaluatedKey !== undefined)
        page.lastKey = encodeToken(out.LastEvaluatedKey, scope, this.runtime.tokenSecret);
      return page;
    });
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
    const { o, scope, startKey } = this.listing(partition, prefix, options);
    const op = new Operation(this.runtime, 'ListPage', o);
    return op.iterate(this.walk(op, scope, o, startKey));
  }

  /**
   * Every live item whose key begins with `prefix`, all pages at once.
   * Fails with `KEY_NOT_FOUND` when nothing matches, as Go does.
   *
   * @deprecated Holds the whole listing in memory; use {@link Table.iterate} or {@link Table.listPage}.
   */
  async list(partition: string, prefix: string, ...options: (ReadOptions | undefined)[]): Promise<KVPair[]> {
    const { o, scope, startKey } = this.listing(partition, prefix, options);
    const op = new Operation(this.runtime, 'List', o);
    return op.run(async () => {
      const items: KVPair[] = [];
      for await (const kv of this.walk(op, scope, o, startKey)) items.push(kv);
      if (items.length === 0) throw notFound(this.tableName, partition, prefix, 'prefix');
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
   * expired key. Takes the `consistent`, `signal`, `context` and
   * `returnConsumedCapacity` options.
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
    ...options: (ReadOptions | undefined)[]
  ): Promise<(KVPair | undefined)[]> {
    return getMany(this.runtime, this.tableName, partition, keys, options);
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
   * One conditional UpdateItem; on failure, DynamoDB returns the old item to
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
  async atomicPut(partition: string, key: string, ...options: (WriteOptions | undefined)[]): Promise<KVPair> {
    const o = resolveWriteOptions(options);
    checkPartitionKey(partition);
    checkSortKey(key);
    const previous = o.previous;
    if (previous !== undefined) checkSameItem(previous, partition, key);
    const now = this.runtime.clock();
    const expires = expiresAt(now, o.ttl);
    checkWriteSize(partition, key, o.payload, o.fields, expires);
    const op = new Operation(this.runtime, 'AtomicPut', o);

    if (previous === undefined) {
      const item = newItem(partition, key, o, expires);
      return op.run(async () => {
        try {
          await op.putItem({
            TableName: this.tableName,
            Item: item,
            ...absentOrExpiredCondition(seconds(now)),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          });
        } catch (err) {
          if (!(err instanceof ConditionFailed)) throw err;
          if (err.attempts > 1) {
            // The SDK retried: the live item found may be this very create, landed by a lost attempt.
            const stored = await this.storedAfter(op, partition, key, err);
            const own = { version: 1, payload: o.payload, fields: o.fields, expires, whole: true };
            if (stored !== undefined && holdsWrite(stored, own)) {
              op.conditionMeant(err, undefined);
              return this.decode(stored);
            }
          }
          throw op.conditionMeant(err, exists(partition, key));
        }
        return this.decode(item);
      });
    }

    const update = swapExpressions({ payload: o.payload, fields: o.fields, expires }, previous.version, seconds(now));
    checkExpressionSize(update.UpdateExpression, key, o.fields);
    return op.run(async () => {
      try {
        const out = await op.updateItem({
          TableName: this.tableName,
          Key: itemKey(partition, key),
          ...update,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        });
        return this.decode(out.Attributes ?? {});
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        const stored = await this.storedAfter(op, partition, key, err);
        const own = { version: previous.version + 1, payload: o.payload, fields: o.fields, expires, whole: false };
        // The SDK retried: the version found may be this very update, landed by a lost attempt.
        if (err.attempts > 1 && stored !== undefined && holdsWrite(stored, own)) {
          op.conditionMeant(err, undefined);
          return this.decode(stored);
        }
        throw op.conditionMeant(err, this.compareFailed(stored, partition, key, previous));
      }
    });
  }

  /**
   * Compare-and-delete.
   *
   * With `previous`: deletes only if the stored version is `previous.version`
   * and the item is live, and returns true; `KEY_MODIFIED` when another
   * version is stored, `KEY_NOT_FOUND` when absent or expired.
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
    const o = resolveDeleteOptions(options);
    checkPartitionKey(partition);
    checkSortKey(key);
    if (previous !== undefined) checkSameItem(checkPrevious(previous), partition, key);
    const op = new Operation(this.runtime, 'AtomicDelete', o);
    const now = seconds(this.runtime.clock());
    const base = { TableName: this.tableName, Key: itemKey(partition, key) };

    if (previous === undefined) {
      return op.run(async () => {
        try {
          await op.deleteItem({ ...base, ...absentOrExpiredCondition(now) });
          return false;
        } catch (err) {
          if (err instanceof ConditionFailed) throw op.conditionMeant(err, exists(partition, key));
          throw err;
        }
      });
    }
    return op.run(async () => {
      try {
        await op.deleteItem({
          ...base,
          ...liveAtVersionCondition(previous.version, now),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        });
        return true;
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        const stored = await this.storedAfter(op, partition, key, err);
        // The SDK retried and the item is gone: a lost attempt deleted it, or another caller did after
        // the version was seen; either way the item at previous.version is gone, which is what was asked.
        if (err.attempts > 1 && stored === undefined) {
          op.conditionMeant(err, undefined);
          return true;
        }
        throw op.conditionMeant(err, this.compareFailed(stored, partition, key, previous));
      }
    });
  }

  /**
   * The item as it is after a condition failed: the one the server returned
   * with the failure, or, where the server returns none (dynalite, or no
   * item), one consistent GetItem. Undefined when there is no item. A failed
   * read fails the operation (REQUEST_FAILED): its outcome is then unknown.
   */
  private async storedAfter(
    op: Operation,
    partition: string,
    key: string,
    failure: ConditionFailed,
  ): Promise<AttributeMap | undefined> {
    if (failure.itemReturned) return failure.item;
    const { Item } = await op.getItem({
      TableName: this.tableName,
      Key: itemKey(partition, key),
      ConsistentRead: true,
    });
    return Item?.id === undefined ? undefined : Item;
  }

  /** KEY_MODIFIED or KEY_NOT_FOUND, from the item found after a compare failed. */
  private compareFailed(
    item: AttributeMap | undefined,
    partition: string,
    key: string,
    previous: PreviousKV,
  ): DynastoreError {
    if (item === undefined || isExpired(item, seconds(this.runtime.clock()))) {
      return notFound(this.tableName, partition, key);
    }
    return new DynastoreError(
      'KEY_MODIFIED',
      `key ${JSON.stringify(key)} in partition ${JSON.stringify(partition)} was modified: expected version ${previous.version}, found ${item.version?.N ?? 'none'}`,
      { value: previous },
    );
  }

  /** What every listing starts from: its options, its token scope, and the decoded start key. */
  private listing(
    partition: string,
    prefix: string,
    options: readonly (ReadOptions | undefined)[],
  ): { o: ResolvedRead; scope: TokenScope; startKey: AttributeMap | undefined } {
    const o = resolveReadOptions(options);
    const scope = this.listScope(partition, prefix, o);
    const startKey = o.startKey === undefined ? undefined : decodeToken(o.startKey, scope, this.runtime.tokenSecret);
    return { o, scope, startKey };
  }

  private listScope(partition: string, prefix: string, o: ResolvedRead): TokenScope {
    const index = o.index;
    checkPartitionKey(partition, index?.type === 'global' ? 'index partition' : 'partition');
    checkPrefix(prefix);
    if (index === undefined) {
      return {
        table: this.tableName,
        index: '',
        partitionAttribute: 'id',
        partition,
        sortAttribute: 'name',
        prefix,
        keyAttributes: TABLE_KEYS,
      };
    }
    const partitionAttribute = index.type === 'global' ? index.partitionKeyAttribute : 'id';
    return {
      table: this.tableName,
      index: `${index.type}:${index.name}`,
      partitionAttribute,
      partition,
      sortAttribute: index.sortKeyAttribute,
      prefix,
      keyAttributes: new Map([
        ...TABLE_KEYS,
        [partitionAttribute, LIMITS.partitionKeyBytes],
        [index.sortKeyAttribute, LIMITS.sortKeyBytes],
      ]),
    };
  }

  private query(
    op: Operation,
    scope: TokenScope,
    o: ResolvedRead,
    startKey: AttributeMap | undefined,
  ): Promise<Outputs['Query']> {
    const params: QueryInput = {
      TableName: this.tableName,
      ...queryExpressions(
        scope.partitionAttribute,
        scope.partition,
        scope.sortAttribute,
        scope.prefix,
        seconds(this.runtime.clock()),
      ),
      ScanIndexForward: o.scanIndexForward,
    };
    if (o.index !== undefined) params.IndexName = o.index.name;
    if (o.index?.type !== 'global') params.ConsistentRead = o.consistent;
    if (o.limit !== undefined) params.Limit = o.limit;
    if (startKey !== undefined) params.ExclusiveStartKey = startKey;
    return op.query(params);
  }

  private async *walk(
    op: Operation,
    scope: TokenScope,
    o: ResolvedRead,
    startKey: AttributeMap | undefined,
  ): AsyncIterableIterator<KVPair> {
    let next = startKey;
    do {
      const out = await this.query(op, scope, o, next);
      if (out.Items !== undefined) for (const item of out.Items) yield this.decode(item);
      next = out.LastEvaluatedKey;
    } while (next !== undefined);
  }
}

/** Unix seconds at which an item written now with `ttl` expires: never earlier than asked. */
function expiresAt(now: number, ttl: number | undefined): number | undefined {
  return ttl === undefined ? undefined : Math.ceil((now + ttl) / 1000);
}

/** The whole item a create writes. */
function newItem(partition: string, key: string, o: ResolvedWrite, expires: number | undefined): AttributeMap {
  const item: AttributeMap = { ...o.fields, id: { S: partition }, name: { S: key }, version: { N: '1' } };
  if (o.payload !== undefined) item.payload = o.payload;
  if (expires !== undefined) item.expires = { N: String(expires) };
  return item;
}

function checkSameItem(previous: PreviousKV, partition: string, key: string): void {
  if (
    (previous.partition !== undefined && previous.partition !== partition) ||
    (previous.key !== undefined && previous.key !== key)
  ) {
    throw invalidArgument(
      `previous is the item ${JSON.stringify(previous.key)} of partition ${JSON.stringify(previous.partition)}, not ${JSON.stringify(key)} of ${JSON.stringify(partition)}`,
      previous,
    );
  }
}

function notFound(table: string, partition: string, key: string, what = 'key'): DynastoreError {
  return new DynastoreError(
    'KEY_NOT_FOUND',
    `${what} ${JSON.stringify(key)} not found in partition ${JSON.stringify(partition)} of table ${JSON.stringify(table)}`,
  );
}

function exists(partition: string, key: string): DynastoreError {
  return new DynastoreError(
    'KEY_EXISTS',
    `key ${JSON.stringify(key)} already exists in partition ${JSON.stringify(partition)}`,
  );
}
