import type DynamoDB from 'aws-sdk/clients/dynamodb';
import { fullJitter, sleep } from './backoff';
import { abortedError, type DynamoClient } from './client';
import { invalidArgument } from './errors';
import type { CommandName, Hooks, OperationName, RequestContext, RequestParams } from './hooks';

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

  getItem(params: DynamoDB.GetItemInput): Promise<DynamoDB.GetItemOutput> {
    this.before('GetItem', params);
    return this.runtime.client.getItem(params, this.signal);
  }

  putItem(params: DynamoDB.PutItemInput): Promise<DynamoDB.PutItemOutput> {
    this.before('PutItem', params);
    return this.runtime.client.putItem(params, this.signal);
  }

  updateItem(params: DynamoDB.UpdateItemInput): Promise<DynamoDB.UpdateItemOutput> {
    this.before('UpdateItem', params);
    return this.runtime.client.updateItem(params, this.signal);
  }

  deleteItem(params: DynamoDB.DeleteItemInput): Promise<DynamoDB.DeleteItemOutput> {
    this.before('DeleteItem', params);
    return this.runtime.client.deleteItem(params, this.signal);
  }

  query(params: DynamoDB.QueryInput): Promise<DynamoDB.QueryOutput> {
    this.before('Query', params);
    return this.runtime.client.query(params, this.signal);
  }

  batchGetItem(params: DynamoDB.BatchGetItemInput): Promise<DynamoDB.BatchGetItemOutput> {
    this.before('BatchGetItem', params);
    return this.runtime.client.batchGetItem(params, this.signal);
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
