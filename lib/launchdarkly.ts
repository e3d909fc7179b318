/**
 * A LaunchDarkly feature store on dynastore (`import … from
 * 'dynastore/launchdarkly'`), for the Node.js server SDK
 * `@launchdarkly/node-server-sdk` 9.x: {@link DynamoDBFeatureStore}, a
 * drop-in for the factory of the same name in LaunchDarkly's
 * `@launchdarkly/node-server-sdk-dynamodb`, on aws-sdk v2 or v3.
 *
 * The table is LaunchDarkly's own: hash key `namespace` (S), range key `key`
 * (S), `version` (N) and `item` (S, the item's JSON), and the marker
 * `$inited`, so a table is shared both ways with the Relay Proxy and
 * LaunchDarkly's Go and Node stores. Create it yourself, as for theirs; the
 * store never creates it.
 *
 * Only this entry loads `@launchdarkly/node-server-sdk`, an optional peer
 * dependency: the root entry never does.
 *
 * Not exported on purpose: the store under the SDK's cache (the SDK's
 * `PersistentDataStore` implementation); the SDK reaches it only through the
 * `LDFeatureStore` the factory makes.
 *
 * @example
 * ```ts
 * import { init } from '@launchdarkly/node-server-sdk';
 * import { DynamoDBFeatureStore } from 'dynastore/launchdarkly';
 *
 * const client = init(sdkKey, { featureStore: DynamoDBFeatureStore('launchdarkly', { prefix: 'production' }) });
 * ```
 *
 * @packageDocumentation
 */
import {
  basicLogger,
  PersistentDataStoreWrapper,
  type LDClientContext,
  type LDFeatureStore,
  type LDLogger,
} from '@launchdarkly/node-server-sdk';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a type-only import, kept as import-equals for consumers without esModuleInterop
import type DynamoDB = require('aws-sdk/clients/dynamodb');
import { isSession } from './brand';
import { DynastoreError, invalidArgument, quote } from './errors';
import type { Hooks } from './hooks';
import { LAUNCHDARKLY_ATTRIBUTES, INITED_KEY, LaunchDarklyStore } from './launchdarkly-store';
import { isV3Client, Session, type DynamoDBClientLike } from './session';
import { checkPartitionKey, checkTableName, describeValue, isPlainObject } from './validate';

/**
 * How {@link DynamoDBFeatureStore} stores: LaunchDarkly's own options
 * (`prefix`, `cacheTTL`, `dynamoDBClient`, `clientOptions`, `logger`), and
 * dynastore's (`session`, `client`, `hooks`). A plain object; any other name
 * fails with `INVALID_ARGUMENT`, as does a value of the wrong type.
 *
 * The DynamoDB connection comes from at most one of `session`, `client`,
 * `dynamoDBClient` and `clientOptions`; with none, the store builds a
 * dynastore session on aws-sdk v2 (dynastore's default) from the
 * environment's region and credentials.
 *
 * @example
 * ```ts
 * const featureStore = DynamoDBFeatureStore('launchdarkly', {
 *   prefix: 'production',
 *   cacheTTL: 30,
 *   clientOptions: { region: 'eu-west-1' },
 * });
 * ```
 */
