import type { AttributeMap, AttributeValue } from './attribute';
import { types } from 'node:util';
import { DynastoreError } from './errors';
import { describeValue } from './validate';

/** The DynamoDB API calls dynastore makes. */
export type CommandName =
  'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query' | 'BatchGetItem' | 'BatchWriteItem';

/** Expression members a request may carry. */
interface Expressions {
  /** The attribute names behind the expressions' `#n` placeholders. */
  ExpressionAttributeNames?: Record<string, string>;
  /** The values behind the expressions' `:v` placeholders. */
  ExpressionAttributeValues?: Record<string, AttributeValue>;
}

/** Asks DynamoDB to report the capacity a request consumed. */
interface ConsumedCapacityRequest {
  /** Asks for the consumed capacity (the `returnConsumedCapacity` option). */
  ReturnConsumedCapacity?: 'TOTAL' | 'INDEXES' | 'NONE';
}

/** The capacity a request consumed, as DynamoDB reports it with `ReturnConsumedCapacity`. */
export interface ConsumedCapacity {
  /** The table the capacity was consumed on. */
  TableName?: string;
  /** Read and write capacity units in all. */
  CapacityUnits?: number;
  /** Read capacity units. */
  ReadCapacityUnits?: number;
  /** Write capacity units. */
  WriteCapacityUnits?: number;
}

/** The params of a GetItem request, as dynastore sends them. */
export interface GetItemInput extends Expressions, ConsumedCapacityRequest {
  /** The table. */
  TableName: string;
  /** The item's primary key: `id` and `name`. */
  Key: AttributeMap;
  /** A strongly consistent read. */
  ConsistentRead?: boolean;
  /** The attributes to read. */
  ProjectionExpression?: string;
}

/** The params of a PutItem request, as dynastore sends them. */
export interface PutItemInput extends Expressions, ConsumedCapacityRequest {
  /** The table. */
  TableName: string;
  /** The whole item written. */
  Item: AttributeMap;
  /** The condition the write depends on. */
  ConditionExpression?: string;
  /** Asks for the item as it was when the condition fails. */
  ReturnValuesOnConditionCheckFailure?: 'ALL_OLD' | 'NONE';
}

/** The params of an UpdateItem request, as dynastore sends them. */
export interface UpdateItemInput extends Expressions, ConsumedCapacityRequest {
  /** The table. */
  TableName: string;
  /** The item's primary key: `id` and `name`. */
  Key: AttributeMap;
  /** What the update sets, removes and adds. */
  UpdateExpression: string;
  /** The condition the write depends on. */
  ConditionExpression?: string;
  /** Asks for the item as written. */
  ReturnValues?: 'ALL_NEW' | 'NONE';
  /** Asks for the item as it was when the condition fails. */
  ReturnValuesOnConditionCheckFailure?: 'ALL_OLD' | 'NONE';
}

/** The params of a DeleteItem request, as dynastore sends them. */
export interface DeleteItemInput extends Expressions, ConsumedCapacityRequest {
  /** The table. */
  TableName: string;
  /** The item's primary key: `id` and `name`. */
  Key: AttributeMap;
  /** The condition the write depends on. */
  ConditionExpression?: string;
  /** Asks for the item as it was when the condition fails. */
  ReturnValuesOnConditionCheckFailure?: 'ALL_OLD' | 'NONE';
}

/** The params of a Query request, as dynastore sends them. */
export interface QueryInput extends Expressions, ConsumedCapacityRequest {
  /** The table. */
  TableName: string;
  /** The secondary index listed, if any. */
  IndexName?: string;
  /** The partition and sort-key prefix matched. */
  KeyConditionExpression: string;
  /** Drops expired items. */
  FilterExpression?: string;
  /** The attributes returned: `deleteTree` reads keys only. */
  ProjectionExpression?: string;
  /** A strongly consistent read. */
  ConsistentRead?: boolean;
  /** Ascending sort-key order. */
  ScanIndexForward?: boolean;
  /** Items evaluated per page. */
  Limit?: number;
  /** Where the page starts: the last page's `LastEvaluatedKey`. */
  ExclusiveStartKey?: AttributeMap;
}

/** The params of a BatchGetItem request, as dynastore sends them. */
export interface BatchGetItemInput extends ConsumedCapacityRequest {
  /** The keys to read, by table. */
  RequestItems: Record<
    string,
    {
      /** The keys of the items. */
      Keys: AttributeMap[];
      /** A strongly consistent read. */
      ConsistentRead?: boolean;
    }
  >;
}

