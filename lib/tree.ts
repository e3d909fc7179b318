import type { AttributeMap } from './attribute';
import { writeChunks } from './batch-write';
import type { QueryInput, WriteRequest } from './client';
import { DynastoreError, invalidArgument } from './errors';
import { keysQueryExpressions } from './expressions';
import type { KVPair, KVPairPage } from './kvpair';
import type { Layout } from './layout';
import type { Listing } from './listing';
import type { CommonOptions } from './options';
import { Operation, type Runtime } from './request';
import { resolveDeleteOptions, type ResolvedDelete } from './resolve';
import { checkPartitionKey, checkPrefix, describeValue, LIMITS, utf8Length } from './validate';

// Path-style keys as a tree: one directory level of a listing (S3's
// ListObjectsV2 with a delimiter), and the delete of a whole subtree.
//
// Implementation notes, directory listing:
// - It never reads a subtree it has listed. After meeting the first live item
//   of a child directory `c`, the next Query starts past all of `c`, with an
//   ExclusiveStartKey whose sort key is, ascending, the greatest sort key
//   any item under `c` can have (`pastSubtree`), and descending, `c` itself
//   (every key under `c` is `c` or longer, so sorts at or after it). Both
//   begin with the listing's prefix, so they meet the Query's key condition,
//   which DynamoDB requires of a start key. The cost of a child directory is
//   then one Query that reads the first few items of its subtree.
// - Query `Limit` is a window that starts at 10 items and doubles while
//   pages are mostly entries, back to 10 after a page mostly spent inside
//   directories already listed. A directory of large subdirectories costs
//   about one request and ten items read per subdirectory; one of plain
//   files or of small subdirectories, about what a plain prefix listing does.
// - What it does NOT guarantee: a page is not one request. Expired items are
//   filtered out by DynamoDB (they are still read and billed), so to know
//   whether a directory holds a live item, the listing reads its expired
//   items in key order until the first live one; a directory whose items are
//   all expired is read whole, and does not appear. A page ends when it
//   holds `limit` entries (1000 when unset) or the listing ends, however
//   many requests that takes.
// - A token is the key of the page's last entry, in Go's format: an item's
//   own key, or for a directory the key of its first live item. A token whose
//   key lies under a child directory resumes past that directory, which the
//   page that made the token listed. A token from a plain listing of the same
//   prefix is read the same way, and so may skip the rest of a directory it
//   stopped inside of.

/**
 * One child of a directory, as {@link Table.iterateChildren} yields it: an
 * item directly under the prefix, or a child directory (`prefix` ends in the
 * delimiter), each directory once.
 *
 * @example
 * ```ts
 * for await (const entry of docs.iterateChildren('docs/', { delimiter: '/' })) {
 *   console.log(entry.type === 'prefix' ? `${entry.prefix} (dir)` : entry.pair.key);
 * }
 * ```
 */
export type TreeEntry =
  | {
      /** An item directly under the prefix (its key may be the prefix itself). */
      type: 'item';
      /** The item, as any listing gives it. */
      pair: KVPair;
    }
  | {
      /** A child directory holding at least one live item. */
      type: 'prefix';
      /** The full path of the directory, ending in the delimiter: `'docs/api/'`. */
      prefix: string;
    };

/** Entries of a page when `limit` is unset, S3's default. */
const DEFAULT_PAGE_ENTRIES = 1000;
/** The Query `Limit` window: its first size, and the most it grows to. */
const WINDOW = { first: 10, max: 1000 } as const;

/** The largest code point, and the largest that takes 3, 2 and 1 bytes in UTF-8, indexed by bytes. */
const LARGEST_OF_BYTES = ['', '\x7F', '\u07FF', '\uFFFF', '\u{10FFFF}'] as const;

/**
 * @internal The greatest sort key (at most 1024 UTF-8 bytes, DynamoDB's limit) that
 * begins with `prefix`. DynamoDB orders string sort keys by their UTF-8
 * bytes, and UTF-8 keeps code point order; the greatest byte string is U+10FFFF
 * (F4 8F BF BF) repeated, and the bytes left over take the largest code point
 * that fits them. Any key under `prefix` either equals this or sorts before
 * it, so an ExclusiveStartKey holding it skips the whole subtree. (A bound
 * such as `prefix + '\uFFFF'` would not: `prefix + '\u{10000}'` sorts after it.)
 */
export function pastSubtree(prefix: string): string {
  const room = LIMITS.sortKeyBytes - utf8Length(prefix);
  if (room <= 0) return prefix;
  return prefix + LARGEST_OF_BYTES[4].repeat(Math.floor(room / 4)) + (LARGEST_OF_BYTES[room % 4] ?? '');
}

