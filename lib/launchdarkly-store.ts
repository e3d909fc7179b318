// The LaunchDarkly SDK's persistent store contract (`interfaces.PersistentDataStore`)
// on a dynastore table in LaunchDarkly's own layout. The SDK's
// PersistentDataStoreWrapper, around it, does the caching and the
// deserializing; this file only moves serialized items in and out.
//
// Implementation notes: what this store does NOT guarantee.
// - `init` is not atomic, as no LaunchDarkly store's is: it writes the new
//   items kind by kind in the order given (segments before flags), then
//   deletes the items the new data lacks, then writes the `$inited` marker. A
//   failure part-way leaves the items written so far, the old ones not yet
//   deleted, and no new marker; the next init (the SDK's data source retries)
//   replaces everything again. A reader in another process can see the mix
//   meanwhile.
// - Kinds that the new data does not name are left as they are.
// - `init` refuses data holding an item that DynamoDB cannot store (over
//   400 KB with its keys): it fails, naming the item, rather than skip it as
//   LaunchDarkly's own stores do (they then delete the stored copy, so the
//   flag silently disappears). Kinds before it in the data are written by then.
// - Versions are integers from 1 (0 in init): an upsert at version 0 fails
//   INVALID_ARGUMENT, passed to the SDK and logged; an init item at version 0
//   is stored without a version attribute, which reads as 0 again.
// - An upsert racing another process's upsert of the same item is settled by
//   DynamoDB's condition (the higher version stays), not by this process.
import type { interfaces, LDLogger } from '@launchdarkly/node-server-sdk';
import type { KVPair } from './kvpair';
import { writeWithString } from './options';
import type { Partition } from './partition';
import type { Table } from './table';

type Kind = interfaces.PersistentStoreDataKind;
type Descriptor = interfaces.SerializedItemDescriptor;
type KeyedDescriptor = interfaces.KeyedItem<string, Descriptor>;

/** @internal The key of the "initialized" marker, and its namespace, without a prefix. */
export const INITED_KEY = '$inited';

/**
 * @internal LaunchDarkly's attribute names, as its Go and Node stores and the
 * Relay Proxy use them: hash key `namespace`, range key `key`, the item's
 * version in `version` (N) and its JSON in `item` (S).
 */
export const LAUNCHDARKLY_ATTRIBUTES = {
  partitionKey: 'namespace',
  sortKey: 'key',
  value: 'item',
  version: 'version',
} as const;

/** The store's method a request was made for, handed to hooks as `ctx.launchDarkly`. */
type StoreMethod = 'init' | 'get' | 'getAll' | 'upsert' | 'initialized' | 'isStoreAvailable';

/** @internal What the store needs besides its table: everything the factory resolved. */
export interface LaunchDarklyStoreSettings {
  /** The table, with LaunchDarkly's attribute names. */
  readonly table: Table;
  /** The key prefix; '' for none. */
  readonly prefix: string;
  /** Where failures are logged: the SDK's logger, or the `logger` option. */
  readonly logger: LDLogger;
  /** Releases what this store owns (a client it built), once, on close. */
  readonly release: () => void;
}

/**
 * @internal The SDK's `PersistentDataStore` on dynastore. Every callback is
 * called exactly once, after the store's requests settle, and never from
 * inside the store's own error handling, so a callback that throws can
 * neither be called twice nor stall the SDK's update queue (its throw is
 * logged). Failures are logged; where the interface takes an error (`init`,
 * `upsert`) it is passed on too, and elsewhere the answer is "nothing"
 * (`undefined`, `false`).
 */
export class LaunchDarklyStore implements interfaces.PersistentDataStore {
  readonly #table: Table;
  readonly #prefix: string;
  readonly #logger: LDLogger;
  #release: (() => void) | undefined;

  constructor(settings: LaunchDarklyStoreSettings) {
    this.#table = settings.table;
    this.#prefix = settings.prefix;
    this.#logger = settings.logger;
    this.#release = settings.release;
  }

