// openTelemetryHooks' options and the user hooks it wraps, over a mocked
// aws-sdk v2 client: what it refuses at the call, and what a user hook's
// failure does. The spans themselves are tested against a real server in
// test/integration/opentelemetry.test.ts.
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import { setImmediate as nextTurn } from 'node:timers/promises';
import sinon from 'sinon';
import { DynastoreError, Session, type Hooks, type RequestContext } from '../../lib';
import { openTelemetryHooks } from '../../lib/opentelemetry';
import { mockedSession, restoreMocks } from '../helpers/mock';

function refusal(f: () => unknown): DynastoreError {
  try {
    f();
  } catch (err) {
    expect(err).to.be.instanceOf(DynastoreError).with.property('code', 'INVALID_ARGUMENT');
    return err as DynastoreError;
  }
  return expect.fail('expected INVALID_ARGUMENT');
}

describe('openTelemetryHooks', () => {
  afterEach(restoreMocks);

  const exporter = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('test');

  describe('refuses bad options at the call with INVALID_ARGUMENT', () => {
    const bad: Array<[string, unknown, string]> = [
      ['null', null, 'plain object'],
      ['a string', 'tracer', 'plain object'],
      ['a boxed Symbol', Object(Symbol('s')), 'plain object'],
      ['a Map', new Map(), 'plain object'],
      ['an object inheriting its options', Object.create({ tracer }), 'plain object'],
      ['an unknown name', { trcer: tracer }, '"trcer"'],
      ['a tracer without startSpan', { tracer: {} }, 'tracer'],
      ['a tracer that is no object', { tracer: 'dynastore' }, 'tracer'],
      ['hooks with a member that is no function', { hooks: { requestBuilt: 0 } }, 'hooks.requestBuilt'],
      ['hooks with a misspelt name', { hooks: { requestBuit() {} } }, 'requestBuit'],
      ['hooks that are no object', { hooks: 5 }, 'hooks'],
    ];
    for (const [what, options, mention] of bad) {
      it(what, () => {
        expect(refusal(() => openTelemetryHooks(options as never)).message).to.contain(mention);
      });
    }

    it('a Proxy or getter that throws, with the thrown error as cause', () => {
      const boom = new Error('trap');
      const trap = (): never => {
        throw boom;
      };
      for (const options of [
        new Proxy({}, { get: trap, ownKeys: trap }),
        new Proxy({}, { getPrototypeOf: trap }),
        Object.defineProperty({}, 'tracer', { enumerable: true, get: trap }),
        { tracer: new Proxy({}, { get: trap, getOwnPropertyDescriptor: trap }) },
        { hooks: Object.defineProperty({}, 'requestBuilt', { enumerable: true, get: trap }) },
      ]) {
        expect(refusal(() => openTelemetryHooks(options)).cause).to.equal(boom);
      }
    });
  });

  it('reads only own options: an inherited tracer or hooks (a polluted Object.prototype) is none', async () => {
    const proto = Object.prototype as Record<string, unknown>;
    let hooks: Hooks | undefined;
    proto.tracer = {};
    proto.hooks = { requestBuilt: 0 };
    try {
      hooks = openTelemetryHooks({});
      openTelemetryHooks();
    } finally {
      delete proto.tracer;
      delete proto.hooks;
    }
    const { session: base } = mockedSession({ updateItem: {} });
    await new Session({ client: base.client, hooks }).table('agents').put('p', 'k', { value: 'v' });
  });

  it('takes a tracer, a plain object of hooks, or nothing', async () => {
    const built: string[] = [];
    const hooks = openTelemetryHooks({ tracer, hooks: { requestBuilt: (ctx) => void built.push(ctx.command) } });
    const { session: base } = mockedSession({ updateItem: {} });
    await new Session({ client: base.client, hooks }).table('agents').put('p', 'k', { value: 'v' });
    expect(built).to.deep.equal(['UpdateItem']);
    expect(exporter.getFinishedSpans().map((s) => s.name)).to.include.members(['UpdateItem agents', 'Put agents']);
    openTelemetryHooks(undefined);
  });

  it('a user hook after the fact that rejects is a warning, never an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const warnings: Error[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    // Caught, not printed: the warnings are what this test expects.
    sinon.replace(process, 'emitWarning', (warning: string | Error) => {
      if (warning instanceof Error) warnings.push(warning);
    });
    try {
      // From JavaScript, or through a cast, a hook may return a promise: nothing awaits it.
      const rejecting = {
        requestCompleted: () => Promise.reject(new Error('requestCompleted failed')),
        operationCompleted: async () => {
          await Promise.resolve();
          throw new Error('operationCompleted failed');
        },
      };
      const hooks = openTelemetryHooks({ tracer, hooks: rejecting });
      const { session: base } = mockedSession({ updateItem: {} });
      await new Session({ client: base.client, hooks }).table('agents').put('p', 'k', { value: 'v' });
      await nextTurn();
      await nextTurn();
    } finally {
      process.off('unhandledRejection', onUnhandled);
      sinon.restore();
    }
    expect(unhandled).to.deep.equal([]);
    expect(warnings.map((w) => [w.name, (w.cause as Error).message])).to.deep.equal([
      ['DynastoreHookWarning', 'requestCompleted failed'],
      ['DynastoreHookWarning', 'operationCompleted failed'],
    ]);
  });

  it('a context requestBuilt returns that cannot be copied fails the operation with INVALID_ARGUMENT, nothing sent', async () => {
    const trap = (): never => {
      throw new Error('trap');
    };
    const context = new Proxy<RequestContext>({ operation: 'Put', command: 'UpdateItem' }, { ownKeys: trap });
    const hooks = openTelemetryHooks({ tracer, hooks: { requestBuilt: () => context } });
    const { session: base, calls } = mockedSession({ updateItem: {} });
    let err: unknown;
    try {
      await new Session({ client: base.client, hooks }).table('agents').put('p', 'k', { value: 'v' });
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(DynastoreError).with.property('code', 'INVALID_ARGUMENT');
    expect(calls).to.have.length(0);
  });
});
