// An import-equals, so that the declarations compile without esModuleInterop (aws-sdk v2 uses `export =`).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a type-only import, kept as import-equals for consumers without esModuleInterop
import type DynamoDB = require('aws-sdk/clients/dynamodb');
import { brandSession } from './brand';
import type { DynamoClient } from './client';
import { DynastoreError, invalidArgument, quote } from './errors';
import { HOOK_NAMES, type Hooks } from './hooks';
import type { TableOptions } from './layout';
import type { Runtime } from './request';
import { AwsSdkV2Client, isV2Client } from './sdk-v2';
import { Table } from './table';
import { describeValue, isPlainObject } from './validate';

/**
 * The shape of an aws-sdk v3 `DynamoDBClient` (from `@aws-sdk/client-dynamodb`),
 * as the session recognises it: declared here so that nobody needs v3's types
 * to compile against dynastore.
 */
export interface DynamoDBClientLike {
  /** Sends a command. */
  send(command: object, options?: object): Promise<unknown>;
  /** The client's configuration. */
  readonly config: object;
  /** The client's middleware. */
  readonly middlewareStack: object;
}

/** @internal Whether `client` looks like an aws-sdk v3 client, as Powertools tells one. */
export function isV3Client(client: unknown): client is DynamoDBClientLike {
  if (typeof client !== 'object' || client === null) return false;
  const c = client as Partial<Record<'send' | 'config' | 'middlewareStack', unknown>>;
  return typeof c.send === 'function' && typeof c.config === 'object' && typeof c.middlewareStack === 'object';
}

/** The adapter for a v3 client, loaded only when one is given: a v2 user never needs v3 installed. */
function v3Adapter(client: DynamoDBClientLike): DynamoClient {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily on purpose
  const { AwsSdkV3Client } = require('./sdk-v3') as typeof import('./sdk-v3');
  return new AwsSdkV3Client(client);
}

/**
 * How a {@link Session} is made: a plain object, of which only own
 * properties are read. Any other name fails with `INVALID_ARGUMENT`; a client
 * setting such as `region` or `endpoint` belongs in `config`.
 */
export interface SessionOptions<C extends object = DynamoDB> {
  /**
   * An existing client to use as is (Go's `NewWithClient`): an aws-sdk v2
   * `AWS.DynamoDB`, or an aws-sdk v3 `DynamoDBClient`, told apart by their
   * shape. Give this or `config`, not both.
   */
  client?: C;
  /**
   * Configuration for a client the session builds (Go's `New(cfg)`): a
   * plain object such as `{ region, endpoint, credentials }`; these client
   * settings go here, never beside `config`. `endpoint` points the session at
   * DynamoDB Local or another compatible server. Unless `httpOptions.agent`
   * is given, the session gives its client a keep-alive agent (aws-sdk v2
   * opens a new connection per request by default), which
   * {@link Session.close} releases.
   */
  config?: DynamoDB.ClientConfiguration;
  /**
   * Instrumentation called before and after every request, and when each
   * operation ends (Go's `StoreHooks`, with more). See {@link Hooks}; for
   * OpenTelemetry spans, `openTelemetryHooks` from `dynastore/opentelemetry`.
   * A plain object whose own properties are the hooks, read once when the
   * session is made.
   */
  hooks?: Hooks;
  /**
   * Every request asks DynamoDB for the capacity it consumed
   * (`ReturnConsumedCapacity: 'TOTAL'`), which hooks see as
   * `outcome.consumedCapacity`. An operation's own `returnConsumedCapacity`
   * option wins.
   * @defaultValue false
   */
  returnConsumedCapacity?: boolean;
  /**
   * The time in milliseconds since the epoch, used both to write `expires`
   * and to decide what has expired. Tests inject a fake clock to expire items
   * without sleeping. Every reading is checked, and one is taken before each
   * operation's first request: a reading that is not a finite number between
   * 2000-01-01 and the latest `Date` (8.64e15), such as a clock in seconds,
   * or a clock that throws, fails the operation with `INVALID_ARGUMENT`
   * before anything is sent.
   * @defaultValue Date.now
   */
  clock?: () => number;
  /**
   * Signs paging tokens with HMAC-SHA256 under this secret (at least 16
   * bytes), so a token changed in any byte, or issued for another table,
   * partition, prefix or index, fails with `INVALID_TOKEN`. Signed tokens are
   * for this library only: Go dynastore cannot read them, and tokens without
   * a signature are refused. Unset, tokens are Go dynastore v1's format.
   */
  tokenSecret?: string | Uint8Array;
}