  init(allData: interfaces.KindKeyedStore<Kind>, callback: (err?: Error) => void): void {
    const progress = { step: 'reading the stored keys' };
    this.#settle(
      () => `init of table ${this.#table.tableName} (${progress.step})`,
      async (): Promise<[]> => {
        await this.#init(allData, progress);
        return [];
      },
      (err): [Error] => [err],
      callback,
    );
  }

  get(kind: Kind, key: string, callback: (descriptor: Descriptor | undefined) => void): void {
    this.#settle(
      `get of ${this.#where(kind, key)}`,
      async (): Promise<[Descriptor | undefined]> => {
        // A missing flag is an answer: find reads it as get does, without failing the operation (no error span).
        const partition = this.#partition(kind.namespace);
        const kv = await partition.table.find(partition.partitionName, key, context('get'));
        return [kv === undefined ? undefined : descriptor(kv)];
      },
      (): [undefined] => [undefined],
      callback,
    );
  }

  getAll(kind: Kind, callback: (descriptors: KeyedDescriptor[] | undefined) => void): void {
    this.#settle(
      `getAll of ${this.#where(kind)}`,
      async (): Promise<[KeyedDescriptor[]]> => {
        const items: KeyedDescriptor[] = [];
        // Tombstones included, as the interface asks; keys from the key attribute, never from the JSON
        // (Go's and the Relay Proxy's tombstones say "$deleted" there).
        for await (const kv of this.#partition(kind.namespace).iterate('', context('getAll'))) {
          items.push({ key: kv.key, item: descriptor(kv) });
        }
        return [items];
      },
      (): [undefined] => [undefined],
      callback,
    );
  }

  upsert(
    kind: Kind,
    key: string,
    item: Descriptor,
    callback: (err?: Error, updatedDescriptor?: Descriptor) => void,
  ): void {
    this.#settle(
      `upsert of ${this.#where(kind, key)} at version ${item.version}`,
      async (): Promise<[undefined, Descriptor]> => {
        const { pair } = await this.#partition(kind.namespace).putIfNewer(
          key,
          item.version,
          writeWithString(serialized(key, item)),
          context('upsert'),
        );
        // Won or lost, the stored item: the SDK's wrapper caches it as the item's current value.
        return [undefined, descriptor(pair)];
      },
      (err): [Error] => [err],
      callback,
    );
  }

  initialized(callback: (isInitialized: boolean) => void): void {
    this.#settle(
      'initialized',
      async (): Promise<[boolean]> => [await this.#hasMarker('initialized')],
      (): [boolean] => [false],
      callback,
    );
  }

  isStoreAvailable(callback: (isAvailable: boolean) => void): void {
    this.#settle(
      'isStoreAvailable',
      async (): Promise<[boolean]> => {
        await this.#hasMarker('isStoreAvailable');
        return [true];
      },
      (): [boolean] => [false],
      callback,
    );
  }

  close(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  getDescription(): string {
    // What LaunchDarkly's own DynamoDB store says: the SDK reports it in its diagnostic events.
    return 'DynamoDB';
  }

  /**
   * Replaces everything of the kinds given: reads the keys stored now (one
   * consistent listing per kind), writes every item in the order given,
   * deletes the stored keys the new data lacks, and writes the marker last,
   * each step after the one before has landed.
   */
  async #init(allData: interfaces.KindKeyedStore<Kind>, progress: { step: string }): Promise<void> {
    const kinds = allData.map(({ key: kind, item: items }) => ({ partition: this.#partition(kind.namespace), items }));
    const stale: Set<string>[] = [];
    for (const { partition } of kinds) {
      progress.step = `reading the keys stored in ${JSON.stringify(partition.partitionName)}`;
      const keys = new Set<string>();
      for await (const kv of partition.iterate('', context('init'))) keys.add(kv.key);
      stale.push(keys);
    }
    for (const [i, { partition, items }] of kinds.entries()) {
      progress.step = `writing ${items.length} items to ${JSON.stringify(partition.partitionName)}`;
      await partition.putMany(
        items.map(({ key, item }) => ({
          key,
          version: item.version,
          value: serialized(key, item),
        })),
        context('init'),
      );
      for (const { key } of items) stale[i]?.delete(key);
    }
    for (const [i, { partition }] of kinds.entries()) {
      const keys = [...(stale[i] ?? [])];
      progress.step = `deleting ${keys.length} items absent from the new data from ${JSON.stringify(partition.partitionName)}`;
      await partition.deleteMany(keys, context('init'));
    }
    // The marker has no attribute but its keys, as LaunchDarkly's stores write it: version 0 writes none.
    const marker = this.#namespace(INITED_KEY);
    progress.step = `writing the marker ${JSON.stringify(marker)}`;
    await this.#table.partition(marker).putMany([{ key: marker, version: 0 }], context('init'));
  }

  async #hasMarker(method: StoreMethod): Promise<boolean> {
    const marker = this.#namespace(INITED_KEY);
    return this.#table.partition(marker).exists(marker, context(method));
  }

  /** `<prefix>:<name>`, or `name` alone without a prefix. */
  #namespace(name: string): string {
    return this.#prefix === '' ? name : `${this.#prefix}:${name}`;
  }

  #partition(kindNamespace: string): Partition {
    return this.#table.partition(this.#namespace(kindNamespace));
  }

  /** Where an item is, for log lines: table, namespace and key. */
  #where(kind: Kind, key?: string): string {
    const at = `${JSON.stringify(this.#namespace(kind.namespace))} in table ${this.#table.tableName}`;
    return key === undefined ? at : `${JSON.stringify(key)} of ${at}`;
  }

  /**
   * Runs `work`, then calls `callback` with its answer, or, when it failed,
   * logs the failure and calls `callback` with `failed(err)`. The callback is
   * called outside both, once; what it throws is logged, never thrown into
   * the promise (an unhandled rejection) nor answered with a second call.
   */
  #settle<A extends unknown[]>(
    what: string | (() => string),
    work: () => Promise<A>,
    failed: (err: Error) => A,
    callback: (...args: A) => void,
  ): void {
    let running: Promise<A>;
    try {
      running = work();
    } catch (err) {
      running = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    void running
      .then(
        (args) => args,
        (err: unknown) => {
          const error = err instanceof Error ? err : new Error(String(err));
          this.#log(`DynamoDBFeatureStore: ${describe(what)} failed: ${error.message}`);
          return failed(error);
        },
      )
      .then((args) => {
        try {
          callback(...args);
        } catch (err) {
          this.#log(`DynamoDBFeatureStore: the SDK's callback for ${describe(what)} threw: ${String(err)}`);
        }
      });
  }

  /** Logs at error level; a logger that throws is ignored: logging must not break the answer. */
  #log(message: string): void {
    try {
      this.#logger.error(message);
    } catch {
      // Nowhere left to report it.
    }
  }
}

function describe(what: string | (() => string)): string {
  return typeof what === 'string' ? what : what();
}

/**
 * The JSON stored for an item. The SDK always serializes, tombstones
 * included; a tombstone without JSON is written as the JS SDK writes one.
 */
function serialized(key: string, item: Descriptor): string {
  return item.serializedItem ?? JSON.stringify({ key, deleted: true, version: item.version });
}

/** A stored item as the SDK's wrapper takes it: the version, and the JSON it deserializes itself. */
function descriptor(kv: KVPair): Descriptor {
  return kv.value === undefined ? { version: kv.version } : { version: kv.version, serializedItem: kv.stringValue() };
}

/** The options of a store request: its method, for hooks (`ctx.launchDarkly`). */
function context(method: StoreMethod): { context: { launchDarkly: StoreMethod } } {
  return { context: { launchDarkly: method } };
}
