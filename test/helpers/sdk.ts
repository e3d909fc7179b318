// The SDKs the integration suite runs on, and sessions on each built the
// way users build them: on aws-sdk v2 from `config` (the session builds its
// client), on aws-sdk v3 from a `DynamoDBClient` the session is given. Raw
// clients that set up state or read what the server holds stay on v2
// (`rawClient` in server.ts): they are the yardstick, not the subject.
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import type DynamoDB from 'aws-sdk/clients/dynamodb';
import { Session, type SessionOptions } from '../../lib';
import { localConfig, servers, type TestServer } from './server';

/** An AWS SDK for JavaScript the library runs on. */
export type Sdk = 'v2' | 'v3';

const ALL_SDKS: readonly Sdk[] = ['v2', 'v3'];

/**
 * The SDKs this run uses: both by default; `DYNASTORE_TEST_SDKS`
 * (comma-separated: v2, v3) narrows it, as `DYNASTORE_TEST_SERVERS` does
 * the servers.
 */
export const sdks: readonly Sdk[] = (() => {
  const wanted = process.env.DYNASTORE_TEST_SDKS?.split(',').map((s) => s.trim());
  if (wanted === undefined) return ALL_SDKS;
  const chosen = ALL_SDKS.filter((s) => wanted.includes(s));
  if (chosen.length === 0) throw new Error(`DYNASTORE_TEST_SDKS=${wanted.join(',')} names no SDK: use v2, v3`);
  return chosen;
})();

/**
 * The attempts each SDK makes for a DynamoDB request by default, the first
 * included: v2 retries 10 times; v3 (3.1162) makes 4 attempts.
 */
export const DEFAULT_ATTEMPTS: Readonly<Record<Sdk, number>> = { v2: 11, v3: 4 };

/** Client settings, said once for both SDKs; each is the SDK's default when unset. */
export interface Tuning {
  /** Retries after the first attempt (v2 `maxRetries`; v3 `maxAttempts` − 1). */
  retries?: number;
  /**
   * The wait before each retry, in milliseconds. A number is the base of the
   * SDK's full-jitter exponential backoff: before retry n, a random wait
   * below base × 2^(n−1) (v2 `retryDelayOptions.base`; on v3 a
   * `ConfiguredRetryStrategy`, which also replaces v3's 1 s base for
   * throttling). A function gives the wait before retry n (from 1) exactly.
   */
  backoff?: number | ((retry: number) => number);
  /**
   * How long a socket may sit idle before the attempt fails with
   * `TimeoutError` (v2 `httpOptions.timeout`; v3 `requestHandler.socketTimeout`).
   */
  timeout?: number;
}

/** What a test may set on a session built for an SDK. */
export type TargetSessionOptions = Tuning & Omit<SessionOptions<object>, 'client' | 'config'>;

/** aws-sdk v2 configuration for a local endpoint, tuned. */
export function v2Config(endpoint: string, tuning: Tuning = {}): DynamoDB.ClientConfiguration {
  const { retries, backoff, timeout } = tuning;
  return {
    ...localConfig,
    endpoint,
    ...(retries === undefined ? {} : { maxRetries: retries }),
    ...(backoff === undefined
      ? {}
      : {
          retryDelayOptions:
            typeof backoff === 'number'
              ? { base: backoff }
              : { customBackoff: (retryCount) => backoff(retryCount + 1) },
        }),
    ...(timeout === undefined ? {} : { httpOptions: { timeout } }),
  };
}

/** aws-sdk v3 configuration for a local endpoint, tuned. */
export function v3Config(endpoint: string, tuning: Tuning = {}): DynamoDBClientConfig {
  const { retries, backoff, timeout } = tuning;
  const config: DynamoDBClientConfig = { ...localConfig, endpoint };
  const maxAttempts = retries === undefined ? undefined : retries + 1;
  if (backoff !== undefined) {
    const wait =
      typeof backoff === 'number'
        ? (retry: number): number => Math.floor(Math.random() * backoff * 2 ** (retry - 1))
        : backoff;
    config.retryStrategy = new ConfiguredRetryStrategy(maxAttempts ?? DEFAULT_ATTEMPTS.v3, wait);
  } else if (maxAttempts !== undefined) {
    config.maxAttempts = maxAttempts;
  }
  if (timeout !== undefined) config.requestHandler = { socketTimeout: timeout };
  return config;
}

/** One server and one SDK: what an integration suite runs against. */
export interface TestTarget {
  readonly server: TestServer;
  readonly sdk: Sdk;
  /** `dynalite, v3`: for titles and the reliability figures. */
  readonly name: string;
  /**
   * `full` on the combinations that ran before v3 came (v2, either server),
   * `short` on the others: for the randomised tests, to keep the run's time.
   */
  runs(full: number, short: number): number;
  /**
   * A session on this target's SDK against `endpoint` (the server's, or a
   * proxy's in front of it). Closed when the suite ends.
   */
  session(endpoint: string, options?: TargetSessionOptions): Session<object>;
}

/** A session on `sdk`, and what releases its connections. */
export function sdkSession(
  sdk: Sdk,
  endpoint: string,
  options: TargetSessionOptions = {},
): { session: Session<object>; close: () => void } {
  const { retries, backoff, timeout, ...rest } = options;
  const tuning = { retries, backoff, timeout };
  if (sdk === 'v2') {
    const session = new Session({ ...rest, config: v2Config(endpoint, tuning) });
    return { session, close: () => session.close() };
  }
  const client = new DynamoDBClient(v3Config(endpoint, tuning));
  return { session: new Session({ ...rest, client }), close: () => client.destroy() };
}

/** A target whose sessions `close()` releases. */
function target(server: TestServer, sdk: Sdk): TestTarget & { close(): void } {
  const closers: Array<() => void> = [];
  return {
    server,
    sdk,
    name: `${server.name}, ${sdk}`,
    runs: (full, short) => (sdk === 'v2' ? full : short),
    session(endpoint, options) {
      const { session, close } = sdkSession(sdk, endpoint, options);
      closers.push(close);
      return session;
    },
    close() {
      for (const close of closers.splice(0)) close();
    },
  };
}

/**
 * Defines the suite once per server and SDK, titled with both; the sessions
 * it built are closed after it.
 */
export function forEachTarget(title: string, suite: (target: TestTarget) => void): void {
  for (const server of servers) {
    for (const sdk of sdks) {
      describe(`${title} [${server.name}, ${sdk}]`, () => {
        const t = target(server, sdk);
        after(() => t.close());
        suite(t);
      });
    }
  }
}