/** Compares two strings as DynamoDB orders sort keys: by their UTF-8 bytes. */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** An entry, with the key a token made after it resumes from, and whether the listing is known to end there. */
interface Found {
  entry: TreeEntry;
  key: AttributeMap;
  last: boolean;
}

/** @internal One directory level of a {@link Listing}: `listPage` and `iterateChildren` with a delimiter. */
export class Directory {
  private readonly prefix: string;
  private readonly sortAttribute: string;

  constructor(
    private readonly listing: Listing,
    private readonly delimiter: string,
  ) {
    this.prefix = listing.scope.prefix;
    this.sortAttribute = listing.scope.sortAttribute;
  }

  /** Up to `limit` entries (1000 when unset), and a token unless the listing is known to be done. */
  async page(): Promise<KVPairPage> {
    const max = this.listing.o.limit ?? DEFAULT_PAGE_ENTRIES;
    const keys: KVPair[] = [];
    const prefixes: string[] = [];
    let n = 0;
    for await (const found of this.walk(max)) {
      if (found.entry.type === 'item') keys.push(found.entry.pair);
      else prefixes.push(found.entry.prefix);
      if (++n === max) {
        const page: KVPairPage = { keys, prefixes };
        if (!found.last) page.lastKey = this.listing.token(found.key);
        return page;
      }
    }
    return { keys, prefixes };
  }

  /** Every entry, page after page, each Query made when the loop asks for more. */
  async *entries(): AsyncIterableIterator<TreeEntry> {
    for await (const found of this.walk(undefined)) yield found.entry;
  }

  /** The entries from the start token on; `max` bounds the Query `Limit` to what a page still needs. */
  private async *walk(max: number | undefined): AsyncGenerator<Found> {
    const { listing } = this;
    let start = listing.startKey === undefined ? undefined : this.resume(listing.startKey);
    let window: number = WINDOW.first;
    let given = 0;
    let stalled = false;
    for (;;) {
      // A page that still needs a few entries asks for a few items, unless the last Query gave none.
      const limit = max === undefined || stalled ? window : Math.min(window, max - given);
      const out = await listing.query(start, limit);
      const items = out.Items ?? [];
      const found: Found[] = [];
      let child: string | undefined;
      let lastItem: AttributeMap | undefined;
      let skipped = 0;
      for (const item of items) {
        lastItem = item;
        const c = this.childOf(this.sortKey(item));
        if (c === undefined) {
          child = undefined;
          found.push({ entry: { type: 'item', pair: listing.decode(item) }, key: this.keyOf(item), last: false });
        } else if (c === child) {
          skipped++;
        } else {
          child = c;
          found.push({ entry: { type: 'prefix', prefix: c }, key: this.keyOf(item), last: false });
        }
      }
      let next = out.LastEvaluatedKey;
      // Stopped inside a directory: go on past it, unless DynamoDB already did (expired items filtered out).
      if (next !== undefined && child !== undefined && lastItem !== undefined) {
        const past = this.past(child, lastItem);
        if (this.before(next, past)) next = past;
      }
      const lastFound = found.at(-1);
      if (next === undefined && lastFound !== undefined) lastFound.last = true;
      stalled = found.length === 0;
      window = skipped * 2 > items.length ? WINDOW.first : Math.min(window * 2, WINDOW.max);
      for (const f of found) {
        given++;
        yield f;
      }
      if (next === undefined) return;
      start = next;
    }
  }

  /** The child directory a sort key lies under, or undefined for an item directly under the prefix. */
  private childOf(sortKey: string): string | undefined {
    if (!sortKey.startsWith(this.prefix)) return undefined;
    const at = sortKey.indexOf(this.delimiter, this.prefix.length);
    return at < 0 ? undefined : sortKey.slice(0, at + this.delimiter.length);
  }

  private sortKey(item: AttributeMap): string {
    const value = item[this.sortAttribute]?.S;
    return typeof value === 'string' ? value : '';
  }

  /** The key attributes of an item, which a token or ExclusiveStartKey holds. */
  private keyOf(item: AttributeMap): AttributeMap {
    const key: AttributeMap = {};
    for (const attribute of this.listing.scope.keyAttributes.keys()) {
      const value = item[attribute];
      if (value !== undefined) key[attribute] = value;
    }
    return key;
  }

  /** The start key past the whole of `child`, from the key of an item under it (see the notes above). */
  private past(child: string, item: AttributeMap): AttributeMap {
    const bound = this.listing.o.scanIndexForward ? pastSubtree(child) : child;
    return { ...this.keyOf(item), [this.sortAttribute]: { S: bound } };
  }

  /** Whether start key `a` comes before `b` in the listing's direction. */
  private before(a: AttributeMap, b: AttributeMap): boolean {
    const order = compareKeys(this.sortKey(a), this.sortKey(b));
    return this.listing.o.scanIndexForward ? order < 0 : order > 0;
  }

