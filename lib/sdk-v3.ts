// The adapter for aws-sdk v3 (`@aws-sdk/client-dynamodb`): the only file
// that loads it, and only when a session is given a v3 client. Everything
// the rest of the library knows of v3 (commands, `abortSignal`, `$metadata`,
// error names, its converter) is here.
//
// Implementation notes, checked against @aws-sdk/client-dynamodb 3.1162:
// - Attempts come from `$metadata.attempts`, which v3's retry middleware sets
//   on the output and, when it stops retrying, on the error too (a
//   ConditionalCheckFailedException that met a write of an earlier attempt
//   whose reply was lost reports 2). A client whose middleware stack has no
//   retry middleware reports none; its requests count as one attempt, which
//   is what they are.
// - A request without a signal is sent without options: a client built with
//   `cacheMiddleware: true` reuses its resolved middleware only then.
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { convertToNative, marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeMap } from './attribute';
import {
  abortedError,
  ConditionFailed,
  raceAbort,
  failedAttempts,
  mappedFailure,
  requestFailed,
  type Attempts,
  type Codec,
  type CommandName,
  type DynamoClient,
  type Inputs,
  type Outputs,
} from './client';

/** One v3 command class per command dynastore sends. */
const COMMANDS = {
  GetItem: GetItemCommand,
  PutItem: PutItemCommand,
  UpdateItem: UpdateItemCommand,
  DeleteItem: DeleteItemCommand,
  Query: QueryCommand,
  BatchGetItem: BatchGetItemCommand,
  BatchWriteItem: BatchWriteItemCommand,
} as const;

/**
 * @internal aws-sdk v3's `@aws-sdk/util-dynamodb` as a {@link Codec}, with its
 * own number semantics: integers beyond `Number.MAX_SAFE_INTEGER` read as
 * `bigint`, and marshalling such a number (or NaN) throws. Objects of any
 * class marshal as maps and undefined members are left out, as aws-sdk v2's
 * converter does.
 */
export const v3Codec: Codec = {
  output: (value): unknown => convertToNative(value as Parameters<typeof convertToNative>[0]),
  unmarshall: (map) => unmarshall(map as Parameters<typeof unmarshall>[0]),
  marshall: (value) => marshall(value, { removeUndefinedValues: true, convertClassInstanceToMap: true }),
};

/** What v3 puts on its outputs and errors. */
interface Metadata {
  $metadata?: { attempts?: number; httpStatusCode?: number };
}

/** The members of a v3 error the adapter reads. */
interface V3Error extends Metadata {
  name?: unknown;
  code?: unknown;
  $fault?: unknown;
  Item?: AttributeMap;
}

/** @internal The {@link DynamoClient} over an aws-sdk v3 `DynamoDBClient`. */
export class AwsSdkV3Client implements DynamoClient {
  readonly codec = v3Codec;
  private readonly client: DynamoDBClient;

  constructor(client: object) {
    this.client = client as DynamoDBClient;
  }

  send<C extends CommandName>(
    command: C,
    params: Inputs[C],
    signal: AbortSignal | undefined,
    attempts?: Attempts,
  ): Promise<Outputs[C]> {
    if (signal?.aborted) return Promise.reject(abortedError(command, signal));
    let response: Promise<Outputs[C] & Metadata>;
    try {
      const Command = COMMANDS[command] as unknown as new (input: Inputs[C]) => Parameters<DynamoDBClient['send']>[0];
      response = this.client.send(
        new Command(params),
        signal === undefined ? undefined : { abortSignal: signal },
      ) as Promise<Outputs[C] & Metadata>;
    } catch (err) {
      return Promise.reject(failure(command, err, signal));
    }
    if (signal !== undefined) return raced(command, response, signal, attempts);
    // One promise over the SDK's: this is the whole path of a request without a signal. A lookalike's
    // answer that is no promise is taken as `await` takes it.
    return (response instanceof Promise ? response : Promise.resolve(response)).then(
      (output) => {
        // Read on every answer: an output without metadata to read (a lookalike's) fails here, not in the table code.
        let n: number;
        try {
          n = output.$metadata?.attempts ?? 1;
        } catch (err) {
          throw failure(command, err, undefined);
        }
        if (attempts !== undefined) attempts.attempts = n;
        return output;
      },
      (err: unknown) => {
        throw failure(command, err, undefined);
      },
    );
  }
}

/** A request with a signal: it settles at the first of its answer and the signal's abort. */
async function raced<C extends CommandName>(
  command: C,
  response: Promise<Outputs[C] & Metadata>,
  signal: AbortSignal,
  attempts: Attempts | undefined,
): Promise<Outputs[C]> {
  try {
    const output = await raceAbort(command, response, signal);
    // Read on every answer, as without a signal.
    const n = output.$metadata?.attempts ?? 1;
    if (attempts !== undefined) attempts.attempts = n;
    return output;
  } catch (err) {
    throw failure(command, err, signal);
  }
}

/** What a failed request rejects with: the SDK's error mapped, or REQUEST_FAILED when it cannot be read. */
function failure(command: CommandName, err: unknown, signal: AbortSignal | undefined): Error {
  return mappedFailure(command, err, (e) => mapError(command, e, signal));
}

function mapError(command: CommandName, err: unknown, signal: AbortSignal | undefined): Error {
  if (signal?.aborted) return abortedError(command, signal);
  const e = (typeof err === 'object' && err !== null ? err : {}) as V3Error;
  const attempts = e.$metadata?.attempts ?? 1;
  if (e.name === 'ConditionalCheckFailedException') {
    // v3 declares `Item` on every such error; it is undefined when the server sent none (dynalite, no item).
    return new ConditionFailed(e.Item, e.Item !== undefined, attempts, err);
  }
  const failed = requestFailed(command, err, awsCodeOf(e));
  failedAttempts.set(failed, attempts);
  return failed;
}

/** Node's codes for a connection that was reset, broken or timed out, which v3 and v2 both name TimeoutError. */
const TIMEOUT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/**
 * The error's name in the vocabulary both SDKs share: the service's error
 * name for an answer from DynamoDB; for a failure on the wire, `TimeoutError`
 * (no answer in time, or a connection reset or broken) or `NetworkingError`
 * (no connection: refused, unreachable, unknown host), as aws-sdk v2 names
 * them. v3 leaves the latter as Node's own error, named `Error`, with its
 * code (`ECONNREFUSED`, `ENOTFOUND`).
 */
function awsCodeOf(e: V3Error): string | undefined {
  const name = typeof e.name === 'string' ? e.name : undefined;
  if (e.$fault !== undefined || e.$metadata?.httpStatusCode !== undefined) return name;
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (name === 'TimeoutError' || (code !== undefined && TIMEOUT_CODES.has(code))) return 'TimeoutError';
  // Node's system error codes (ECONNREFUSED, EHOSTUNREACH, ENOTFOUND, EAI_AGAIN), not its ERR_ ones.
  if (code !== undefined && /^E(AI_)?[A-Z]+$/.test(code)) return 'NetworkingError';
  return name === 'Error' ? code : name;
}