/**
 * The entry point: holds the DynamoDB client, the hooks and the clock, and
 * hands out tables.
 *
 * @example
 * ```ts
 * const session = new Session({ config: { region: 'us-east-1' } });
 * const users = session.table('agents').partition('users');
 * ```
 * @example Against DynamoDB Local
 * ```ts
 * // DynamoDB Local takes any credentials, but the SDK needs some: without
 * // them this fails on a machine that has no AWS credentials.
 * const session = new Session({
 *   config: {
 *     region: 'local',
 *     endpoint: 'http://localhost:8000',
 *     credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
 *   },
 * });
 * ```
 */
export class Session<C extends object = DynamoDB> {
  /**
   * The client the session was given, or the aws-sdk v2 client it built, for
   * direct access to DynamoDB (Go's embedded `DynamoDBAPI`).
   */
  readonly client: C;
  /** @internal */
  readonly runtime: Runtime;
  /** The adapter over {@link Session.client}. */
  private readonly adapter: DynamoClient;

  constructor(options: SessionOptions<C> = {}) {
    const {
      client,
      config,
      hooks,
      clock = Date.now,
      tokenSecret,
      returnConsumedCapacity = false,
    } = readOptions(options);
    if (client !== undefined && config !== undefined) {
      throw invalidArgument('give a session either client or config, not both', undefined);
    }
    const kind = client === undefined ? undefined : clientKind(client);
    const sessionHooks = readHooks(hooks);
    if (typeof returnConsumedCapacity !== 'boolean') {
      throw invalidArgument(
        `returnConsumedCapacity must be a boolean, got ${describeValue(returnConsumedCapacity)}`,
        returnConsumedCapacity,
      );
    }
    if (typeof clock !== 'function') {
      throw invalidArgument(`clock must be a function returning milliseconds, got ${describeValue(clock)}`, clock);
    }
    const secret = secretBytes(tokenSecret);
    if (kind === undefined) {
      const built = buildClient(config);
      this.adapter = built;
      this.client = built.ddb as unknown as C;
    } else {
      this.adapter = kind === 'v3' ? v3Adapter(client as DynamoDBClientLike) : new AwsSdkV2Client(client as DynamoDB);
      this.client = client as C;
    }
    this.runtime = {
      client: this.adapter,
      hooks: sessionHooks,
      clock: checkedClock(clock as () => unknown),
      tokenSecret: secret,
      returnConsumedCapacity,
    };
    brandSession(this);
  }

  /**
   * The table `tableName`; DynamoDB's naming rules apply. `options.attributes`
   * names the attributes dynastore owns, for a table laid out otherwise
   * (see {@link TableOptions}).
   *
   * @example
   * ```ts
   * const flags = session.table('launchdarkly', {
   *   attributes: { partitionKey: 'namespace', sortKey: 'key', value: 'item' },
   * });
   * ```
   */
  table(tableName: string, options?: TableOptions): Table {
    return new Table(this, tableName, options);
  }

  /**
   * Releases what the session owns: the connections of the keep-alive agent
   * it made for a client built from `config`. Call it when no request is in
   * flight: requests still under way fail (`REQUEST_FAILED`). An injected
   * client, or one whose `httpOptions.agent` was given, is left alone.
   * Requests made after close open new connections.
   */
  close(): void {
    this.adapter.close?.();
  }
}

/** The options a session takes. */
const OPTION_NAMES: readonly (keyof SessionOptions)[] = [
  'client',
  'config',
  'hooks',
  'returnConsumedCapacity',
  'clock',
  'tokenSecret',
];

/**
 * Settings of an aws-sdk client (v2's and v3's), named when given beside
 * `config` rather than in it: `new Session({ region })` would otherwise
 * build a client for the environment's region.
 */
const CLIENT_SETTINGS = new Set([
  'region',
  'endpoint',
  'credentials',
  'credentialProvider',
  'accessKeyId',
  'secretAccessKey',
  'sessionToken',
  'maxRetries',
  'maxAttempts',
  'retryMode',
  'retryDelayOptions',
  'httpOptions',
  'requestHandler',
  'sslEnabled',
  'tls',
  'logger',
  'apiVersion',
  'params',
  'paramValidation',
  'convertResponseTypes',
  'correctClockSkew',
  'systemClockOffset',
  'customUserAgent',
  'dynamoDbCrc32',
  'signatureVersion',
  'useFipsEndpoint',
  'useDualstackEndpoint',
]);

