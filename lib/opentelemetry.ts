// OpenTelemetry tracing for dynastore, the `dynastore/opentelemetry` subpath:
// the only file that loads `@opentelemetry/api`, an optional peer dependency.
// The root entry never imports this file, so a user without OpenTelemetry
// installed never loads it.
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import type { Hooks, OperationContext, OperationOutcome, RequestContext, RequestOutcome, RequestParams } from './hooks';

/** How {@link openTelemetryHooks} traces. */
export interface OpenTelemetryOptions {
  /**
   * The tracer spans are made with.
   * @defaultValue `trace.getTracer('dynastore')`, from the global tracer provider
   */
  tracer?: Tracer;
  /**
   * Your own hooks, called too: `requestBuilt` after the spans open (its
   * returned context is kept, with the spans added), `requestCompleted` and
   * `operationCompleted` after the spans end.
   */
  hooks?: Hooks;
}

/** A request's span, and when it started by `performance.now()`, which OpenTelemetry takes as a time. */
interface RequestSpan {
  readonly span: Span;
  readonly startedAt: number;
}

/**
 * Hooks that trace every dynastore operation with OpenTelemetry: one span
 * per operation, with a child span per DynamoDB request, following
 * OpenTelemetry's semantic conventions for database client spans and for
 * DynamoDB.
 *
 * The operation span (kind INTERNAL) is named `{operation} {table}`, e.g.
 * `AtomicPut agents`, and is a child of the span active when the operation
 * made its first request. It carries `db.system.name` (`aws.dynamodb`),
 * `db.collection.name`, `dynastore.operation` and, at its end,
 * `dynastore.requests`. It opens with the first request and ends when the
 * operation settles (`operationCompleted`): for `iterate`, when the loop
 * finishes or breaks.
 *
 * Each request span (kind CLIENT) is named `{command} {table}`, e.g.
 * `PutItem agents`, covers the SDK's call with all its retries, and carries
 * `db.system.name`, `db.operation.name`, `db.collection.name`,
 * `rpc.system` (`aws-api`), `rpc.service` (`DynamoDB`), `rpc.method`,
 * `aws.dynamodb.table_names`, and, from the request, `aws.dynamodb.consistent_read`,
 * `aws.dynamodb.index_name`, `aws.dynamodb.limit`, `aws.dynamodb.scan_forward`;
 * from the response, `aws.dynamodb.count` (Query) and
 * `aws.dynamodb.consumed_capacity` (with `returnConsumedCapacity`), and
 * `dynastore.attempts`, `dynastore.item_count`, `dynastore.condition_failed`.
 *
 * A failed request or operation has status ERROR, its exception recorded,
 * and `error.type`: the service's error name for `REQUEST_FAILED` (e.g.
 * `ProvisionedThroughputExceededException`, `TimeoutError`), otherwise the
 * DynastoreError code (`KEY_EXISTS`, `KEY_MODIFIED`, `KEY_NOT_FOUND`,
 * `ABORTED`, …), otherwise the error's name. A failed condition that the
 * operation does not count as an error (`put` replacing an expired item, a
 * retried write recognising its own) is no error: it shows as
 * `dynastore.condition_failed`.
 *
 * The request spans are not made active around the SDK's call: spans of an
 * SDK instrumentation (`@opentelemetry/instrumentation-aws-sdk`) are
 * siblings of them, not children.
 *
 * @example
 * ```ts
 * import { Session } from 'dynastore';
 * import { openTelemetryHooks } from 'dynastore/opentelemetry';
 *
 * const session = new Session({ config: { region: 'eu-west-1' }, hooks: openTelemetryHooks() });
 * ```
 */
