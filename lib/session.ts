// An import-equals, so that the declarations compile without esModuleInterop (aws-sdk v2 uses `export =`).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a type-only import, kept as import-equals for consumers without esModuleInterop
import type DynamoDB = require('aws-sdk/clients/dynamodb');
import type { DynamoClient } from './client';
import { invalidArgument } from './errors';
import { HOOK_NAMES, type Hooks } from './hooks';
import type { Runtime } from './request';
import { AwsSdkV2Client, isV2Client } from './sdk-v2';
import { Table } from './table';
import { describeValue } from './validate';

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

/** How a {@link Session} is made. */
export interface SessionOptions<C extends object = DynamoDB> {
  /**
   * An existing client to use as is (Go's `NewWithClient`): an aws-sdk v2
   * `AWS.DynamoDB`, or an aws-sdk v3 `DynamoDBClient`, told apart by their
   * shape. Give this or `config`, not both.
   */
  client?: C;
  /**
   * Configuration for a client the session builds (Go's `New(cfg)`), such as
   * `{ region, endpoint, credentials }`. `endpoint` points the session at
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
   * without sleeping.
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
 * const session = new Session({ config: { region: 'local', endpoint: 'http://localhost:8000' } });
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
    // Checked at run time too: JavaScript callers can pass anything.
    const input: unknown = options;
    if (typeof input !== 'object' || input === null) {
      throw invalidArgument(`session options must be an object, got ${describeValue(options)}`, options);
    }
    const { client, config, hooks, clock = Date.now, tokenSecret, returnConsumedCapacity = false } = options;
    if (client !== undefined && config !== undefined) {
      throw invalidArgument('give a session either client or config, not both', options);
    }
    if (client !== undefined && !isV2Client(client) && !isV3Client(client)) {
      throw invalidArgument(
        `client must be an AWS.DynamoDB from aws-sdk v2 or a DynamoDBClient from aws-sdk v3, got ${describeValue(client)}`,
        client,
      );
    }
    checkHooks(hooks);
    const capacityInput: unknown = returnConsumedCapacity;
    if (typeof capacityInput !== 'boolean') {
      throw invalidArgument(
        `returnConsumedCapacity must be a boolean, got ${describeValue(capacityInput)}`,
        capacityInput,
      );
    }
    const clockInput: unknown = clock;
    if (typeof clockInput !== 'function') {
      throw invalidArgument(`clock must be a function returning milliseconds, got ${describeValue(clock)}`, clock);
    }
    if (client === undefined) {
      const built = AwsSdkV2Client.build(config);
      this.adapter = built;
      this.client = built.ddb as unknown as C;
    } else {
      this.adapter = isV3Client(client) ? v3Adapter(client) : new AwsSdkV2Client(client as unknown as DynamoDB);
      this.client = client;
    }
    this.runtime = {
      client: this.adapter,
      hooks,
      clock,
      tokenSecret: secretBytes(tokenSecret),
      returnConsumedCapacity,
    };
  }

  /** The table `tableName`; DynamoDB's naming rules apply. */
  table(tableName: string): Table {
    return new Table(this, tableName);
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

/** Hooks are an object of known hooks, each a function: a misspelt name would otherwise never be called. */
function checkHooks(hooks: unknown): void {
  if (hooks === undefined) return;
  if (typeof hooks !== 'object' || hooks === null) {
    throw invalidArgument(`hooks must be an object, got ${describeValue(hooks)}`, hooks);
  }
  for (const name of Object.keys(hooks)) {
    if (!(HOOK_NAMES as readonly string[]).includes(name)) {
      throw invalidArgument(`unknown hook ${JSON.stringify(name)}: hooks are ${HOOK_NAMES.join(', ')}`, hooks);
    }
  }
  for (const name of HOOK_NAMES) {
    const hook: unknown = (hooks as Record<string, unknown>)[name];
    if (hook !== undefined && typeof hook !== 'function') {
      throw invalidArgument(`hooks.${name} must be a function, got ${describeValue(hook)}`, hooks);
    }
  }
}

function secretBytes(secret: unknown): Uint8Array | undefined {
  if (secret === undefined) return undefined;
  const bytes =
    typeof secret === 'string'
      ? Buffer.from(secret, 'utf8')
      : secret instanceof Uint8Array
        ? Buffer.from(secret)
        : undefined;
  if (bytes === undefined || bytes.length < 16) {
    throw invalidArgument(
      `tokenSecret must be a string or bytes of at least 16 bytes, got ${describeValue(secret)}`,
      undefined,
    );
  }
  return bytes;
}