type ReadOptions = { -readonly [K in keyof SessionOptions]?: unknown };

/**
 * The session's options, read once, from the object's own properties only:
 * a property inherited from a polluted `Object.prototype` is no option, and
 * an unknown name is refused rather than ignored. Whatever a hostile object
 * throws while being read becomes INVALID_ARGUMENT with it as `cause`.
 */
function readOptions(options: unknown): ReadOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalidArgument(`session options must be an object, got ${describeValue(options)}`, options);
  }
  let reading: string | undefined;
  try {
    if (!isPlainObject(options)) {
      throw invalidArgument(`session options must be a plain object, got ${describeValue(options)}`, undefined);
    }
    // Without a prototype: an option not given must not be found on a polluted Object.prototype here either.
    const read: ReadOptions = Object.create(null) as ReadOptions;
    for (const key of Reflect.ownKeys(options)) {
      if (typeof key === 'symbol') throw invalidArgument('unknown session option: a symbol', key);
      if (!(OPTION_NAMES as readonly string[]).includes(key)) throw unknownOption(key);
      reading = key;
      read[key as keyof SessionOptions] = options[key];
    }
    return read;
  } catch (err) {
    if (DynastoreError.is(err)) throw err;
    const what = reading === undefined ? 'session options' : `session option ${reading}`;
    throw new DynastoreError('INVALID_ARGUMENT', `${what} could not be read: it threw (see cause)`, { cause: err });
  }
}

function unknownOption(key: string): DynastoreError {
  if (CLIENT_SETTINGS.has(key)) {
    return invalidArgument(
      `${quote(key)} is a client setting, not a session option: give it in config ({ config: { ${key} } }), or build the client with it and give that as client`,
      key,
    );
  }
  return invalidArgument(`unknown session option ${quote(key)}: session options are ${OPTION_NAMES.join(', ')}`, key);
}

/** Which aws-sdk `client` is, by its shape, read once: a Proxy may answer differently each time it is asked. */
function clientKind(client: unknown): 'v2' | 'v3' {
  let kind: 'v2' | 'v3' | undefined;
  try {
    kind = isV2Client(client) ? 'v2' : isV3Client(client) ? 'v3' : undefined;
  } catch (err) {
    throw new DynastoreError('INVALID_ARGUMENT', 'client could not be read: it threw (see cause)', { cause: err });
  }
  if (kind === undefined) {
    throw invalidArgument(
      `client must be an AWS.DynamoDB from aws-sdk v2 or a DynamoDBClient from aws-sdk v3, got ${describeValue(client)}`,
      client,
    );
  }
  return kind;
}

/**
 * The aws-sdk v2 client the session builds from `config`, given a copy of
 * its own enumerable properties (all that aws-sdk v2 reads of it), so no
 * getter runs again later. A setting the SDK cannot take (`region: {}`)
 * throws in its constructor: INVALID_ARGUMENT, with the SDK's error as cause.
 */
function buildClient(config: unknown): AwsSdkV2Client {
  let settings: DynamoDB.ClientConfiguration | undefined;
  if (config !== undefined) {
    try {
      // In the try: a Proxy's getPrototypeOf trap may throw too.
      if (typeof config !== 'object' || config === null || !isPlainObject(config)) {
        throw invalidArgument(
          `config must be a plain object of client settings, such as { region, endpoint, credentials }, got ${describeValue(config)}; to use a client you configured yourself, give it as client`,
          config,
        );
      }
      settings = Object.fromEntries(Object.keys(config).map((key) => [key, config[key]]));
    } catch (err) {
      if (DynastoreError.is(err, 'INVALID_ARGUMENT')) throw err;
      throw new DynastoreError('INVALID_ARGUMENT', 'config could not be read: it threw (see cause)', { cause: err });
    }
  }
  try {
    return AwsSdkV2Client.build(settings);
  } catch (err) {
    throw new DynastoreError('INVALID_ARGUMENT', 'aws-sdk v2 could not build a client from config (see cause)', {
      cause: err,
    });
  }
}

/**
 * The session's hooks: an object of known hooks, each a function, copied
 * from the object's own properties once. A misspelt name would otherwise
 * never be called; an inherited one (a polluted `Object.prototype`) is no
 * hook; and a getter or Proxy is not asked again before every request.
 * @internal Also reads the hooks `openTelemetryHooks` wraps.
 */
