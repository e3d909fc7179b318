// The adapter for aws-sdk v2: the only file that loads it. Everything the
// rest of the library knows of v2 (its requests, retry count, abort, error
// shapes, converter and connection reuse) is here.
import type { AWSError } from 'aws-sdk/lib/error';
import type { Request } from 'aws-sdk/lib/request';
import type DynamoDBV2 from 'aws-sdk/clients/dynamodb';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AttributeMap, AttributeValue } from './attribute';
import {
  abortedError,
  clientThrew,
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
import { DynastoreError } from './errors';

/** @internal The methods of an aws-sdk v2 `AWS.DynamoDB` the adapter calls, one per command. */
const METHODS = {
  GetItem: 'getItem',
  PutItem: 'putItem',
  UpdateItem: 'updateItem',
  DeleteItem: 'deleteItem',
  Query: 'query',
  BatchGetItem: 'batchGetItem',
  BatchWriteItem: 'batchWriteItem',
} as const;

/** @internal Whether `client` looks like an aws-sdk v2 `AWS.DynamoDB`. */
export function isV2Client(client: unknown): boolean {
  return (
    typeof client === 'object' && client !== null && typeof (client as { getItem?: unknown }).getItem === 'function'
  );
}

/** aws-sdk v2's DynamoDB client class, loaded on first use so that a process on v3 never loads v2. */
function v2(): typeof DynamoDBV2 {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily on purpose
  return require('aws-sdk/clients/dynamodb') as typeof DynamoDBV2;
}

let codec: Codec | undefined;

/**
 * @internal aws-sdk v2's `AWS.DynamoDB.Converter` as a {@link Codec}: the
 * default for pairs built by hand. It reads attribute values with `for…in`,
 * which would take properties inherited from a polluted `Object.prototype`
 * for attributes: it is given copies that hold only their own.
 */
export function v2Codec(): Codec {
  if (codec === undefined) {
    const { Converter } = v2();
    codec = {
      output: (value) => Converter.output(ownTree(value) as AttributeValue) as unknown,
      unmarshall: (map) => Converter.unmarshall(ownTree(map) as AttributeMap),
      marshall: (value) => Converter.marshall(value) as AttributeMap,
    };
  }
  return codec;
}

/** A copy of an attribute value, or map of them, of own properties only, on null prototypes; bytes shared. */
function ownTree(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(ownTree);
  const copy = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value)) copy[key] = ownTree((value as Record<string, unknown>)[key]);
  return copy;
}

/** @internal The {@link DynamoClient} over an aws-sdk v2 `AWS.DynamoDB`. */
export class AwsSdkV2Client implements DynamoClient {
  readonly codec = v2Codec();
  /** The keep-alive agent this adapter made for a client it built, if it made one. */
  readonly ownedAgent: HttpAgent | undefined;

  constructor(
    readonly ddb: DynamoDBV2,
    ownedAgent?: HttpAgent,
  ) {
    this.ownedAgent = ownedAgent;
  }

  /**
   * Builds a client from `config`, with a keep-alive agent for its
   * endpoint's protocol unless the config names one (aws-sdk v2 opens a new
   * connection per request by default).
   */
  static build(config: DynamoDBV2.ClientConfiguration | undefined): AwsSdkV2Client {
    const ddb = new (v2())(config);
    const httpOptions = ddb.config.httpOptions;
    if (httpOptions?.agent !== undefined) return new AwsSdkV2Client(ddb);
    const options = { keepAlive: true, maxSockets: 50 };
    const agent = ddb.endpoint.protocol === 'http:' ? new HttpAgent(options) : new HttpsAgent(options);
    ddb.config.update({ httpOptions: { ...httpOptions, agent } });
    return new AwsSdkV2Client(ddb, agent);
  }

  close(): void {
    this.ownedAgent?.destroy();
  }

