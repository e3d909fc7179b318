/**
 * dynastore on aws-sdk v3 (`import … from 'dynastore/v3'`): a
 * `DynamoDBClient` built for dynastore, and the struct converters, which are
 * the root entry's own (the same functions, with the same rules on both
 * SDKs). Importing it loads aws-sdk v3 and never aws-sdk v2; the root entry
 * (`Session` and the rest) loads neither until a session needs one.
 *
 * Not here on purpose: the session and everything else, which are the same
 * for both SDKs and come from the root entry.
 *
 * @example
 * ```ts
 * import { Session, writeWithAttributeValue } from 'dynastore';
 * import { dynamoDBClient, marshalStruct, unmarshalStruct } from 'dynastore/v3';
 *
 * const session = new Session({ client: dynamoDBClient({ region: 'eu-west-1' }) });
 * const customers = session.table('agents').partition('customers');
 * await customers.put('c1', writeWithAttributeValue(marshalStruct({ name: 'welcome', tags: new Set(['a']) })));
 * const customer = unmarshalStruct<Customer>((await customers.get('c1')).value);
 * ```
 *
 * @packageDocumentation
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynastoreError, invalidArgument } from './errors';
import { describeValue, isPlainObject } from './validate';

/**
 * The root entry's converters, re-exported: dynastore converts by its own
 * rules, not through either SDK's converter, so `marshalStruct` and
 * `unmarshalStruct` are the same functions here and there, with the same
 * results and the same errors. See {@link marshalStruct} for the rules: in
 * short, strings become S, numbers and bigints N, `Uint8Array`s B, arrays
 * L, `Set`s SS, NS or BS, a `Date` its ISO 8601 string, `Map`s and objects
 * M; an undefined member is left out; NaN, Infinity, unsafe integers (give a
 * bigint), functions, symbols, cycles, empty sets and lossy values are
 * `INVALID_ARGUMENT` naming the path. `unmarshalStruct` reads sets as `Set`
 * and integers beyond `Number.MAX_SAFE_INTEGER` as `bigint`.
 */
export { marshalStruct, unmarshalStruct } from './marshal';

const silent = (): void => undefined;
/** Silent, like v3's NoOpLogger, and without info and error, so v3's logger middleware formats nothing. */
const QUIET_LOGGER = { trace: silent, debug: silent, warn: silent } as unknown as NonNullable<
  DynamoDBClientConfig['logger']
>;

/**
 * A `DynamoDBClient` with the settings that suit dynastore; `config`, a
 * plain object, is passed on (its own enumerable properties, read once) and
 * wins over them. Anything else, or a config whose getter throws, is
 * `INVALID_ARGUMENT`.
 *
 * - Connections are reused (keep-alive, at most 50 sockets): v3's own
 *   default, kept.
 * - Retries are v3's defaults (for DynamoDB, 4 attempts in all in 3.1162);
 *   dynastore's answers stay exact when a write is retried.
 * - `cacheMiddleware: true`: the client resolves its middleware stack once
 *   per command class instead of once per request, which cuts v3's CPU time
 *   per GetItem by about a sixth (777 to 649 µs, measured against a canned
 *   local endpoint). It is safe for dynastore's requests: they carry no
 *   middleware of their own, and the requests that share one cached handler
 *   (and its context, which the SDK writes the endpoint and signing region
 *   into) all resolve the same endpoint, since a table name cannot be an
 *   ARN. A request with an abort signal is resolved afresh: v3 caches only
 *   requests sent without options, and empties the cache on the others, so
 *   requests with signals do not save. What it costs you: middleware added
 *   to this client, or to a command you send through it, after the first
 *   request of that command class is ignored. Add your middleware before the
 *   first request, or pass `cacheMiddleware: false`.
 * - Unless `config.logger` is given, a logger as silent as v3's default
 *   (`NoOpLogger`) but without `info` and `error` methods: v3's logger
 *   middleware formats each command's whole input and output (a walk over
 *   their schemas) for `logger.info` before calling it, and skips that when
 *   the method is missing. On a Query of 100 items that is about a quarter
 *   of v3's client CPU (`npm run bench`: 1.33× raw, 1.20× on GetItem with
 *   `cacheMiddleware`). Nothing is logged either way; give your own logger to
 *   see v3's logs.
 *
 * Destroy the client (`client.destroy()`) when you are done with it: a
 * session leaves a client it was given alone.
 *
 * @param config - the client's configuration, as `new DynamoDBClient(config)` takes it
 * @example
 * ```ts
 * const session = new Session({ client: dynamoDBClient({ region: 'eu-west-1' }) });
 * ```
 * @example Against DynamoDB Local
 * ```ts
 * const client = dynamoDBClient({
 *   region: 'local',
 *   endpoint: 'http://localhost:8000',
 *   credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
 * });
 * ```
 */
export function dynamoDBClient(config: DynamoDBClientConfig = {}): DynamoDBClient {
  const copy = copyConfig(config);
  try {
    return new DynamoDBClient({ cacheMiddleware: true, logger: QUIET_LOGGER, ...copy });
  } catch (err) {
    // The SDK reads some settings at once (credentials, a Proxy among them): what they throw is bad input too.
    throw new DynastoreError('INVALID_ARGUMENT', 'aws-sdk v3 could not build a client from config (see cause)', {
      value: config,
      cause: err,
    });
  }
}

/**
 * The configuration's own enumerable properties, copied once: checked at run
 * time too, since JavaScript callers can pass anything. A Date, Map, buffer
 * or class instance would lose its content to the copy, so only a plain
 * object is taken; what a getter or Proxy trap throws is INVALID_ARGUMENT,
 * with it as `cause`, not an error from inside the SDK later.
 */
function copyConfig(config: unknown): DynamoDBClientConfig {
  try {
    if (!isPlainObject(config)) {
      throw invalidArgument(`dynamoDBClient takes a plain configuration object, got ${describeValue(config)}`, config);
    }
    return { ...config };
  } catch (err) {
    if (DynastoreError.is(err)) throw err;
    throw new DynastoreError('INVALID_ARGUMENT', 'reading the dynamoDBClient configuration threw (see cause)', {
      value: config,
      cause: err,
    });
  }
}
