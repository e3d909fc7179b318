import type {
  BatchGetItemInput,
  BatchWriteItemInput,
  CommandName,
  ConsumedCapacity,
  DeleteItemInput,
  GetItemInput,
  PutItemInput,
  QueryInput,
  UpdateItemInput,
} from './client';

export type { CommandName } from './client';

/**
 * The Go operation names, as `ctx.operation` carries them in hooks.
 * `iterate` and `iterateChildren` report their requests as `ListPage`; the
 * operations Go did not have by their method's name in the same style:
 * `getMany` as `GetMany`, `putIfNewer` as `PutIfNewer`, `putMany` as
 * `PutMany`, `deleteMany` as `DeleteMany`, `deleteTree` (its Query and
 * BatchWriteItem requests alike) as `DeleteTree`.
 */
export type OperationName =
  | 'Put'
  | 'Get'
  | 'Exists'
  | 'Delete'
  | 'ListPage'
  | 'List'
  | 'AtomicPut'
  | 'AtomicDelete'
  | 'GetMany'
  | 'PutIfNewer'
  | 'PutMany'
  | 'DeleteMany'
  | 'DeleteTree';

/** The params of any request dynastore sends. */
export type RequestParams =
  | GetItemInput
  | PutItemInput
  | UpdateItemInput
  | DeleteItemInput
  | QueryInput
  | BatchGetItemInput
  | BatchWriteItemInput;

/**
 * What a hook is told about an operation: its name, and every value the
 * caller passed in the `context` option or a `requestBuilt` hook returned.
 */
export interface OperationContext {
  /**
   * The Go operation name: `Put`, `Get`, `Exists`, `Delete`, `ListPage`, `List`, `AtomicPut`, `AtomicDelete`,
   * `GetMany`, `PutIfNewer`, `PutMany`, `DeleteMany` or `DeleteTree`.
   */
  readonly operation: OperationName;
  /** Values from the operation's `context` option, and from what `requestBuilt` returned. */
  readonly [key: string]: unknown;
}

/**
 * What a hook is told about the request being made: the operation, the
 * DynamoDB command, and every value the caller passed in the `context`
 * option (the two names here win over a context value of the same name).
 */
export interface RequestContext extends OperationContext {
  /** The DynamoDB call: `GetItem`, `PutItem`, `UpdateItem`, `DeleteItem`, `Query`, `BatchGetItem` or `BatchWriteItem`. */
  readonly command: CommandName;
}

/** How one request ended, as {@link Hooks.requestCompleted} is told. */
export interface RequestOutcome {
  /** The DynamoDB call. */
  readonly command: CommandName;
  /**
   * Milliseconds from sending the request to its settling, the SDK's
   * retries and their backoff included; measured with `performance.now()`,
   * not the session's clock.
   */
  readonly durationMs: number;
  /**
   * The attempts the SDK made, the first included: `maxRetries: 2` against
   * an endpoint that refuses every connection gives 3.
   */
  readonly attempts: number;
  /**
   * Set when the request failed, as the operation reports it: a
   * `DynastoreError` with `REQUEST_FAILED` (and `awsCode`) or `ABORTED`; for
   * a failed condition, the code the operation gives it: `KEY_EXISTS` (a
   * create, or an `atomicDelete` without `previous`, met a live item),
   * `KEY_MODIFIED` or `KEY_NOT_FOUND` (a compare met another version, or no
   * live item). Unset when the request succeeded, and when its condition
   * failed in a way the operation does not report as an error: `put` met an
   * expired item and replaces it, or a retried compare-and-swap recognised
   * its own write, landed by an attempt whose reply was lost
   * (`conditionFailed` then says so). When the operation fails before it
   * learns what a failed condition means (its follow-up read failed), this
   * is the operation's error.
   */
  readonly error?: unknown;
  /** Whether DynamoDB refused the request because its condition did not hold, whatever the operation made of it. */
  readonly conditionFailed: boolean;
  /**
   * The items in the response: GetItem 1 or 0, Query its `Count` (the items
   * left after the expiry filter), BatchGetItem the items returned;
   * BatchWriteItem the writes DynamoDB processed (those sent, less its
   * `UnprocessedItems`). Unset for the other writes and failed requests.
   */
  readonly itemCount?: number;
  /**
   * The capacity the request consumed, when `returnConsumedCapacity` asked
   * for it and the server returned it (a failed request returns none). For
   * BatchGetItem and BatchWriteItem, the total over their one table.
   */
  readonly consumedCapacity?: ConsumedCapacity;
}

/** How one operation ended, as {@link Hooks.operationCompleted} is told. */
export interface OperationOutcome {
  /** The Go operation name. */
  readonly operation: OperationName;
  /**
   * Milliseconds from building its first request to its settling. For
   * `iterate` this includes the time the loop spends between pages.
   */
  readonly durationMs: number;
  /** The requests it sent: one `requestCompleted` each. */
  readonly requests: number;
  /** What the operation failed with, when it failed: the error its caller got. */
  readonly error?: unknown;
}