export interface DynamoDBFeatureStoreOptions {
  /**
   * A namespace for every key of this store, so that several LaunchDarkly
   * environments can share a table: items are stored under
   * `<prefix>:features`, `<prefix>:segments` and the marker under
   * `<prefix>:$inited`. Undefined, null or `''` mean no prefix, as
   * LaunchDarkly's stores read it.
   * @defaultValue no prefix
   *
   * @example
   * ```ts
   * DynamoDBFeatureStore('launchdarkly', { prefix: 'production' }); // production:features, production:segments
   * ```
   */
  prefix?: string | null;
  /**
   * How long, in seconds, the SDK keeps items it read or wrote in memory.
   * 0 turns the cache off: every evaluation reads DynamoDB. Undefined or
   * null give the default.
   * @defaultValue 15
   *
   * @example
   * ```ts
   * DynamoDBFeatureStore('launchdarkly', { cacheTTL: 0 }); // daemon mode: see the Relay Proxy's writes at once
   * ```
   */
  cacheTTL?: number | null;
  /**
   * An aws-sdk v3 `DynamoDBClient` to use. The store never destroys it: you
   * do, after `client.close()` of the SDK.
   *
   * @example
   * ```ts
   * DynamoDBFeatureStore('launchdarkly', { dynamoDBClient: new DynamoDBClient({ region: 'eu-west-1' }) });
   * ```
   */
  dynamoDBClient?: DynamoDBClientLike;
  /**
   * Configuration for an aws-sdk v3 `DynamoDBClient` that each store builds
   * (with `dynamoDBClient()` of `dynastore/v3`) and destroys when the SDK
   * closes it: a `DynamoDBClientConfig`, as `new DynamoDBClient(config)`
   * takes it, checked by aws-sdk v3 when the factory is made. Needs
   * `@aws-sdk/client-dynamodb` installed. (Typed as any object, so that this
   * entry's types compile without aws-sdk v3.)
   *
   * @example
   * ```ts
   * DynamoDBFeatureStore('launchdarkly', { clientOptions: { region: 'eu-west-1' } });
   * ```
   */
  clientOptions?: object;
  /**
   * Where the store logs its failures, at error level (LaunchDarkly's own
   * store documents this option but ignores it).
   * @defaultValue the SDK's logger (its `logger` option)
   *
   * @example
   * ```ts
   * DynamoDBFeatureStore('launchdarkly', { logger: basicLogger({ level: 'error' }) });
   * ```
   */
  logger?: LDLogger;
  /**
   * A dynastore session to make requests with, its hooks included. The store
   * never closes it. Give `hooks` to the session, not here.
   *
   * @example
   * ```ts
   * const session = new Session({ config: { region: 'eu-west-1' }, hooks: openTelemetryHooks() });
   * DynamoDBFeatureStore('launchdarkly', { session });
   * ```
   */
  session?: Session<object>;
  /**
   * An aws-sdk v2 `AWS.DynamoDB` or an aws-sdk v3 `DynamoDBClient`, told
   * apart by their shape, as a {@link Session} takes it. The store never
   * destroys it.
   *
   * @example
   * ```ts
   * DynamoDBFeatureStore('launchdarkly', { client: new AWS.DynamoDB({ region: 'eu-west-1' }) });
   * ```
   */
  client?: DynamoDB | DynamoDBClientLike;
  /**
   * Hooks that see every request the store makes (see {@link Hooks}), with
   * dynastore's operation names: `Get`, `ListPage`, `PutIfNewer`, `PutMany`,
   * `DeleteMany` and `Exists`, and the store's method that made it in
   * `ctx.launchDarkly` (`init`, `get`, `getAll`, `upsert`, `initialized`,
   * `isStoreAvailable`). A get of a key that is not stored is a `Get`
   * that ends in `KEY_NOT_FOUND`, which the store answers as "no item".
   * Not with `session`, which has its own.
   *
   * @example
   * ```ts
   * DynamoDBFeatureStore('launchdarkly', {
   *   hooks: { requestCompleted: (ctx, outcome) => console.log(ctx.launchDarkly, ctx.command, outcome.durationMs) },
   * });
   * ```
   */
  hooks?: Hooks;
}

/**
 * The options' name in LaunchDarkly's `@launchdarkly/node-server-sdk-dynamodb`,
 * for code written against it.
 *
 * @example
 * ```ts
 * import { DynamoDBFeatureStore, type LDDynamoDBOptions } from 'dynastore/launchdarkly';
 *
 * const options: LDDynamoDBOptions = { prefix: 'production' };
 * const featureStore = DynamoDBFeatureStore('launchdarkly', options);
 * ```
 */
export type LDDynamoDBOptions = DynamoDBFeatureStoreOptions;

