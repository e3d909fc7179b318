import { fullJitter, sleep } from './backoff';
import {
  abortedError,
  ConditionFailed,
  describeThrown,
  failedAttempts,
  isError,
  type Attempts,
  type BatchGetItemInput,
  type BatchWriteItemInput,
  type CommandName,
  type ConsumedCapacity,
  type DeleteItemInput,
  type DynamoClient,
  type GetItemInput,
  type Inputs,
  type Outputs,
  type PutItemInput,
  type QueryInput,
  type UpdateItemInput,
} from './client';
import { DynastoreError, invalidArgument } from './errors';
import type {
  Hooks,
  OperationContext,
  OperationName,
  OperationOutcome,
  RequestContext,
  RequestOutcome,
  RequestParams,
} from './hooks';
import { describeValue } from './validate';

/** @internal What a session hands its tables. */
export interface Runtime {
  readonly client: DynamoClient;
  readonly hooks: Hooks | undefined;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  /** Signs paging tokens when set. */
  readonly tokenSecret: Uint8Array | undefined;
  /** Whether requests ask for their consumed capacity unless an operation says otherwise. */
  readonly returnConsumedCapacity: boolean;
}

/** @internal What an operation takes from its options. */
export interface OperationOptions {
  readonly signal?: AbortSignal | undefined;
  readonly context?: Record<string, unknown> | undefined;
  /** Unset: the session's default. */
  readonly returnConsumedCapacity?: boolean | undefined;
}

/** A request whose condition failed, waiting for the operation to say what that means. */
interface Unexplained {
  readonly ctx: RequestContext;
  readonly outcome: RequestOutcome;
}

/**
 * @internal One operation in flight: runs the abort check and `requestBuilt`
 * before each of its requests and `requestCompleted` after it, carries the
 * hook's context from one request to the next, and calls
 * `operationCompleted` when the table code says the operation ended
 * ({@link Operation.run}, {@link Operation.iterate}).
 *
 * A failed condition (ConditionFailed) is the one failure whose meaning the
 * pipeline does not know: the table code reports it with
 * {@link Operation.conditionMeant}, and only then is its `requestCompleted`
 * called. One left unreported is reported when the operation ends, with the
 * operation's error.
 */
export class Operation {
  readonly signal: AbortSignal | undefined;
  private readonly returnConsumedCapacity: boolean;
  /** The context the next request starts from. */
  private ctx: Record<string, unknown> | undefined;
  /** The context of the last request built, which `operationCompleted` is given. */
  private lastCtx: RequestContext | undefined;
  /** `performance.now()` when the first request was built; unset while none was. */
  private startedAt: number | undefined;
  private requests = 0;
  /** Made when the first failed condition waits: most operations never have one. */
  private unexplained: Map<ConditionFailed, Unexplained> | undefined;
  private ended = false;

  constructor(
    readonly runtime: Runtime,
    readonly name: OperationName,
    options: OperationOptions = {},
  ) {
    this.signal = options.signal;
    this.ctx = options.context;
    this.returnConsumedCapacity = options.returnConsumedCapacity ?? runtime.returnConsumedCapacity;
  }

  getItem(params: GetItemInput): Promise<Outputs['GetItem']> {
    return this.send('GetItem', params);
  }

  putItem(params: PutItemInput): Promise<Outputs['PutItem']> {
    return this.send('PutItem', params);
  }

  updateItem(params: UpdateItemInput): Promise<Outputs['UpdateItem']> {
    return this.send('UpdateItem', params);
  }

  deleteItem(params: DeleteItemInput): Promise<Outputs['DeleteItem']> {
    return this.send('DeleteItem', params);
  }

  query(params: QueryInput): Promise<Outputs['Query']> {
    return this.send('Query', params);
  }

  batchGetItem(params: BatchGetItemInput): Promise<Outputs['BatchGetItem']> {
    return this.send('BatchGetItem', params);
  }

  batchWriteItem(params: BatchWriteItemInput): Promise<Outputs['BatchWriteItem']> {
    return this.send('BatchWriteItem', params);
  }

  /** Waits before a retry, with full jitter; an abort ends the wait. */
  backoff(attempt: number, baseMs: number, capMs: number): Promise<void> {
    return sleep(fullJitter(attempt, baseMs, capMs), this.signal, this.name);
  }

  /** Runs the whole operation, and reports its end to the hooks however it settles. */
  run<T>(work: () => Promise<T>): Promise<T> {
    // Without hooks there is nothing to report: the operation is its work, with no promise around it.
    if (this.runtime.hooks === undefined) {
      try {
        return work();
      } catch (err) {
        return rejected(err);
      }
    }
    return this.reported(work);
  }

