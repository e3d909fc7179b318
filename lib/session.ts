import DynamoDB from 'aws-sdk/clients/dynamodb';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { AwsSdkV2Client } from './client';
import { invalidArgument } from './errors';
import type { Hooks } from './hooks';
import type { Runtime } from './request';
import { Table } from './table';
import { describeValue } from './validate';

/** How a {@link Session} is made. */
export interface SessionOptions {
  /**
   * An existing client to use as is (Go's `NewWithClient`). Give this or
   * `config`, not both.
   */
  client?: DynamoDB;
  /**
   * Configuration for a client the session builds (Go's `New(cfg)`), such as
   * `{ region, endpoint, credentials }`. `endpoint` points the session at
   * DynamoDB Local or another compatible server. Unless `httpOptions.agent`
   * is given, the session gives its client a keep-alive agent (aws-sdk v2
   * opens a new connection per request by default), which
   * {@link Session.close} releases.
   */
  config?: DynamoDB.ClientConfiguration;
  /** Instrumentation called before every request (Go's `StoreHooks`). */
  hooks?: Hooks;
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
export class Session {
  /** The aws-sdk v2 client, for direct access to DynamoDB (Go's embedded `DynamoDBAPI`). */
  readonly client: DynamoDB;
  /** @internal */
  readonly runtime: Runtime;
  /** The keep-alive agent this session made for its own client, if it made one. */
  private readonly ownedAgent: HttpAgent | undefined;

  constructor(options: SessionOptions = {}) {
    // Checked at run time too: JavaScript callers can pass anything.
    const input: unknown = options;
    if (typeof input !== 'object' || input === null) {
      throw invalidArgument(`session options must be an object, got ${describeValue(options)}`, options);
    }
    const { client, config, hooks, clock = Date.now, tokenSecret } = options;
    if (client !== undefined && config !== undefined) {
      throw invalidArgument('give a session either client or config, not both', options);
    }
    if (client !== undefined && typeof (client as Partial<DynamoDB> | null)?.getItem !== 'function') {
      throw invalidArgument(`client must be an AWS.DynamoDB from aws-sdk v2, got ${describeValue(client)}`, client);
    }
    const hooksInput: unknown = hooks;
    if (hooksInput !== undefined && (typeof hooksInput !== 'object' || hooksInput === null)) {
      throw invalidArgument(`hooks must be an object, got ${describeValue(hooksInput)}`, hooksInput);
    }
    const requestBuilt: unknown = (hooksInput as Record<string, unknown> | undefined)?.requestBuilt;
    if (requestBuilt !== undefined && typeof requestBuilt !== 'function') {
      throw invalidArgument(`hooks.requestBuilt must be a function, got ${describeValue(requestBuilt)}`, hooks);
    }
    const clockInput: unknown = clock;
    if (typeof clockInput !== 'function') {
      throw invalidArgument(`clock must be a function returning milliseconds, got ${describeValue(clock)}`, clock);
    }
    this.client = client ?? new DynamoDB(config);
    this.ownedAgent = client === undefined ? reuseConnections(this.client) : undefined;
    this.runtime = { client: new AwsSdkV2Client(this.client), hooks, clock, tokenSecret: secretBytes(tokenSecret) };
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
    this.ownedAgent?.destroy();
  }
}

/**
 * Gives a client the session built a keep-alive agent for its endpoint's
 * protocol, unless its configuration names an agent; returns the agent made.
 */
function reuseConnections(client: DynamoDB): HttpAgent | undefined {
  const httpOptions = client.config.httpOptions;
  if (httpOptions?.agent !== undefined) return undefined;
  const options = { keepAlive: true, maxSockets: 50 };
  const agent = client.endpoint.protocol === 'http:' ? new HttpAgent(options) : new HttpsAgent(options);
  client.config.update({ httpOptions: { ...httpOptions, agent } });
  return agent;
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