/** One write of a BatchWriteItem request: a whole item to put, or a key to delete. */
export type WriteRequest =
  | {
      /** Writes the whole item, replacing any stored at its key. */
      PutRequest: {
        /** The item. */
        Item: AttributeMap;
      };
    }
  | {
      /** Deletes the item at the key, if any. */
      DeleteRequest: {
        /** The item's primary key. */
        Key: AttributeMap;
      };
    };

/** The params of a BatchWriteItem request, as dynastore sends them. */
export interface BatchWriteItemInput extends ConsumedCapacityRequest {
  /** The writes, by table: at most 25 in all, no key twice. */
  RequestItems: Record<string, WriteRequest[]>;
}

/** @internal What each command answers, as far as dynastore reads it. */
export interface Outputs {
  GetItem: { Item?: AttributeMap; ConsumedCapacity?: ConsumedCapacity };
  PutItem: { ConsumedCapacity?: ConsumedCapacity };
  UpdateItem: { Attributes?: AttributeMap; ConsumedCapacity?: ConsumedCapacity };
  DeleteItem: { ConsumedCapacity?: ConsumedCapacity };
  Query: {
    Items?: AttributeMap[];
    Count?: number;
    LastEvaluatedKey?: AttributeMap;
    ConsumedCapacity?: ConsumedCapacity;
  };
  BatchGetItem: {
    Responses?: Record<string, AttributeMap[]>;
    UnprocessedKeys?: Record<string, { Keys: AttributeMap[] }>;
    ConsumedCapacity?: ConsumedCapacity[];
  };
  BatchWriteItem: {
    UnprocessedItems?: Record<string, WriteRequest[]>;
    ConsumedCapacity?: ConsumedCapacity[];
  };
}

/** @internal What each command sends. */
export interface Inputs {
  GetItem: GetItemInput;
  PutItem: PutItemInput;
  UpdateItem: UpdateItemInput;
  DeleteItem: DeleteItemInput;
  Query: QueryInput;
  BatchGetItem: BatchGetItemInput;
  BatchWriteItem: BatchWriteItemInput;
}

/** @internal Where {@link DynamoClient.send} reports how many attempts the SDK made for a request that succeeded. */
export interface Attempts {
  /** The attempts, the first included. */
  attempts: number;
}

/**
 * @internal Converts between attribute values and plain JavaScript values
 * with an SDK's own converter.
 */
export interface Codec {
  /** One attribute value to a JavaScript value. */
  output(value: AttributeValue): unknown;
  /** A map of attribute values to an object. */
  unmarshall(map: AttributeMap): Record<string, unknown>;
  /** An object to a map of attribute values. */
  marshall(value: object): AttributeMap;
}

/**
 * @internal The DynamoDB calls the table logic makes, over any SDK. Each SDK
 * has one adapter implementing it (`sdk-v2.ts`, `sdk-v3.ts`), and nothing
 * outside an adapter sees the SDK.
 *
 * Contract of `send`: it never throws, it returns a promise, which resolves
 * to the SDK's output. An already-aborted `signal` sends nothing and an
 * abort cancels the call, both rejecting with DynastoreError ABORTED; a
 * failed condition rejects with {@link ConditionFailed}, carrying the old
 * item when the server returned it; any other failure rejects with
 * DynastoreError REQUEST_FAILED whose `cause` is the SDK's error and
 * `awsCode` the service's error name, and whatever else the client throws
 * (a lookalike, a Proxy) rejects with REQUEST_FAILED ({@link clientThrew}).
 * Every rejection of the SDK's records the attempts made in
 * {@link failedAttempts}; on success, `attempts`, when given, is set to them
 * (hooks report them). The path of a request without a signal is one promise
 * over the SDK's.
 */
export interface DynamoClient {
  /** The SDK's converter. */
  readonly codec: Codec;
  send<C extends CommandName>(
    command: C,
    params: Inputs[C],
    signal: AbortSignal | undefined,
    attempts?: Attempts,
  ): Promise<Outputs[C]>;
  /** Releases what the adapter owns (a keep-alive agent it made); an injected client is left alone. */
  close?(): void;
}

/** @internal How many attempts the SDK made for a request that failed, by its error. */
export const failedAttempts = new WeakMap<object, number>();