/**
 * A LaunchDarkly feature store in the DynamoDB table `tableName`, for the
 * SDK's `featureStore` option: a factory the SDK calls once per client, with
 * its context, for a store of that client's own. A drop-in for LaunchDarkly's
 * `DynamoDBFeatureStore` (same name, options and table layout), on aws-sdk v2
 * or v3, whose requests go through dynastore (hooks, error mapping, retries
 * of unprocessed batch items).
 *
 * The SDK's own `PersistentDataStoreWrapper` caches and deserializes; under
 * it, each store request is:
 * - get: one strongly consistent GetItem;
 * - all: Query pages over the kind's namespace, strongly consistent;
 * - upsert and delete (a tombstone): one conditional PutItem that wins only
 *   over an older version or none; when it loses, the stored item is taken
 *   from the failed condition (on a server that does not return it, such as
 *   dynalite, one consistent GetItem);
 * - init: the keys stored now (Query), then the new items in the SDK's order
 *   (segments before flags) with BatchWriteItem, 25 a request, one request
 *   after another, unprocessed items retried with backoff; then deletes of
 *   the items the new data lacks; then the `$inited` marker, last;
 * - initialized: one consistent GetItem of the marker.
 *
 * Options are checked here, when the factory is made: `INVALID_ARGUMENT`
 * (a {@link DynastoreError}) names a bad table name, an unknown option, a
 * value of the wrong type, or two options that cannot go together.
 *
 * Failures later never throw into the SDK. Each is logged at error level
 * (the `logger` option, else the SDK's logger), and: a failed init or upsert
 * is passed to the SDK as the error of its callback (the SDK 9.13 logs an
 * upsert's, once more, and ignores an init's: it becomes ready all the same);
 * a failed read answers "no item", so a flag evaluates to its default with
 * `FLAG_NOT_FOUND`; a failed `initialized` answers false. An init holding an
 * item over DynamoDB's 400 KB fails before its kind is written, naming the
 * item, where LaunchDarkly's stores skip it.
 *
 * @param tableName - the table, which must exist: hash key `namespace` (S), range key `key` (S)
 * @param options - see {@link DynamoDBFeatureStoreOptions}
 * @returns what the SDK's `featureStore` option takes
 *
 * @example
 * ```ts
 * import { init } from '@launchdarkly/node-server-sdk';
 * import { DynamoDBFeatureStore } from 'dynastore/launchdarkly';
 *
 * const client = init(sdkKey, {
 *   featureStore: DynamoDBFeatureStore('launchdarkly', { prefix: 'production', cacheTTL: 30 }),
 * });
 * await client.waitForInitialization({ timeout: 10 });
 * ```
 * @example Daemon mode: the Relay Proxy fills the table, the SDK only reads it
 * ```ts
 * const client = init(sdkKey, {
 *   featureStore: DynamoDBFeatureStore('launchdarkly', { cacheTTL: 0, clientOptions: { region: 'eu-west-1' } }),
 *   useLdd: true,
 * });
 * ```
 */
export function DynamoDBFeatureStore(
  tableName: string,
  options?: DynamoDBFeatureStoreOptions,
): (clientContext: LDClientContext) => LDFeatureStore {
  const table = checkTableName(tableName);
  const o = readOptions(options);
  const prefix = o.prefix ?? '';
  const cacheTTL = o.cacheTTL ?? DEFAULT_CACHE_TTL;
  const connect = connector(o);
  // One connection made now, so that whatever the session and the SDK refuse is refused here; the first store takes it.
  let spare: Connection | undefined = connect();
  return (clientContext: LDClientContext): LDFeatureStore => {
    const connection = spare ?? connect();
    spare = undefined;
    const logger = o.logger ?? sdkLogger(clientContext);
    const store = new LaunchDarklyStore({
      table: connection.session.table(table, { attributes: LAUNCHDARKLY_ATTRIBUTES }),
      prefix,
      logger,
      release: connection.release,
    });
    return new PersistentDataStoreWrapper(store, cacheTTL, logger);
  };
}

/** LaunchDarkly's default cache time, in seconds. */
const DEFAULT_CACHE_TTL = 15;

const OPTION_NAMES: readonly (keyof DynamoDBFeatureStoreOptions)[] = [
  'prefix',
  'cacheTTL',
  'dynamoDBClient',
  'clientOptions',
  'logger',
  'session',
  'client',
  'hooks',
];

