// OpenTelemetry tracing for dynastore, the `dynastore/opentelemetry` subpath:
// the only file that loads `@opentelemetry/api`, an optional peer dependency.
// The root entry never imports this file, so a user without OpenTelemetry
// installed never loads it.
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { DynastoreError, invalidArgument } from './errors';
import type { Hooks, OperationContext, OperationOutcome, RequestContext, RequestOutcome, RequestParams } from './hooks';
import { readHooks } from './session';
import { describeValue, isPlainObject } from './validate';

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
 * Options are read once, from their own properties, and checked at the
 * call: options that are not a plain object, an unknown name, a `tracer`
 * without `startSpan`, or `hooks` a `Session` would refuse fail with
 * `INVALID_ARGUMENT`. What your hooks throw, or a promise they return
 * rejects with, is handled as if the session had them directly (see `Hooks`).
 *
 * @example
 * ```ts
 * import { Session } from 'dynastore';
 * import { openTelemetryHooks } from 'dynastore/opentelemetry';
 *
 * const session = new Session({ config: { region: 'eu-west-1' }, hooks: openTelemetryHooks() });
 * ```
 */
export function openTelemetryHooks(options?: OpenTelemetryOptions): Hooks {
  const { startSpan, user } = readOptions(options);
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
      operation ??= startSpan(`${ctx.operation} ${table}`, {
        kind: SpanKind.INTERNAL,
        attributes: {
          'db.system.name': 'aws.dynamodb',
          'db.collection.name': table,
          'dynastore.operation': ctx.operation,
        },
      });
      const span = startSpan(
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
      if (isThenable(returned)) {
        // dynastore refuses an asynchronous requestBuilt before sending: hand it on to be refused.
        span.end();
        if (opened) operation.end();
        return returned as RequestContext;
      }
      if (typeof returned !== 'object' || returned === null) return traced;
      try {
        return { ...(returned as RequestContext), ...spans };
      } catch (err) {
        // A context the spans cannot be added to (a Proxy, a getter that throws): refused as dynastore refuses
        // a context it cannot copy, and nothing is sent.
        const refused = new DynastoreError(
          'INVALID_ARGUMENT',
          'the context hooks.requestBuilt returned could not be copied: it threw (see cause)',
          { cause: err },
        );
        failed(span, refused);
        span.end();
        if (opened) endOperation(operation, refused);
        throw refused;
      }
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
      // Returned, not dropped: dynastore turns what it throws or a promise it rejects with into a warning.
      return user?.requestCompleted?.(ctx, outcome);
    },

    operationCompleted(ctx: OperationContext, outcome: OperationOutcome): void {
      const operation = (ctx as Traced)[OPERATION];
      if (operation !== undefined) {
        operation.setAttribute('dynastore.requests', outcome.requests);
        endOperation(operation, outcome.error);
      }
      return user?.operationCompleted?.(ctx, outcome);
    },
  };
}

/** What {@link openTelemetryHooks} keeps of its options: the tracer's startSpan, bound, and the user's hooks, copied. */
interface ReadOptions {
  readonly startSpan: Tracer['startSpan'];
  readonly user: Hooks | undefined;
}

const OPTION_NAMES = ['tracer', 'hooks'];

/**
 * The options, read once from their own properties, as a session reads its
 * own: a plain object of known names, a tracer with a `startSpan`, hooks as
 * a session takes them. A misspelt name or a hook that is no function would
 * otherwise fail only at the first request, and an inherited `tracer` (a
 * polluted Object.prototype) is no option. What a getter or Proxy trap
 * throws is INVALID_ARGUMENT, with it as `cause`.
 */
function readOptions(options: unknown): ReadOptions {
  let reading = 'the openTelemetryHooks options';
  try {
    let tracer: unknown;
    let hooks: unknown;
    if (options !== undefined) {
      if (!isPlainObject(options)) {
        throw invalidArgument(
          `openTelemetryHooks options must be a plain object, got ${describeValue(options)}`,
          options,
        );
      }
      for (const key of Object.keys(options)) {
        if (!OPTION_NAMES.includes(key)) {
          throw invalidArgument(
            `unknown openTelemetryHooks option ${describeValue(key)}: the options are tracer and hooks`,
            options,
          );
        }
      }
      reading = 'the openTelemetryHooks option tracer';
      tracer = Object.hasOwn(options, 'tracer') ? options.tracer : undefined;
      reading = 'the openTelemetryHooks option hooks';
      hooks = Object.hasOwn(options, 'hooks') ? options.hooks : undefined;
    }
    reading = 'the tracer';
    const startSpan = tracer === undefined ? defaultStartSpan() : tracerStartSpan(tracer);
    return { startSpan, user: readHooks(hooks) };
  } catch (err) {
    if (DynastoreError.is(err)) throw err;
    throw new DynastoreError('INVALID_ARGUMENT', `reading ${reading} threw (see cause)`, {
      value: options,
      cause: err,
    });
  }
}

function defaultStartSpan(): Tracer['startSpan'] {
  const tracer = trace.getTracer('dynastore');
  return (...args) => tracer.startSpan(...args);
}

/** The tracer's startSpan, read once (from the tracer or its class, never Object.prototype) and bound to it. */
function tracerStartSpan(tracer: unknown): Tracer['startSpan'] {
  const startSpan: unknown =
    typeof tracer === 'object' && tracer !== null ? classProperty(tracer, 'startSpan') : undefined;
  if (typeof startSpan !== 'function') {
    throw invalidArgument(
      `tracer must be an OpenTelemetry Tracer, with startSpan, got ${describeValue(tracer)}`,
      tracer,
    );
  }
  return (...args) => Reflect.apply(startSpan, tracer, args) as Span;
}

/** A property of `object`, own or from its class, never from Object.prototype. */
function classProperty(object: object, key: string): unknown {
  for (let p: unknown = object; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    if (Object.hasOwn(p as object, key)) return Reflect.get(object, key);
  }
  return undefined;
}

/** Whether a hook returned a promise; a `then` that throws when read makes it none. */
function isThenable(value: unknown): boolean {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    return false;
  }
}

function endOperation(span: Span, error: unknown): void {
  if (error !== undefined) failed(span, error);
  span.end();
}

/** The tables a request names: its `TableName`, or the keys of a batch command's `RequestItems`. */
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
  let type = '_OTHER';
  let message = 'an error that cannot be read';
  let exception: Error | undefined;
  // What a hook threw may be anything, a Proxy or an object whose toString throws: it must not escape from here.
  try {
    const e = (typeof error === 'object' && error !== null ? error : {}) as {
      awsCode?: unknown;
      code?: unknown;
      name?: unknown;
      message?: unknown;
    };
    type = [e.awsCode, e.code, e.name].find((t): t is string => typeof t === 'string' && t !== '') ?? '_OTHER';
    message = typeof e.message === 'string' ? e.message : String(error);
    if (error instanceof Error) exception = error;
  } catch {
    // Keeps what could be read.
  }
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  if (exception !== undefined) span.recordException(exception);
}