/** @internal A conditional write whose condition did not hold. */
export class ConditionFailed extends Error {
  /**
   * The item as it was, when the server honours
   * `ReturnValuesOnConditionCheckFailure` (AWS, DynamoDB Local); undefined
   * when it does not (dynalite) or there was no item.
   */
  readonly item: AttributeMap | undefined;
  /** Whether the server said anything about the item at all. */
  readonly itemReturned: boolean;
  /**
   * How many attempts the SDK made, the first included. Above 1, an earlier
   * attempt's outcome is unknown: it may have landed, and this failure may
   * be the condition meeting that very write.
   */
  readonly attempts: number;

  constructor(item: AttributeMap | undefined, itemReturned: boolean, attempts: number, cause: unknown) {
    super('the condition of the request did not hold', { cause });
    this.name = 'ConditionFailed';
    this.item = item;
    this.itemReturned = itemReturned;
    this.attempts = attempts;
    failedAttempts.set(this, attempts);
  }
}

/** @internal The ABORTED error for a signal. */
export function abortedError(command: string, signal: AbortSignal): DynastoreError {
  return new DynastoreError('ABORTED', `${command} aborted: ${describeFailure(signal.reason)}`, {
    cause: signal.reason,
  });
}

/** What went wrong, for a message: never throws, whatever was thrown, and bounded in length. */
function describeFailure(err: unknown): string {
  try {
    return err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 300) : describeValue(err);
  } catch {
    return 'a value that cannot be described';
  }
}

/**
 * @internal What a client's failure that an adapter could not read is to the
 * operation: REQUEST_FAILED, with it as `cause`, since whether the request
 * reached DynamoDB is unknown (a client that is a lookalike, or a Proxy that
 * throws).
 */
export function clientThrew(command: CommandName, err: unknown): DynastoreError {
  return new DynastoreError('REQUEST_FAILED', `DynamoDB ${command} failed: the client threw ${describeThrown(err)}`, {
    cause: err,
  });
}

/**
 * @internal `map(err)`, the adapter's reading of an SDK's failure; when the
 * reading itself throws (a hostile value), {@link clientThrew} of what it threw.
 */
export function mappedFailure(command: CommandName, err: unknown, map: (err: unknown) => Error): Error {
  try {
    return map(err);
  } catch (thrown) {
    return clientThrew(command, thrown);
  }
}

/**
 * @internal What was thrown, for a message: an Error's message (cut to a
 * bounded length), anything else by its kind or short value. Never throws:
 * a Symbol, an object whose `toString` throws, an Error whose `message` is a
 * throwing getter are all described.
 */
export function describeThrown(err: unknown): string {
  if (isError(err)) {
    try {
      const message: unknown = err.message;
      if (typeof message === 'string') return message.length > 200 ? `${message.slice(0, 200)}…` : message;
    } catch {
      // Described by its kind below.
    }
    return 'an Error';
  }
  return describeValue(err);
}

/** @internal An Error, from this realm or another (a vm context's, a worker's), as `util.types` tells one. */
export function isError(value: unknown): value is Error {
  return value instanceof Error || types.isNativeError(value);
}

/** @internal The REQUEST_FAILED error for an SDK's failure, with the service's error name. */
export function requestFailed(command: CommandName, err: unknown, awsCode: string | undefined): DynastoreError {
  const message = (err as { message?: unknown } | null)?.message;
  const detail =
    awsCode === undefined ? describeFailure(err) : `${awsCode}: ${typeof message === 'string' ? message : ''}`;
  return new DynastoreError('REQUEST_FAILED', `DynamoDB ${command} failed: ${detail}`, { cause: err, awsCode });
}

/**
 * @internal Settles at the first of an SDK's response and the signal's
 * abort, calling `cancel` (the SDK's own abort) on the abort. An SDK cuts a
 * request on the wire, but an abort during its backoff between retries must
 * settle the operation at once too. The SDK's own promise settles later,
 * rejected; nobody awaits it then.
 */
export async function raceAbort<T>(
  command: CommandName,
  response: Promise<T>,
  signal: AbortSignal,
  cancel: () => void = () => undefined,
): Promise<T> {
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = (): void => {
      cancel();
      reject(abortedError(command, signal));
    };
  });
  // A null-prototype bag: Node reads `signal` from it, and must not find a polluted Object.prototype's.
  signal.addEventListener('abort', onAbort, Object.assign(Object.create(null) as object, { once: true }));
  try {
    return await Promise.race([response, aborted]);
  } catch (err) {
    response.catch(() => undefined);
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