export function readHooks(hooks: unknown): Hooks | undefined {
  if (hooks === undefined) return undefined;
  if (typeof hooks !== 'object' || hooks === null) {
    throw invalidArgument(`hooks must be an object, got ${describeValue(hooks)}`, hooks);
  }
  let reading: string | undefined;
  try {
    if (!isPlainObject(hooks)) {
      throw invalidArgument(
        `hooks must be a plain object of hook functions, got ${describeValue(hooks)}: only its own properties are hooks`,
        hooks,
      );
    }
    // Without a prototype: a hook not given must not be found on a polluted Object.prototype either.
    const copy: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const key of Reflect.ownKeys(hooks)) {
      if (typeof key === 'symbol' || !(HOOK_NAMES as readonly string[]).includes(key)) {
        const name = typeof key === 'symbol' ? 'a symbol' : quote(key);
        throw invalidArgument(`unknown hook ${name}: hooks are ${HOOK_NAMES.join(', ')}`, key);
      }
      reading = key;
      const hook: unknown = hooks[key];
      if (hook === undefined) continue;
      if (typeof hook !== 'function') {
        throw invalidArgument(`hooks.${key} must be a function, got ${describeValue(hook)}`, hook);
      }
      copy[key] = hook;
    }
    return Object.freeze(copy);
  } catch (err) {
    if (DynastoreError.is(err)) throw err;
    const what = reading === undefined ? 'hooks' : `hooks.${reading}`;
    throw new DynastoreError('INVALID_ARGUMENT', `${what} could not be read: it threw (see cause)`, { cause: err });
  }
}

/** 2000-01-01T00:00:00Z in milliseconds: any clock in seconds gives less until the year 31,969. */
const EARLIEST_CLOCK_MS = 946_684_800_000;
/** The latest time a JavaScript Date can hold, in milliseconds. */
const LATEST_CLOCK_MS = 8.64e15;

/**
 * The session's clock, checked at every reading: a reading that is
 * not milliseconds since the epoch (NaN, undefined, a string, seconds) would
 * make live items read as expired and written ones expire at once. What a
 * clock throws becomes INVALID_ARGUMENT with it as `cause`.
 */
function checkedClock(clock: () => unknown): () => number {
  return () => {
    let now: unknown;
    try {
      now = clock();
    } catch (err) {
      throw new DynastoreError('INVALID_ARGUMENT', 'the session clock threw (see cause)', { cause: err });
    }
    // One test for a good reading (NaN and the infinities fail it too); badReading says what is wrong.
    if (typeof now === 'number' && now >= EARLIEST_CLOCK_MS && now <= LATEST_CLOCK_MS) return now;
    throw badReading(now);
  };
}

/** Why a clock's reading is refused. */
function badReading(now: unknown): DynastoreError {
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    return invalidArgument(
      `the session clock must return milliseconds since the epoch as a finite number, got ${describeValue(now)}`,
      now,
    );
  }
  if (now < EARLIEST_CLOCK_MS) {
    return invalidArgument(
      `the session clock returned ${describeValue(now)}, before the year 2000 in milliseconds: it must return milliseconds since the epoch, as Date.now does, not seconds`,
      now,
    );
  }
  return invalidArgument(
    `the session clock returned ${describeValue(now)}, past the latest date JavaScript can hold (8.64e15 ms)`,
    now,
  );
}

/**
 * The secret as bytes. Its errors never show it, in part or in any form:
 * only its type and its length in bytes.
 */
function secretBytes(secret: unknown): Uint8Array | undefined {
  if (secret === undefined) return undefined;
  let bytes: Buffer | undefined;
  try {
    bytes =
      typeof secret === 'string'
        ? Buffer.from(secret, 'utf8')
        : secret instanceof Uint8Array
          ? Buffer.from(secret)
          : undefined;
  } catch (err) {
    throw new DynastoreError('INVALID_ARGUMENT', 'tokenSecret could not be read: it threw (see cause)', {
      cause: err,
    });
  }
  if (bytes === undefined || bytes.length < 16) {
    throw invalidArgument(
      `tokenSecret must be a string or bytes of at least 16 bytes, got ${secretKind(secret, bytes)}`,
      undefined,
    );
  }
  return bytes;
}

/** What a bad secret is, without a character of it: a number or a string could be the secret itself. */
function secretKind(secret: unknown, bytes: Buffer | undefined): string {
  if (typeof secret === 'string') return `a string of ${bytes?.length ?? 0} bytes`;
  if (bytes !== undefined) return `${bytes.length} bytes`;
  if (secret === null) return 'null';
  if (typeof secret === 'object') return describeValue(secret);
  return `a ${typeof secret}`;
}
