import { fullJitter, sleep } from './backoff';
import {
  abortedError,
  type BatchGetItemInput,
  type CommandName,
  type DeleteItemInput,
  type DynamoClient,
  type GetItemInput,
  type Inputs,
  type Outputs,
  type PutItemInput,
  type QueryInput,
  type UpdateItemInput,
} from './client';
import { invalidArgument } from './errors';
import type { Hooks, OperationName, RequestContext, RequestParams } from './hooks';

/** @internal What a session hands its tables. */
export interface Runtime {
  readonly client: DynamoClient;
  readonly hooks: Hooks | undefined;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  /** Signs paging tokens when set. */
  readonly tokenSecret: Uint8Array | undefined;
}

/**
 * @internal One operation in flight: runs the hook and the abort check before each of
 * its requests, and carries the hook's context from one request to the next.
 */
export class Operation {
  private ctx: Record<string, unknown> | undefined;

  constructor(
    readonly runtime: Runtime,
    readonly name: OperationName,
    readonly signal: AbortSignal | undefined,
    context: Record<string, unknown> | undefined,
  ) {
    this.ctx = context;
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

  private async send<C extends CommandName>(command: C, params: Inputs[C]): Promise<Outputs[C]> {
    this.before(command, params);
    const { output } = await this.runtime.client.send(command, params, this.signal);
    return output;
  }

  /** Waits before a retry, with full jitter; an abort ends the wait. */
  backoff(attempt: number, baseMs: number, capMs: number): Promise<void> {
    return sleep(fullJitter(attempt, baseMs, capMs), this.signal, this.name);
  }

  private before(command: CommandName, params: RequestParams): void {
    if (this.signal?.aborted) throw abortedError(command, this.signal);
    const hooks = this.runtime.hooks;
    if (hooks?.requestBuilt === undefined) return;
    const ctx: RequestContext = { ...this.ctx, operation: this.name, command };
    const returned: unknown = hooks.requestBuilt(ctx, params);
    if (typeof (returned as PromiseLike<unknown> | undefined)?.then === 'function') {
      // Its rejection has nowhere to go: catch it rather than crash the process, and refuse the hook.
      Promise.resolve(returned).catch(() => undefined);
      throw invalidArgument('hooks.requestBuilt must be synchronous: it returned a promise', returned);
    }
    // Only an object replaces the context; an arrow function's stray value (a push's count) does not.
    this.ctx = typeof returned === 'object' && returned !== null ? (returned as RequestContext) : ctx;
  }
}
