import type {
  BatchGetItemInput,
  CommandName,
  DeleteItemInput,
  GetItemInput,
  PutItemInput,
  QueryInput,
  UpdateItemInput,
} from './client';

export type { CommandName } from './client';

/**
 * The Go operation names, as `ctx.operation` carries them in hooks.
 * `iterate` reports its requests as `ListPage`; `getMany`, which Go did not
 * have, as `GetMany`.
 */
export type OperationName =
  'Put' | 'Get' | 'Exists' | 'Delete' | 'ListPage' | 'List' | 'AtomicPut' | 'AtomicDelete' | 'GetMany';

/** The params of any request dynastore sends. */
export type RequestParams =
  GetItemInput | PutItemInput | UpdateItemInput | DeleteItemInput | QueryInput | BatchGetItemInput;

/**
 * What a hook is told about the request being made: the operation, the
 * DynamoDB command, and every value the caller passed in the `context`
 * option (the two names here win over a context value of the same name).
 */
export interface RequestContext {
  /** The Go operation name: `Put`, `Get`, `Exists`, `Delete`, `ListPage`, `List`, `AtomicPut`, `AtomicDelete`, or `GetMany`. */
  readonly operation: OperationName;
  /** The DynamoDB call: `GetItem`, `PutItem`, `UpdateItem`, `DeleteItem`, `Query` or `BatchGetItem`. */
  readonly command: CommandName;
  /** Values from the operation's `context` option. */
  readonly [key: string]: unknown;
}

/**
 * Callbacks that see every request a {@link Session} makes.
 *
 * @example
 * ```ts
 * const session = new Session({
 *   config: { region: 'us-east-1' },
 *   hooks: {
 *     requestBuilt(ctx, params) {
 *       console.log(operationName(ctx), ctx.command, JSON.stringify(params));
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
   * later requests of the same operation are then given; returning nothing
   * keeps the context. A hook that throws fails the operation with its error
   * and nothing is sent.
   */
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- a hook may return nothing, as a logging hook does
  requestBuilt?(ctx: RequestContext, params: RequestParams): RequestContext | void;
}

/**
 * Reads the Go operation name from a hook's context, or `''` when it has
 * none (Go's `OperationName`).
 */
export function operationName(ctx: unknown): string {
  if (typeof ctx === 'object' && ctx !== null) {
    const op = (ctx as { operation?: unknown }).operation;
    if (typeof op === 'string') return op;
  }
  return '';
}