/** The options that each say where the connection comes from: at most one is given. */
const CONNECTIONS = ['session', 'client', 'dynamoDBClient', 'clientOptions'] as const;

/** A session for one store, and what releases what the store owns of it. */
interface Connection {
  readonly session: Session<object>;
  readonly release: () => void;
}

/** The checked options. */
interface Options {
  prefix?: string;
  cacheTTL?: number;
  logger?: LDLogger;
  session?: Session<object>;
  client?: object;
  clientOptions?: object;
  hooks?: Hooks;
}

/** Makes a connection per store: a shared session the store never closes, or one it owns. */
function connector(o: Options): () => Connection {
  const hooks = o.hooks === undefined ? {} : { hooks: o.hooks };
  if (o.session !== undefined) {
    const shared = { session: o.session, release: () => undefined };
    return () => shared;
  }
  if (o.client !== undefined) {
    const shared = { session: buildSession({ client: o.client, ...hooks }), release: () => undefined };
    return () => shared;
  }
  const { clientOptions } = o;
  if (clientOptions !== undefined) {
    return () => {
      // Loaded only here: a store on aws-sdk v2 never needs v3 installed.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily on purpose
      const { dynamoDBClient } = require('./v3') as typeof import('./v3');
      let client: ReturnType<typeof dynamoDBClient>;
      try {
        client = dynamoDBClient(clientOptions);
      } catch (err) {
        if (DynastoreError.is(err)) throw err;
        throw new DynastoreError(
          'INVALID_ARGUMENT',
          'aws-sdk v3 could not build a client from clientOptions (see cause)',
          {
            cause: err,
          },
        );
      }
      return { session: buildSession({ client, ...hooks }), release: () => client.destroy() };
    };
  }
  return () => {
    const session = buildSession(hooks);
    return { session, release: () => session.close() };
  };
}

/** A session; what it refuses is said to come from the store's options. */
function buildSession(options: { client?: object; hooks?: Hooks }): Session<object> {
  try {
    return new Session(options);
  } catch (err) {
    if (DynastoreError.is(err)) {
      throw new DynastoreError(err.code, `DynamoDBFeatureStore: ${err.message}`, { cause: err, value: err.value });
    }
    throw err;
  }
}

/** The SDK's logger for this client; a basic one if a caller gave a context without it. */
function sdkLogger(clientContext: LDClientContext): LDLogger {
  const logger = (clientContext as Partial<LDClientContext> | undefined)?.basicConfiguration?.logger;
  return logger ?? basicLogger({});
}

/** The options, read once from the object's own properties and checked, each where it is named. */
/** isPlainObject, with what a Proxy's getPrototypeOf trap throws as the cause of INVALID_ARGUMENT. */
function plainObject(what: string, value: unknown): value is Record<string, unknown> {
  try {
    return isPlainObject(value);
  } catch (err) {
    throw new DynastoreError('INVALID_ARGUMENT', `reading the ${what} threw (see cause)`, { cause: err, value });
  }
}

