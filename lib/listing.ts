import type { AttributeMap } from './attribute';
import type { Outputs, QueryInput } from './client';
import { queryExpressions } from './expressions';
import { seconds } from './item';
import type { Layout } from './layout';
import { decodeItem, type KVPair, type KVPairPage } from './kvpair';
import type { ReadOptions } from './options';
import { resolveReadOptions, type ResolvedRead } from './resolve';
import { Operation, type Runtime } from './request';
import { decodeToken, encodeToken, type TokenScope } from './token';
import { checkPartitionKey, checkPrefix, LIMITS } from './validate';

/** The table's own key attributes, with the most bytes each may hold. */
function tableKeys(layout: Layout): Map<string, number> {
  return new Map([
    [layout.partitionKey, LIMITS.partitionKeyBytes],
    [layout.sortKey, LIMITS.sortKeyBytes],
  ]);
}

/** What the scope of a listing of the table itself takes from its layout, made once per layout: nobody changes it. */
interface TableScope {
  readonly keyAttributes: ReadonlyMap<string, number>;
  readonly stringAttributes: readonly string[];
}

const tableScopes = new WeakMap<Layout, TableScope>();

function tableScope(layout: Layout): TableScope {
  let scope = tableScopes.get(layout);
  if (scope === undefined) {
    scope = Object.freeze({
      keyAttributes: tableKeys(layout),
      stringAttributes: Object.freeze([layout.partitionKey, layout.sortKey]),
    });
    tableScopes.set(layout, scope);
  }
  return scope;
}

/**
 * @internal One prefix listing of a partition (or of an index's partition):
 * its options, the scope its paging tokens are bound to, where it starts, and
 * the operation its Query requests belong to. Everything is checked, the
 * start token decoded, before any request.
 */
export class Listing {
  readonly op: Operation;
  readonly o: ResolvedRead;
  readonly scope: TokenScope;
  /** The decoded start token: DynamoDB's ExclusiveStartKey as given (a directory listing adjusts it, tree.ts). */
  readonly startKey: AttributeMap | undefined;

  constructor(
    private readonly runtime: Runtime,
    private readonly tableName: string,
    private readonly layout: Layout,
    name: 'ListPage' | 'List',
    partition: string,
    prefix: string,
    options: readonly (ReadOptions | undefined)[],
  ) {
    this.o = resolveReadOptions(options);
    this.scope = listScope(tableName, layout, partition, prefix, this.o);
    this.startKey =
      this.o.startKey === undefined ? undefined : decodeToken(this.o.startKey, this.scope, runtime.tokenSecret);
    this.op = new Operation(runtime, name, this.o);
  }

  /** One Query: its live items, and a token when DynamoDB has more. */
  page(): Promise<KVPairPage> {
    return this.query(this.startKey).then((out) => this.pageOf(out));
  }

  private pageOf(out: Outputs['Query']): KVPairPage {
    const items = out.Items ?? [];
    const codec = this.runtime.client.codec;
    const keys: KVPair[] = [];
    for (const item of items) keys.push(decodeItem(item, codec, this.layout));
    const page: KVPairPage = { keys };
    if (out.LastEvaluatedKey !== undefined) {
      page.lastKey = encodeToken(out.LastEvaluatedKey, this.scope, this.runtime.tokenSecret);
    }
    return page;
  }

  /** Every live item, page after page, each page fetched when the loop asks for more. */
  async *walk(): AsyncIterableIterator<KVPair> {
    let next = this.startKey;
    do {
      const out = await this.query(next);
      if (out.Items !== undefined) for (const item of out.Items) yield this.decode(item);
      next = out.LastEvaluatedKey;
    } while (next !== undefined);
  }

  /** The paging token that resumes this listing after `key`. */
  token(key: AttributeMap): string {
    return encodeToken(key, this.scope, this.runtime.tokenSecret);
  }

  decode(item: AttributeMap): KVPair {
    return decodeItem(item, this.runtime.client.codec, this.layout);
  }

  /** One Query from `startKey`, evaluating at most `limit` items (the `limit` option by default). */
  query(startKey: AttributeMap | undefined, limit = this.o.limit): Promise<Outputs['Query']> {
    const { o, scope } = this;
    const params: QueryInput = {
      TableName: this.tableName,
      ...queryExpressions(
        this.layout,
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
    if (limit !== undefined) params.Limit = limit;
    if (startKey !== undefined) params.ExclusiveStartKey = startKey;
    return this.op.query(params);
  }
}

/** What a listing's tokens are bound to: table, index, partition, prefix, direction, and the key attributes. */
function listScope(table: string, layout: Layout, partition: string, prefix: string, o: ResolvedRead): TokenScope {
  const index = o.index;
  checkPartitionKey(partition, index?.type === 'global' ? 'index partition' : 'partition');
  checkPrefix(prefix);
  const scanIndexForward = o.scanIndexForward;
  if (index === undefined) {
    const { keyAttributes, stringAttributes } = tableScope(layout);
    return {
      table,
      index: '',
      scanIndexForward,
      partitionAttribute: layout.partitionKey,
      partition,
      sortAttribute: layout.sortKey,
      prefix,
      keyAttributes,
      stringAttributes,
    };
  }
  const partitionAttribute = index.type === 'global' ? index.partitionKeyAttribute : layout.partitionKey;
  return {
    table,
    index: `${index.type}:${index.name}`,
    scanIndexForward,
    partitionAttribute,
    partition,
    sortAttribute: index.sortKeyAttribute,
    prefix,
    stringAttributes: [layout.partitionKey, layout.sortKey],
    keyAttributes: new Map([
      ...tableKeys(layout),
      [partitionAttribute, LIMITS.partitionKeyBytes],
      [index.sortKeyAttribute, LIMITS.sortKeyBytes],
    ]),
  };
}