/**
 * Callbacks that see every request a {@link Session} makes: one before each
 * request, one after it, and one when the operation that made them ends. Each
 * takes one state object and one description, so fields can be added later.
 * The session takes them from a plain object's own properties, once, when it
 * is made: an unknown name is refused (`INVALID_ARGUMENT`), and changing the
 * object later changes nothing.
 *
 * Errors: a `requestBuilt` that throws fails the operation with its error,
 * and nothing is sent; a value thrown that is no Error (a string,
 * `undefined`) fails it with `INVALID_ARGUMENT`, the value as `cause`. A
 * `requestCompleted` or `operationCompleted` that throws, or returns a
 * promise that rejects, changes nothing: the operation
 * resolves or rejects as it would have, and the error is emitted as a
 * process warning (`process.emitWarning`) named `DynastoreHookWarning`, with
 * the hook's error as `cause`. Node prints it to stderr; listen with
 * `process.on('warning', …)` to route it elsewhere. Nothing awaits a promise
 * a hook returns.
 *
 * Implementation notes: what the hooks do NOT see. A request refused before
 * sending (an already-aborted signal, a throwing `requestBuilt`) has no
 * `requestCompleted`. The SDK's attempts are counted, not shown one by one.
 * An `iterate` loop that is left without finishing or `break` (its iterator
 * dropped mid-way) never ends its operation, so `operationCompleted` is not
 * called for it.
 *
 * @example
 * ```ts
 * const session = new Session({
 *   config: { region: 'us-east-1' },
 *   returnConsumedCapacity: true,
 *   hooks: {
 *     requestBuilt(ctx, params) {
 *       console.log(operationName(ctx), ctx.command, JSON.stringify(params));
 *     },
 *     requestCompleted(ctx, outcome) {
 *       const code = DynastoreError.is(outcome.error) ? outcome.error.code : 'ok';
 *       console.log(ctx.command, code, outcome.durationMs, outcome.attempts, outcome.consumedCapacity);
 *     },
 *   },
 * });
 * ```
 */
export interface Hooks {
  /**
   * Called once before every DynamoDB request, with the exact params that
   * will be sent; do not mutate them. An operation that makes more than one
   * request (`list`, a compare-and-swap that has to find out why it failed)
   * calls it once per request. It may return a replacement context, which
   * `requestCompleted` for this request and later requests of the same
   * operation are then given; returning nothing keeps the context. It must
   * be synchronous. A hook that throws fails the operation with its error and
   * nothing is sent (a thrown value that is no Error: `INVALID_ARGUMENT`,
   * with the value as `cause`).
   */
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- a hook may return nothing, as a logging hook does
  requestBuilt?(ctx: RequestContext, params: RequestParams): RequestContext | void;
  /**
   * Called exactly once per request sent, after it settles, success or
   * failure. `ctx` is the context `requestBuilt` returned for this request
   * (the very object), or the one it was given when it returned nothing.
   *
   * A failed condition is reported once the operation knows what it means
   * (see {@link RequestOutcome.error}): at once when the server returned the
   * old item (AWS, DynamoDB Local); after the consistent GetItem that finds
   * out when it did not (dynalite), so that GetItem's `requestCompleted`
   * comes first; and at the latest before the operation's
   * `operationCompleted`.
   *
   * Its errors never reach the operation: see {@link Hooks}.
   */
  requestCompleted?(ctx: RequestContext, outcome: RequestOutcome): void;
  /**
   * Called once when an operation ends (resolves, rejects, or its `iterate`
   * loop finishes or breaks), after the `requestCompleted` of each of its
   * requests; only for operations that got as far as building a request.
   * `ctx` is the context the operation's last `requestBuilt` returned (or was
   * given). This is where a span opened for the whole operation ends.
   *
   * Its errors never reach the operation: see {@link Hooks}.
   */
  operationCompleted?(ctx: OperationContext, outcome: OperationOutcome): void;
}

/** @internal The hooks a session accepts, by name. */
export const HOOK_NAMES: readonly (keyof Hooks)[] = ['requestBuilt', 'requestCompleted', 'operationCompleted'];

/**
 * Reads the Go operation name from a hook's context, or `''` when it has
 * none (Go's `OperationName`). Only the context's own `operation` counts,
 * and it never throws: a context whose getter or Proxy trap throws has none.
 */
export function operationName(ctx: unknown): string {
  if (typeof ctx !== 'object' || ctx === null) return '';
  try {
    const op: unknown = Object.hasOwn(ctx, 'operation') ? (ctx as { operation?: unknown }).operation : undefined;
    return typeof op === 'string' ? op : '';
  } catch {
    return '';
  }
}