export function openTelemetryHooks(options: OpenTelemetryOptions = {}): Hooks {
  const tracer = options.tracer ?? trace.getTracer('dynastore');
  const user = options.hooks;
  // Per call, so that hooks traced twice keep their spans apart.
  const OPERATION = Symbol('dynastore.operationSpan');
  const REQUEST = Symbol('dynastore.requestSpan');
  type Traced = { [OPERATION]?: Span; [REQUEST]?: RequestSpan };

  return {
    requestBuilt(ctx: RequestContext, params: RequestParams): RequestContext {
      const tables = tableNames(params);
      const table = tables[0] ?? '';
      let operation = (ctx as Traced)[OPERATION];
      const opened = operation === undefined;
      operation ??= tracer.startSpan(`${ctx.operation} ${table}`, {
        kind: SpanKind.INTERNAL,
        attributes: {
          'db.system.name': 'aws.dynamodb',
          'db.collection.name': table,
          'dynastore.operation': ctx.operation,
        },
      });
      const span = tracer.startSpan(
        `${ctx.command} ${table}`,
        { kind: SpanKind.CLIENT, attributes: requestAttributes(ctx, params, tables) },
        trace.setSpan(context.active(), operation),
      );
      const spans = { [OPERATION]: operation, [REQUEST]: { span, startedAt: performance.now() } };
      const traced: RequestContext = { ...ctx, ...spans };
      if (user?.requestBuilt === undefined) return traced;
      let returned: unknown;
      try {
        returned = user.requestBuilt(traced, params);
      } catch (err) {
        // Nothing is sent: the spans end here, as no other hook will end them.
        failed(span, err);
        span.end();
        if (opened) endOperation(operation, err);
        throw err;
      }
      if (typeof (returned as PromiseLike<unknown> | undefined)?.then === 'function') {
        // dynastore refuses an asynchronous requestBuilt before sending: hand it on to be refused.
        span.end();
        if (opened) operation.end();
        return returned as RequestContext;
      }
      return typeof returned === 'object' && returned !== null ? { ...(returned as RequestContext), ...spans } : traced;
    },

    requestCompleted(ctx: RequestContext, outcome: RequestOutcome): void {
      const request = (ctx as Traced)[REQUEST];
      if (request !== undefined) {
        const { span, startedAt } = request;
        span.setAttributes(outcomeAttributes(outcome));
        if (outcome.error !== undefined) failed(span, outcome.error);
        // A failed condition is reported once its meaning is known, which may be after a later request:
        // the span ends when the request did.
        span.end(startedAt + outcome.durationMs);
      }
      user?.requestCompleted?.(ctx, outcome);
    },

    operationCompleted(ctx: OperationContext, outcome: OperationOutcome): void {
      const operation = (ctx as Traced)[OPERATION];
      if (operation !== undefined) {
        operation.setAttribute('dynastore.requests', outcome.requests);
        endOperation(operation, outcome.error);
      }
      user?.operationCompleted?.(ctx, outcome);
    },
  };
}

function endOperation(span: Span, error: unknown): void {
  if (error !== undefined) failed(span, error);
  span.end();
}

/** The tables a request names: its `TableName`, or the keys of BatchGetItem's `RequestItems`. */
function tableNames(params: RequestParams): string[] {
  return 'TableName' in params ? [params.TableName] : Object.keys(params.RequestItems);
}

function requestAttributes(ctx: RequestContext, params: RequestParams, tables: string[]): Attributes {
  const attributes: Attributes = {
    'db.system.name': 'aws.dynamodb',
    'db.operation.name': ctx.command,
    'rpc.system': 'aws-api',
    'rpc.service': 'DynamoDB',
    'rpc.method': ctx.command,
    'aws.dynamodb.table_names': tables,
  };
  if (tables.length === 1) attributes['db.collection.name'] = tables[0];
  const p = params as Partial<{ ConsistentRead: boolean; IndexName: string; Limit: number; ScanIndexForward: boolean }>;
  if (p.ConsistentRead !== undefined) attributes['aws.dynamodb.consistent_read'] = p.ConsistentRead;
  if (p.IndexName !== undefined) attributes['aws.dynamodb.index_name'] = p.IndexName;
  if (p.Limit !== undefined) attributes['aws.dynamodb.limit'] = p.Limit;
  if (p.ScanIndexForward !== undefined) attributes['aws.dynamodb.scan_forward'] = p.ScanIndexForward;
  return attributes;
}

function outcomeAttributes(outcome: RequestOutcome): Attributes {
  const attributes: Attributes = { 'dynastore.attempts': outcome.attempts };
  if (outcome.itemCount !== undefined) {
    attributes['dynastore.item_count'] = outcome.itemCount;
    if (outcome.command === 'Query') attributes['aws.dynamodb.count'] = outcome.itemCount;
  }
  if (outcome.consumedCapacity !== undefined) {
    attributes['aws.dynamodb.consumed_capacity'] = [JSON.stringify(outcome.consumedCapacity)];
  }
  if (outcome.conditionFailed) attributes['dynastore.condition_failed'] = true;
  return attributes;
}

/** Marks a span failed, as OpenTelemetry's "recording errors" asks: status, `error.type`, the exception. */
function failed(span: Span, error: unknown): void {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    awsCode?: unknown;
    code?: unknown;
    name?: unknown;
    message?: unknown;
  };
  const type = [e.awsCode, e.code, e.name].find((t): t is string => typeof t === 'string' && t !== '') ?? '_OTHER';
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: typeof e.message === 'string' ? e.message : String(error) });
  if (error instanceof Error) span.recordException(error);
}