function readOptions(options: unknown): Options {
  if (options === undefined) return Object.create(null) as Options;
  if (!plainObject('DynamoDBFeatureStore options', options)) {
    throw invalidArgument(
      `DynamoDBFeatureStore options must be a plain object, got ${describeValue(options)}`,
      options,
    );
  }
  const given: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  let reading: string | undefined;
  try {
    for (const key of Reflect.ownKeys(options)) {
      if (typeof key === 'symbol') throw invalidArgument('unknown DynamoDBFeatureStore option: a symbol', key);
      if (!(OPTION_NAMES as readonly string[]).includes(key)) {
        throw invalidArgument(
          `unknown DynamoDBFeatureStore option ${quote(key)}: the options are ${OPTION_NAMES.join(', ')}`,
          key,
        );
      }
      reading = key;
      const value = options[key];
      if (value !== undefined) given[key] = value;
    }
  } catch (err) {
    if (DynastoreError.is(err)) throw err;
    const what = reading === undefined ? 'DynamoDBFeatureStore options' : `DynamoDBFeatureStore option ${reading}`;
    throw new DynastoreError('INVALID_ARGUMENT', `${what} could not be read: it threw (see cause)`, { cause: err });
  }

  const connections = CONNECTIONS.filter((name) => given[name] !== undefined);
  if (connections.length > 1) {
    throw invalidArgument(
      `DynamoDBFeatureStore takes one of ${CONNECTIONS.join(', ')}, got ${connections.join(' and ')}`,
      connections,
    );
  }
  if (given.session !== undefined && given.hooks !== undefined) {
    throw invalidArgument(
      'DynamoDBFeatureStore takes hooks or session, not both: give the hooks to the session (new Session({ hooks }))',
      given.hooks,
    );
  }

  // No prototype: an option not given must not be read from a polluted Object.prototype.
  const o = Object.create(null) as Options;
  if (given.prefix !== undefined && given.prefix !== null) o.prefix = checkPrefixOption(given.prefix);
  if (given.cacheTTL !== undefined && given.cacheTTL !== null) o.cacheTTL = checkCacheTTL(given.cacheTTL);
  if (given.logger !== undefined) o.logger = checkLogger(given.logger);
  if (given.session !== undefined) {
    // Branded by its constructor: a lookalike or a Proxy of a session would fail only at the first request.
    if (!isSession(given.session)) {
      throw invalidArgument(`session must be a dynastore Session, got ${describeValue(given.session)}`, given.session);
    }
    o.session = given.session as Session<object>;
  }
  if (given.client !== undefined) o.client = checkObject('client', given.client);
  if (given.dynamoDBClient !== undefined) {
    if (!isV3Client(given.dynamoDBClient)) {
      throw invalidArgument(
        `dynamoDBClient must be a DynamoDBClient from aws-sdk v3 (for an aws-sdk v2 client, use client), got ${describeValue(given.dynamoDBClient)}`,
        given.dynamoDBClient,
      );
    }
    o.client = given.dynamoDBClient;
  }
  if (given.clientOptions !== undefined) {
    if (!plainObject('clientOptions', given.clientOptions)) {
      throw invalidArgument(
        `clientOptions must be a plain object of aws-sdk v3 client settings, such as { region }, got ${describeValue(given.clientOptions)}`,
        given.clientOptions,
      );
    }
    o.clientOptions = given.clientOptions;
  }
  // The session checks each hook, when the factory builds its first one.
  if (given.hooks !== undefined) o.hooks = given.hooks as Hooks;
  return o;
}

function checkObject(name: string, value: unknown): object {
  if (typeof value !== 'object' || value === null) {
    throw invalidArgument(`${name} must be an object, got ${describeValue(value)}`, value);
  }
  return value;
}

function checkPrefixOption(prefix: unknown): string {
  if (typeof prefix !== 'string') {
    throw invalidArgument(`prefix must be a string, got ${describeValue(prefix)}`, prefix);
  }
  // The longest namespace the store writes itself: as a partition key, it must be a well-formed string DynamoDB takes.
  if (prefix !== '') checkPartitionKey(`${prefix}:${INITED_KEY}`, 'prefix (with ":$inited")');
  return prefix;
}

function checkCacheTTL(ttl: unknown): number {
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0) {
    throw invalidArgument(
      `cacheTTL must be a number of seconds, 0 or more (0 turns the cache off), got ${describeValue(ttl)}`,
      ttl,
    );
  }
  return ttl;
}

function checkLogger(logger: unknown): LDLogger {
  const l = logger as Partial<Record<keyof LDLogger, unknown>> | null;
  let methods: boolean;
  try {
    methods = typeof logger === 'object' && l !== null && LOG_LEVELS.every((level) => typeof l[level] === 'function');
  } catch (err) {
    const why = 'DynamoDBFeatureStore option logger could not be read: it threw (see cause)';
    throw new DynastoreError('INVALID_ARGUMENT', why, { cause: err });
  }
  if (!methods) {
    throw invalidArgument(
      `logger must be an LDLogger, an object with the methods ${LOG_LEVELS.join(', ')}, got ${describeValue(logger)}`,
      logger,
    );
  }
  return logger as LDLogger;
}

const LOG_LEVELS: readonly (keyof LDLogger)[] = ['error', 'warn', 'info', 'debug'];
