// The adapter for aws-sdk v3 (`@aws-sdk/client-dynamodb`): the only file
// that loads it, and only when a session is given a v3 client. Everything
// the rest of the library knows of v3 (commands, `abortSignal`, `$metadata`,
// error names, its converter) is here.
import {
  BatchGetItemCommand,
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
  failedAttempts,
  requestFailed,
  type Codec,
  type CommandName,
  type DynamoClient,
  type Inputs,
  type Outputs,
  type Sent,
} from './client';

/** One v3 command class per command dynastore sends. */
const COMMANDS = {
  GetItem: GetItemCommand,
  PutItem: PutItemCommand,
  UpdateItem: UpdateItemCommand,
  DeleteItem: DeleteItemCommand,
  Query: QueryCommand,
  BatchGetItem: BatchGetItemCommand,
} as const;

/** aws-sdk v3's `@aws-sdk/util-dynamodb` as a {@link Codec}. */
export const v3Codec: Codec = {
  output: (value): unknown => convertToNative(value as Parameters<typeof convertToNative>[0]),
  unmarshall: (map) => unmarshall(map as Parameters<typeof unmarshall>[0]),
  marshall: (value) => marshall(value, { removeUndefinedValues: true }),
};

/** What v3 puts on its outputs and errors. */
interface Metadata {
  $metadata?: { attempts?: number };
}

/** @internal The {@link DynamoClient} over an aws-sdk v3 `DynamoDBClient`. */
export class AwsSdkV3Client implements DynamoClient {
  readonly codec = v3Codec;
  private readonly client: DynamoDBClient;

  constructor(client: object) {
    this.client = client as DynamoDBClient;
  }

  async send<C extends CommandName>(
    command: C,
    params: Inputs[C],
    signal: AbortSignal | undefined,
  ): Promise<Sent<Outputs[C]>> {
    if (signal?.aborted) throw abortedError(command, signal);
    const Command = COMMANDS[command] as unknown as new (input: Inputs[C]) => Parameters<DynamoDBClient['send']>[0];
    const response = this.client.send(new Command(params), signal === undefined ? {} : { abortSignal: signal });
    try {
      const output = (
        signal === undefined ? await response : await raceAbort(command, response, signal)
      ) as Outputs[C] & Metadata;
      return { output, attempts: output.$metadata?.attempts ?? 1 };
    } catch (err) {
      throw mapError(command, err, signal);
    }
  }
}

/**
 * Settles at the first of the response and the abort: v3 cuts a request on
 * the wire, but an abort during its retry backoff should settle the
 * operation at once too.
 */
async function raceAbort<T>(command: CommandName, response: Promise<T>, signal: AbortSignal): Promise<T> {
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = (): void => reject(abortedError(command, signal));
  });
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([response, aborted]);
  } catch (err) {
    // The SDK's own promise settles later with an AbortError; nobody awaits it then.
    response.catch(() => undefined);
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function mapError(command: CommandName, err: unknown, signal: AbortSignal | undefined): Error {
  if (signal?.aborted) return abortedError(command, signal);
  const e = (typeof err === 'object' && err !== null ? err : {}) as Metadata & {
    name?: unknown;
    code?: unknown;
    Item?: AttributeMap;
  };
  const attempts = e.$metadata?.attempts ?? 1;
  const name = typeof e.name === 'string' ? e.name : undefined;
  if (name === 'ConditionalCheckFailedException') {
    return new ConditionFailed(e.Item, e.Item !== undefined, attempts, err);
  }
  // A network failure is a plain Error whose code names it (ECONNREFUSED, ECONNRESET).
  const awsCode = name === undefined || name === 'Error' ? (typeof e.code === 'string' ? e.code : name) : name;
  const failed = requestFailed(command, err, awsCode);
  failedAttempts.set(failed, attempts);
  return failed;
}