  private async reported<T>(work: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await work();
    } catch (err) {
      this.end(true, err);
      throw err;
    }
    this.end(false, undefined);
    return result;
  }

  /** Yields `items`, and reports the operation's end when they end, fail, or the loop breaks. */
  async *iterate<T>(items: AsyncIterable<T>): AsyncIterableIterator<T> {
    let failed = false;
    let error: unknown;
    try {
      yield* items;
    } catch (err) {
      failed = true;
      error = err;
      throw err;
    } finally {
      this.end(failed, error);
    }
  }

  /**
   * Says what a failed condition means for the operation: `error` is what
   * the operation reports for it, or undefined when it is no error of the
   * operation's (an expired item to replace, its own landed write). Calls
   * that request's `requestCompleted`; returns `error`, for the caller to throw.
   */
  conditionMeant<E extends DynastoreError | undefined>(failure: ConditionFailed, error: E): E {
    const pending = this.unexplained?.get(failure);
    if (pending !== undefined) {
      this.unexplained?.delete(failure);
      this.completed(pending.ctx, error === undefined ? pending.outcome : { ...pending.outcome, error });
    }
    return error;
  }

  private send<C extends CommandName>(command: C, input: Inputs[C]): Promise<Outputs[C]> {
    const params: Inputs[C] = this.returnConsumedCapacity ? { ...input, ReturnConsumedCapacity: 'TOTAL' } : input;
    let ctx: RequestContext | undefined;
    try {
      ctx = this.before(command, params);
    } catch (err) {
      return rejected(err);
    }
    this.requests++;
    // Without hooks nothing is measured: the request is the adapter's promise, as lean as a raw SDK call.
    if (ctx === undefined || this.runtime.hooks?.requestCompleted === undefined) {
      return this.runtime.client.send(command, params, this.signal);
    }
    return this.measured(command, params, ctx);
  }

  /** A request whose outcome `requestCompleted` is told. */
  private async measured<C extends CommandName>(
    command: C,
    params: Inputs[C],
    ctx: RequestContext,
  ): Promise<Outputs[C]> {
    const started = performance.now();
    const sent: Attempts = { attempts: 1 };
    let output: Outputs[C];
    try {
      output = await this.runtime.client.send(command, params, this.signal, sent);
    } catch (err) {
      const outcome: RequestOutcome = {
        command,
        durationMs: performance.now() - started,
        attempts: (typeof err === 'object' && err !== null ? failedAttempts.get(err) : undefined) ?? 1,
        conditionFailed: err instanceof ConditionFailed,
      };
      if (err instanceof ConditionFailed) (this.unexplained ??= new Map()).set(err, { ctx, outcome });
      else this.completed(ctx, { ...outcome, error: err });
      throw err;
    }
    const outcome = { command, durationMs: performance.now() - started, attempts: sent.attempts };
    this.completed(ctx, { ...outcome, conditionFailed: false, ...counts(command, params, output) });
    return output;
  }

  /**
   * The clock's check, the abort check and requestBuilt; the request's
   * context, or undefined when the session has no hooks.
   */
  private before(command: CommandName, params: RequestParams): RequestContext | undefined {
    // Read before the first request, so a broken clock fails with nothing sent, even in an operation that
    // reads it only once the answer is in (get, exists, getMany). The session's clock checks what it reads.
    if (this.requests === 0) this.runtime.clock();
    if (this.signal?.aborted) throw abortedError(command, this.signal);
    const hooks = this.runtime.hooks;
    if (hooks === undefined) return undefined;
    this.startedAt ??= performance.now();
    const ctx: RequestContext = withContext(this.ctx, { operation: this.name, command });
    let requestCtx = ctx;
    if (hooks.requestBuilt !== undefined) {
      let returned: unknown;
      try {
        returned = hooks.requestBuilt(ctx, params);
      } catch (err) {
        throw hookThrew(err);
      }
      if (isThenable(returned)) {
        // Its rejection has nowhere to go: catch it rather than crash the process, and refuse the hook.
        Promise.resolve(returned).catch(() => undefined);
        throw invalidArgument('hooks.requestBuilt must be synchronous: it returned a promise', returned);
      }
      // Only an object replaces the context; an arrow function's stray value (a push's count) does not.
      if (typeof returned === 'object' && returned !== null) requestCtx = returned as RequestContext;
    }
    this.ctx = requestCtx;
    this.lastCtx = requestCtx;
    return requestCtx;
  }

  private completed(ctx: RequestContext, outcome: RequestOutcome): void {
    const hooks = this.runtime.hooks;
    if (hooks?.requestCompleted === undefined) return;
    callAfterHook('requestCompleted', () => hooks.requestCompleted?.(ctx, outcome));
  }

  /** Reports failed conditions nobody explained, then the operation's end, once. */
  private end(failed: boolean, error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    if (this.unexplained !== undefined) {
      for (const { ctx, outcome } of this.unexplained.values()) {
        this.completed(ctx, failed ? { ...outcome, error } : outcome);
      }
      this.unexplained = undefined;
    }
    const hooks = this.runtime.hooks;
    if (this.startedAt === undefined || hooks?.operationCompleted === undefined) return;
    let ctx: OperationContext | undefined = this.lastCtx;
    if (ctx === undefined) {
      // A context that cannot be copied already failed the operation; it must not replace that error here.
      try {
        ctx = withContext(this.ctx, { operation: this.name });
      } catch {
        ctx = { operation: this.name };
      }
    }
    const outcome: OperationOutcome = {
      operation: this.name,
      durationMs: performance.now() - this.startedAt,
      requests: this.requests,
      ...(failed ? { error } : {}),
    };
    callAfterHook('operationCompleted', () => hooks.operationCompleted?.(ctx, outcome));
  }
}

