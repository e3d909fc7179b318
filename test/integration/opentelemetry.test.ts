// dynastore/opentelemetry against a real server, its spans caught by the
// OpenTelemetry SDK's in-memory exporter: one span per operation, a child
// per request, with the database and DynamoDB semantic conventions.
import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type ContextManager,
} from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import { writeWithPreviousKV, writeWithString, type Session, type Table } from '../../lib';
import { openTelemetryHooks } from '../../lib/opentelemetry';
import { rejection } from '../helpers/expect';
import { forEachTarget } from '../helpers/sdk';
import { createTable, freePort, rawClient } from '../helpers/server';

/**
 * A context manager for calls that make their first request before their
 * first await, as every dynastore operation does: enough to show which span
 * an operation's span is a child of, without async_hooks.
 */
class StackContextManager implements ContextManager {
  private current: Context = ROOT_CONTEXT;
  active(): Context {
    return this.current;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const previous = this.current;
    this.current = ctx;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.current = previous;
    }
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.current = ROOT_CONTEXT;
    return this;
  }
}

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

/** The spans that are children of `parent`, in the order they started. */
function childrenOf(spans: readonly ReadableSpan[], parent: ReadableSpan): ReadableSpan[] {
  return spans
    .filter((s) => parentOf(s) === parent.spanContext().spanId)
    .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
}

function only(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((s) => s.name === name);
  expect(
    found.map((s) => s.name),
    `spans named ${name}`,
  ).to.have.length(1);
  return found[0] as ReadableSpan;
}