  send<C extends CommandName>(
    command: C,
    params: Inputs[C],
    signal: AbortSignal | undefined,
    attempts?: Attempts,
  ): Promise<Outputs[C]> {
    if (signal?.aborted) return Promise.reject(abortedError(command, signal));
    let request: Request<Outputs[C], AWSError>;
    let response: Promise<Outputs[C]>;
    try {
      const method = this.ddb[METHODS[command]] as (p: unknown) => Request<Outputs[C], AWSError>;
      request = method.call(this.ddb, params);
      response = request.promise();
    } catch (err) {
      return Promise.reject(clientThrew(command, err));
    }
    if (signal !== undefined) return this.raced(command, request, response, signal, attempts);
    // One promise over the SDK's: this is the whole path of a request without a signal. A lookalike's
    // answer that is no promise is taken as `await` takes it.
    return (response instanceof Promise ? response : Promise.resolve(response)).then(
      attempts === undefined
        ? undefined
        : (output) => {
            try {
              attempts.attempts = attemptsOf(request);
            } catch (err) {
              throw clientThrew(command, err);
            }
            return output;
          },
      (err: unknown) => {
        throw failure(command, err, undefined, request);
      },
    );
  }

  /** A request with a signal: it settles at the first of its answer and the signal's abort. */
  private async raced<C extends CommandName>(
    command: C,
    request: Request<Outputs[C], AWSError>,
    response: Promise<Outputs[C]>,
    signal: AbortSignal,
    attempts: Attempts | undefined,
  ): Promise<Outputs[C]> {
    try {
      const output = await raceAbort(command, response, signal, () => request.abort());
      if (attempts !== undefined) attempts.attempts = attemptsOf(request);
      return output;
    } catch (err) {
      if (err instanceof DynastoreError && err.code === 'ABORTED') throw err;
      throw failure(command, err, signal, request);
    }
  }
}

/** What a failed request rejects with: the SDK's error mapped, or REQUEST_FAILED when it cannot be read. */
function failure(
  command: CommandName,
  err: unknown,
  signal: AbortSignal | undefined,
  request: Request<unknown, AWSError>,
): Error {
  return mappedFailure(command, err, (e) => mapError(command, e, signal, attemptsOf(request)));
}

/** The attempts the SDK made: its response counts the retries (a stub's request may have no response). */
function attemptsOf(request: Request<unknown, AWSError>): number {
  const response = (request as { response?: { retryCount?: number } }).response;
  return (response?.retryCount ?? 0) + 1;
}

function mapError(command: CommandName, err: unknown, signal: AbortSignal | undefined, attempts: number): Error {
  if (signal?.aborted) return abortedError(command, signal);
  const aws = err as Partial<AWSError> & { Item?: AttributeMap };
  if (aws.code === 'ConditionalCheckFailedException') {
    // aws-sdk v2 puts the members of the error body on the error unconverted: bytes as base64 text.
    const item = aws.Item === undefined ? undefined : (wireValue({ M: aws.Item }).M as AttributeMap);
    return new ConditionFailed(item, 'Item' in aws, attempts, err);
  }
  // v2 names every failure to connect UnknownEndpoint (its DNS check matches any numeric errno, ECONNREFUSED
  // too); both adapters call a failure to connect NetworkingError, as v2 does before that check.
  const failed = requestFailed(command, err, aws.code === 'UnknownEndpoint' ? 'NetworkingError' : aws.code);
  failedAttempts.set(failed, attempts);
  return failed;
}

/**
 * An attribute value as the SDK would have parsed it: the error body's `B`
 * and `BS` are base64 text, which the SDK turns into bytes everywhere else.
 */
function wireValue(value: AttributeValue): AttributeValue {
  const b: unknown = value.B;
  if (typeof b === 'string') return { B: Buffer.from(b, 'base64') };
  if (value.BS !== undefined) {
    return { BS: value.BS.map((x: unknown) => (typeof x === 'string' ? Buffer.from(x, 'base64') : (x as Uint8Array))) };
  }
  if (value.L !== undefined) return { L: value.L.map(wireValue) };
  if (value.M !== undefined) {
    const map: AttributeMap = {};
    for (const [name, member] of Object.entries(value.M)) map[name] = wireValue(member);
    return { M: map };
  }
  return value;
}