  /** Where a token resumes: after its key, or past the directory its key lies under. */
  private resume(key: AttributeMap): AttributeMap {
    const child = this.childOf(this.sortKey(key));
    return child === undefined ? key : this.past(child, key);
  }
}

/**
 * Options of {@link Table.deleteTree}: the common options, a progress
 * callback, and the consent to delete a whole partition, in one plain object.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const n = await docs.deleteTree('docs/old/', {
 *   signal: controller.signal,
 *   onProgress: (deleted) => console.log(`${deleted} deleted`),
 * });
 * ```
 */
export interface DeleteTreeOptions extends CommonOptions {
  /**
   * Called after each BatchWriteItem response that deleted some items, with
   * how many the call has deleted so far. A callback that throws fails the
   * call with its error; the deletes already done stay.
   */
  onProgress?: (deleted: number) => void;
  /**
   * Required, as `true`, to delete with the prefix `''`: every item of the
   * partition. Without it `deleteTree('')` is `INVALID_ARGUMENT`, before any request.
   * @defaultValue false
   */
  wholePartition?: boolean;
}

const TREE_OPTIONS = new Set(['onProgress', 'wholePartition']);

/** The options of deleteTree, read once from the object's own properties; the common ones checked as any delete's. */
function resolveTreeOptions(options: unknown): {
  o: ResolvedDelete;
  onProgress: ((deleted: number) => void) | undefined;
  wholePartition: boolean;
} {
  if (options === undefined) return { o: resolveDeleteOptions([]), onProgress: undefined, wholePartition: false };
  const own: Record<string, unknown> = {};
  const common: Record<string, unknown> = {};
  try {
    const proto: unknown = typeof options === 'object' && options !== null ? Object.getPrototypeOf(options) : 0;
    if (
      Array.isArray(options) ||
      (proto !== null && (typeof proto !== 'object' || Object.getPrototypeOf(proto) !== null))
    ) {
      throw invalidArgument(`deleteTree options must be a plain object, got ${describeValue(options)}`, options);
    }
    for (const key of Object.keys(options as object)) {
      const value: unknown = (options as Record<string, unknown>)[key];
      if (TREE_OPTIONS.has(key)) own[key] = value;
      else common[key] = value;
    }
  } catch (err) {
    if (DynastoreError.is(err, 'INVALID_ARGUMENT')) throw err;
    throw new DynastoreError('INVALID_ARGUMENT', 'reading the deleteTree options threw (see cause)', {
      cause: err,
      value: options,
    });
  }
  const { onProgress, wholePartition } = own;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw invalidArgument(`onProgress must be a function, got ${describeValue(onProgress)}`, onProgress);
  }
  if (wholePartition !== undefined && typeof wholePartition !== 'boolean') {
    throw invalidArgument(`wholePartition must be a boolean, got ${describeValue(wholePartition)}`, wholePartition);
  }
  return {
    o: resolveDeleteOptions([common]),
    onProgress: onProgress as ((deleted: number) => void) | undefined,
    wholePartition: wholePartition === true,
  };
}

/** @internal `Table.deleteTree`. */
export async function deleteTree(
  runtime: Runtime,
  tableName: string,
  layout: Layout,
  partition: string,
  prefix: string,
  options: DeleteTreeOptions | undefined,
): Promise<number> {
  const { o, onProgress, wholePartition } = resolveTreeOptions(options);
  checkPartitionKey(partition);
  checkPrefix(prefix);
  if (prefix === '' && !wholePartition) {
    throw invalidArgument(
      "deleteTree('') would delete every item of the partition: pass { wholePartition: true } to mean it",
      prefix,
    );
  }
  const op = new Operation(runtime, 'DeleteTree', o);
  return op.run(async () => {
    let deleted = 0;
    let start: AttributeMap | undefined;
    do {
      const out = await op.query(keysQuery(tableName, layout, partition, prefix, start));
      const writes: WriteRequest[] = (out.Items ?? []).map((item) => ({
        DeleteRequest: {
          Key: { [layout.partitionKey]: { S: partition }, [layout.sortKey]: item[layout.sortKey] ?? {} },
        },
      }));
      const before = deleted;
      deleted += await writeChunks(
        op,
        tableName,
        writes,
        onProgress === undefined ? undefined : (done) => onProgress(before + done),
      );
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return deleted;
  });
}

/** A consistent Query of the keys under `prefix`, expired items included. */
function keysQuery(
  tableName: string,
  layout: Layout,
  partition: string,
  prefix: string,
  start: AttributeMap | undefined,
): QueryInput {
  const params: QueryInput = {
    TableName: tableName,
    ...keysQueryExpressions(layout, partition, prefix),
    ConsistentRead: true,
  };
  if (start !== undefined) params.ExclusiveStartKey = start;
  return params;
}
