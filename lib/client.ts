import type { AWSError, Request } from 'aws-sdk';
import type DynamoDB from 'aws-sdk/clients/dynamodb';
import { DynastoreError } from './errors';
import type { CommandName } from './hooks';

/**
 * @internal The six DynamoDB calls the table logic makes. An adapter for
 * another SDK implements this and nothing else changes.
 *
 * Contract: an already-aborted `signal` sends nothing and an abort cancels
 * the call, both rejecting with DynastoreError ABORTED; a failed condition
 * rejects with {@link ConditionFailed}, carrying the old item when the server
 * returned it; any other failure rejects with DynastoreError REQUEST_FAILED
 * whose `cause` is the SDK's error.
 */
export interface DynamoClient {
  getItem(params: DynamoDB.GetItemInput, signal?: AbortSignal): Promise<DynamoDB.GetItemOutput>;
  putItem(params: DynamoDB.PutItemInput, signal?: AbortSignal): Promise<DynamoDB.PutItemOutput>;
  updateItem(params: DynamoDB.UpdateItemInput, signal?: AbortSignal): Promise<DynamoDB.UpdateItemOutput>;
  deleteItem(params: DynamoDB.DeleteItemInput, signal?: AbortSignal): Promise<DynamoDB.DeleteItemOutput>;
  query(params: DynamoDB.QueryInput, signal?: AbortSignal): Promise<DynamoDB.QueryOutput>;
  batchGetItem(params: DynamoDB.BatchGetItemInput, signal?: AbortSignal): Promise<DynamoDB.BatchGetItemOutput>;
}

/** @internal A conditional write whose condition did not hold. */
export class ConditionFailed extends Error {
  /**
   * The item as it was, when the server honours
   * `ReturnValuesOnConditionCheckFailure` (AWS, DynamoDB Local); undefined
   * when it does not (dynalite) or there was no item.
   */
  readonly item: DynamoDB.AttributeMap | undefined;
  /** Whether the server said anything about the item at all. */
  readonly itemReturned: boolean;
  /**
   * How many attempts the SDK made, the first included. Above 1, an earlier
   * attempt's outcome is unknown: it may have landed, and this failure may
   * be the condition meeting that very write.
   */
  readonly attempts: number;

  constructor(item: DynamoDB.AttributeMap | undefined, itemReturned: boolean, attempts: number, cause: unknown) {
    super('the condition of the request did not hold', { cause });
    this.name = 'ConditionFailed';
    this.item = item;
    this.itemReturned = itemReturned;
    this.attempts = attempts;
  }
}

/** @internal The ABORTED error for a signal. */
export function abortedError(command: string, signal: AbortSignal): DynastoreError {
  return new DynastoreError('ABORTED', `${command} aborted: ${String(signal.reason)}`, { cause: signal.reason });
}

/** @internal The {@link DynamoClient} over an aws-sdk v2 `AWS.DynamoDB`. */
export class AwsSdkV2Client implements DynamoClient {
  constructor(readonly ddb: DynamoDB) {}

  getItem(params: DynamoDB.GetItemInput, signal?: AbortSignal): Promise<DynamoDB.GetItemOutput> {
    return send('GetItem', signal, () => this.ddb.getItem(params));
  }

  putItem(params: DynamoDB.PutItemInput, signal?: AbortSignal): Promise<DynamoDB.PutItemOutput> {
    return send('PutItem', signal, () => this.ddb.putItem(params));
  }

  updateItem(params: DynamoDB.UpdateItemInput, signal?: AbortSignal): Promise<DynamoDB.UpdateItemOutput> {
    return send('UpdateItem', signal, () => this.ddb.updateItem(params));
  }

  deleteItem(params: DynamoDB.DeleteItemInput, signal?: AbortSignal): Promise<DynamoDB.DeleteItemOutput> {
    return send('DeleteItem', signal, () => this.ddb.deleteItem(params));
  }

  query(params: DynamoDB.QueryInput, signal?: AbortSignal): Promise<DynamoDB.QueryOutput> {
    return send('Query', signal, () => this.ddb.query(params));
  }

  batchGetItem(params: DynamoDB.BatchGetItemInput, signal?: AbortSignal): Promise<DynamoDB.BatchGetItemOutput> {
    return send('BatchGetItem', signal, () => this.ddb.batchGetItem(params));
  }
}

async function send<T>(
  command: CommandName,
  signal: AbortSignal | undefined,
  build: () => Request<T, AWSError>,
): Promise<T> {
  if (signal?.aborted) throw abortedError(command, signal);
  const request = build();
  if (signal === undefined) {
    try {
      return await request.promise();
    } catch (err) {
      throw mapError(command, err, undefined, request);
    }
  }
  // request.abort() only cuts a request on the wire; between the SDK's retries there is nothing to cut,
  // so the abort also settles the operation at once.
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = (): void => {
      request.abort();
      reject(abortedError(command, signal));
    };
  });
  signal.addEventListener('abort', onAbort, { once: true });
  const response = request.promise();
  try {
    return await Promise.race([response, aborted]);
  } catch (err) {
    // The SDK's own promise settles later with RequestAbortedError; nobody awaits it then.
    response.catch(() => undefined);
    throw err instanceof DynastoreError ? err : mapError(command, err, signal, request);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function mapError(
  command: CommandName,
  err: unknown,
  signal: AbortSignal | undefined,
  request: Request<unknown, AWSError>,
): Error {
  if (signal?.aborted) return abortedError(command, signal);
  const aws = err as Partial<AWSError> & { Item?: DynamoDB.AttributeMap };
  if (aws.code === 'ConditionalCheckFailedException') {
    // The request's response (untyped in v2's declarations) counts the retries; a stub may have none.
    const response = (request as { response?: { retryCount?: number } }).response;
    const attempts = (response?.retryCount ?? 0) + 1;
    // aws-sdk v2 puts the members of the error body on the error unconverted: bytes as base64 text.
    const item = aws.Item === undefined ? undefined : (wireValue({ M: aws.Item }).M as DynamoDB.AttributeMap);
    return new ConditionFailed(item, 'Item' in aws, attempts, err);
  }
  const detail = aws.code ? `${aws.code}: ${aws.message ?? ''}` : String(err);
  return new DynastoreError('REQUEST_FAILED', `DynamoDB ${command} failed: ${detail}`, { cause: err });
}

/**
 * An attribute value as the SDK would have parsed it: the error body's `B`
 * and `BS` are base64 text, which the SDK turns into bytes everywhere else.
 */
function wireValue(value: DynamoDB.AttributeValue): DynamoDB.AttributeValue {
  if (typeof value.B === 'string') return { B: Buffer.from(value.B, 'base64') };
  if (value.BS !== undefined) {
    return { BS: value.BS.map((b) => (typeof b === 'string' ? Buffer.from(b, 'base64') : b)) };
  }
  if (value.L !== undefined) return { L: value.L.map(wireValue) };
  if (value.M !== undefined) {
    const map: DynamoDB.AttributeMap = {};
    for (const [name, member] of Object.entries(value.M)) map[name] = wireValue(member);
    return { M: map };
  }
  return value;
}