/**
 * @internal A promise rejected with what was thrown, as an async function's
 * would be: for functions that are not async, so that a refusal still
 * rejects rather than throws.
 */
export function rejected<T = never>(err: unknown): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what was thrown, passed on as it is
  return Promise.reject(err);
}

/**
 * Calls a hook that runs after the fact: whatever it throws, or a promise it
 * returns rejects with, becomes a process warning and never reaches the
 * operation.
 */
function callAfterHook(name: 'requestCompleted' | 'operationCompleted', call: () => unknown): void {
  try {
    const returned = call();
    if (isThenable(returned)) {
      Promise.resolve(returned).catch((err: unknown) => warnHookFailed(name, err));
    }
  } catch (err) {
    warnHookFailed(name, err);
  }
}

/** Emits a hook's failure as a warning; never throws, whatever was thrown (a Symbol, an object without toString). */
function warnHookFailed(name: string, err: unknown): void {
  try {
    const warning = new Error(`hooks.${name} failed: ${describeThrown(err)} (the operation was not affected)`, {
      cause: err,
    });
    warning.name = 'DynastoreHookWarning';
    process.emitWarning(warning);
  } catch {
    // A warning that cannot be emitted must not reach the operation either.
  }
}

/** Whether a value is a promise or promise-like; reading `then` on a hostile object counts as no. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    return false;
  }
}

/**
 * What a `requestBuilt` that threw fails the operation with: an Error as
 * thrown (the hook's own veto, as documented), anything else wrapped in
 * INVALID_ARGUMENT with it as `cause`, as a hook that returned a promise is:
 * either way nothing was sent, which is what INVALID_ARGUMENT tells.
 */
function hookThrew(err: unknown): unknown {
  if (isError(err)) return err;
  return new DynastoreError(
    'INVALID_ARGUMENT',
    `hooks.requestBuilt threw ${describeValue(err)}, not an Error: nothing was sent (the value is the cause)`,
    { cause: err, value: err },
  );
}

/**
 * The operation's context with `fields` over it, for a hook. A context the
 * spread cannot copy (a Proxy that throws, a throwing getter) is
 * INVALID_ARGUMENT, with what it threw as `cause`.
 */
function withContext<T extends OperationContext>(ctx: Record<string, unknown> | undefined, fields: T): T {
  try {
    return { ...ctx, ...fields };
  } catch (err) {
    throw new DynastoreError('INVALID_ARGUMENT', 'the hooks context could not be copied: it threw (see cause)', {
      cause: err,
    });
  }
}

/** The items and the capacity a response holds, as a request's outcome shows them. */
function counts<C extends CommandName>(
  command: C,
  params: Inputs[C],
  output: Outputs[C],
): { itemCount?: number; consumedCapacity?: ConsumedCapacity } {
  let itemCount: number | undefined;
  switch (command) {
    case 'GetItem':
      itemCount = (output as Outputs['GetItem']).Item === undefined ? 0 : 1;
      break;
    case 'Query': {
      const out = output as Outputs['Query'];
      itemCount = out.Count ?? out.Items?.length ?? 0;
      break;
    }
    case 'BatchGetItem': {
      const responses = Object.values((output as Outputs['BatchGetItem']).Responses ?? {});
      itemCount = responses.reduce((n, items) => n + (Array.isArray(items) ? items.length : 0), 0);
      break;
    }
    case 'BatchWriteItem': {
      const writes = (map: Record<string, unknown[]> | undefined): number =>
        Object.values(map ?? {}).reduce((n, list) => n + (Array.isArray(list) ? list.length : 0), 0);
      const sent = writes((params as BatchWriteItemInput).RequestItems);
      itemCount = Math.max(0, sent - writes((output as Outputs['BatchWriteItem']).UnprocessedItems));
      break;
    }
    default:
    // Other writes: the response holds no items.
  }
  const consumedCapacity = total(
    (output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity,
  );
  return {
    ...(itemCount === undefined ? {} : { itemCount }),
    ...(consumedCapacity === undefined ? {} : { consumedCapacity }),
  };
}

/** The capacity as one object: the batch commands report a list of one entry per table, and dynastore uses one table. */
function total(capacity: ConsumedCapacity | readonly ConsumedCapacity[] | undefined): ConsumedCapacity | undefined {
  return Array.isArray(capacity)
    ? (capacity as readonly ConsumedCapacity[])[0]
    : (capacity as ConsumedCapacity | undefined);
}