forEachTarget('OpenTelemetry hooks', (target) => {
  const server = target.server;
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('dynastore-test');
  let session: Session<object>;
  let table: Table;
  let name: string;
  const userCalls: string[] = [];

  before(async () => {
    const endpoint = await server.endpoint();
    name = await createTable(rawClient(endpoint), 'otel');
    session = target.session(endpoint, {
      returnConsumedCapacity: true,
      hooks: openTelemetryHooks({
        tracer,
        hooks: {
          requestBuilt: (ctx) => ({ ...ctx, mine: 'kept' }),
          requestCompleted: (ctx) => void userCalls.push(`request ${ctx.command} ${String(ctx.mine)}`),
          operationCompleted: (ctx) => void userCalls.push(`operation ${ctx.operation} ${String(ctx.mine)}`),
        },
      }),
    });
    table = session.table(name);
  });
  after(async () => {
    session.close();
    await provider.shutdown();
  });
  beforeEach(() => {
    exporter.reset();
    userCalls.length = 0;
  });

  it('an operation span with a CLIENT child per request, with the semantic conventions', async () => {
    await table.put('users', 'user/1', writeWithString('a'));
    const spans = exporter.getFinishedSpans();
    const operation = only(spans, `Put ${name}`);
    expect(operation.kind).to.equal(SpanKind.INTERNAL);
    expect(operation.attributes).to.deep.include({
      'db.system.name': 'aws.dynamodb',
      'db.collection.name': name,
      'dynastore.operation': 'Put',
      'dynastore.requests': 1,
    });
    expect(operation.status.code).to.equal(SpanStatusCode.UNSET);
    const [request, ...others] = childrenOf(spans, operation);
    expect(others).to.deep.equal([]);
    expect(request?.name).to.equal(`UpdateItem ${name}`);
    expect(request?.kind).to.equal(SpanKind.CLIENT);
    expect(request?.attributes).to.deep.include({
      'db.system.name': 'aws.dynamodb',
      'db.operation.name': 'UpdateItem',
      'db.collection.name': name,
      'rpc.system': 'aws-api',
      'rpc.service': 'DynamoDB',
      'rpc.method': 'UpdateItem',
      'dynastore.attempts': 1,
    });
    expect(request?.attributes['aws.dynamodb.table_names']).to.deep.equal([name]);
    const capacity = request?.attributes['aws.dynamodb.consumed_capacity'] as string[];
    expect(JSON.parse(capacity[0] as string))
      .to.have.property('CapacityUnits')
      .that.is.above(0);
    // The request ends inside its operation (each span reads the wall clock once, to the millisecond, at its start).
    expect(request && hrMillis(request.endTime)).to.be.at.most(hrMillis(operation.endTime) + 1);
    // The user's own hooks ran, and their context went through.
    expect(userCalls).to.deep.equal(['request UpdateItem kept', 'operation Put kept']);
  });

  it('a Query span carries the read parameters and the count; a listing of pages has one child per page', async () => {
    for (let i = 0; i < 3; i++) await table.put('pages', `k/${i}`, writeWithString('x'));
    exporter.reset();
    const keys: string[] = [];
    for await (const kv of table.iterate('pages', 'k/', { limit: 2 })) keys.push(kv.key);
    expect(keys).to.have.length(3);
    const spans = exporter.getFinishedSpans();
    const operation = only(spans, `ListPage ${name}`);
    const pages = childrenOf(spans, operation);
    expect(pages.map((s) => s.name)).to.deep.equal([`Query ${name}`, `Query ${name}`]);
    expect(pages[0]?.attributes).to.deep.include({
      'aws.dynamodb.consistent_read': true,
      'aws.dynamodb.limit': 2,
      'aws.dynamodb.scan_forward': true,
      'aws.dynamodb.count': 2,
    });
    expect(pages[1]?.attributes['aws.dynamodb.count']).to.equal(1);
    expect(operation.attributes['dynastore.requests']).to.equal(2);
  });

  it('a failed condition: ERROR status and error.type KEY_EXISTS on the request and the operation', async () => {
    await table.atomicPut('users', 'taken', writeWithString('a'));
    exporter.reset();
    const err = await rejection(table.atomicPut('users', 'taken', writeWithString('b')));
    expect(err.code).to.equal('KEY_EXISTS');
    const spans = exporter.getFinishedSpans();
    const operation = only(spans, `AtomicPut ${name}`);
    const [request] = childrenOf(spans, operation);
    for (const span of [operation, request]) {
      expect(span?.status.code).to.equal(SpanStatusCode.ERROR);
      expect(span?.attributes['error.type']).to.equal('KEY_EXISTS');
      expect(span?.events.map((e) => e.name)).to.deep.equal(['exception']);
    }
    expect(request?.attributes['dynastore.condition_failed']).to.equal(true);
  });

  it('a stale compare: KEY_MODIFIED on the UpdateItem span, and the GetItem that tells why (dynalite) a sibling', async () => {
    const created = await table.atomicPut('users', 'cas', writeWithString('a'));
    await table.atomicPut('users', 'cas', writeWithString('b'), writeWithPreviousKV(created));
    exporter.reset();
    expect((await rejection(table.atomicPut('users', 'cas', writeWithPreviousKV(created)))).code).to.equal(
      'KEY_MODIFIED',
    );
    const spans = exporter.getFinishedSpans();
    const children = childrenOf(spans, only(spans, `AtomicPut ${name}`));
    expect(children.map((s) => [s.name, s.attributes['error.type']])).to.deep.equal(
      server.returnsOldItem
        ? [[`UpdateItem ${name}`, 'KEY_MODIFIED']]
        : [
            [`UpdateItem ${name}`, 'KEY_MODIFIED'],
            [`GetItem ${name}`, undefined],
          ],
    );
    // The UpdateItem span ends when its request did, not when its meaning was known.
    const [update, get] = children;
    if (get !== undefined && update !== undefined) {
      expect(hrMillis(update.endTime)).to.be.at.most(hrMillis(get.startTime) + 1);
    }
  });

  it("the operation span is a child of the span active when it starts, and getMany's batches its children", async () => {
    const manager = new StackContextManager();
    context.setGlobalContextManager(manager);
    try {
      const parent = tracer.startSpan('handler');
      await context.with(trace.setSpan(context.active(), parent), () =>
        table.getMany(
          'users',
          Array.from({ length: 150 }, (_, i) => `many/${i}`),
        ),
      );
      parent.end();
      const spans = exporter.getFinishedSpans();
      const operation = only(spans, `GetMany ${name}`);
      expect(parentOf(operation)).to.equal(parent.spanContext().spanId);
      expect(operation.spanContext().traceId).to.equal(parent.spanContext().traceId);
      expect(childrenOf(spans, operation).map((s) => s.name)).to.deep.equal([
        `BatchGetItem ${name}`,
        `BatchGetItem ${name}`,
      ]);
    } finally {
      context.disable();
    }
  });

  it('a request that fails on the network: error.type is the SDK error name, attempts counted', async () => {
    const dead = target.session(`http://127.0.0.1:${await freePort()}`, {
      retries: 1,
      hooks: openTelemetryHooks({ tracer }),
    });
    try {
      const err = await rejection(dead.table(name).get('users', 'user/1'));
      const spans = exporter.getFinishedSpans();
      const request = only(spans, `GetItem ${name}`);
      expect(request.status.code).to.equal(SpanStatusCode.ERROR);
      expect(request.attributes['error.type']).to.equal(err.awsCode);
      expect(request.attributes['dynastore.attempts']).to.equal(2);
      expect(only(spans, `Get ${name}`).status.code).to.equal(SpanStatusCode.ERROR);
    } finally {
      dead.close();
    }
  });

  it('an asynchronous requestBuilt of the user: refused by dynastore as ever, and both spans still end', async () => {
    const traced = target.session(await server.endpoint(), {
      hooks: openTelemetryHooks({ tracer, hooks: { requestBuilt: (() => Promise.resolve(undefined)) as never } }),
    });
    try {
      expect((await rejection(traced.table(name).get('users', 'user/1'))).code).to.equal('INVALID_ARGUMENT');
      expect(exporter.getFinishedSpans().map((s) => s.name)).to.have.members([`Get ${name}`, `GetItem ${name}`]);
    } finally {
      traced.close();
    }
  });

  it('a throwing requestBuilt of the user: nothing sent, and both spans still end', async () => {
    const traced = target.session(await server.endpoint(), {
      hooks: openTelemetryHooks({
        tracer,
        hooks: {
          requestBuilt() {
            throw new Error('refused by the user');
          },
        },
      }),
    });
    try {
      await traced
        .table(name)
        .get('users', 'user/1')
        .then(
          () => expect.fail('expected the hook error'),
          (err: unknown) => expect((err as Error).message).to.equal('refused by the user'),
        );
      const spans = exporter.getFinishedSpans();
      expect(spans.map((s) => [s.name, s.status.code])).to.have.deep.members([
        [`Get ${name}`, SpanStatusCode.ERROR],
        [`GetItem ${name}`, SpanStatusCode.ERROR],
      ]);
    } finally {
      traced.close();
    }
  });
});

function hrMillis([seconds, nanos]: readonly [number, number]): number {
  return seconds * 1000 + nanos / 1e6;
}
