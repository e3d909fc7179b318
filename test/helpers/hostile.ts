// Hostile JavaScript values for the API fuzzer (test/unit/api-fuzz.test.ts),
// each with a short label: fast-check prints a counterexample by its labels,
// since printing a Proxy whose traps throw, or a 500 KB string, would fail or
// flood the output.
//
// Objects whose reading may throw or run code (Proxies, getters, objects
// that inherit what they hold) are registered in `tricky`: the fuzzer's model
// of valid input calls them "unknown" rather than read them itself.
import fc from 'fast-check';
import { runInNewContext } from 'node:vm';

/** One argument of a fuzzed call: the value, and how a failure report shows it. */
export interface Arg {
  readonly value: unknown;
  readonly label: string;
}

/** Objects the model must not read: reading them throws, runs a trap, or sees what they inherit. */
export const tricky = new WeakSet();

/** An error a user's callback (a clock, a hook) throws on purpose: the operation may pass it on. */
export class CallbackError extends Error {
  override readonly name = 'CallbackError';
}

/** What getters and traps throw: never to be passed on by the library as is. */
export class GetterError extends Error {
  override readonly name = 'GetterError';
}

export function arg(value: unknown, label: string): Arg {
  return { value, label, [fc.toStringMethod]: () => label } as Arg;
}

/** A fresh value per run, made by `make`: objects must not be shared between runs. */
export function fresh(label: string, make: () => unknown): fc.Arbitrary<Arg> {
  return fc.constant(null).map(() => arg(make(), label));
}

export function markTricky<T extends object>(o: T): T {
  tricky.add(o);
  return o;
}

/** A label for plain data: fast-check's rendering, cut short. */
export function labelOf(value: unknown): string {
  if (typeof value === 'string' && value.length > 60)
    return `${fc.stringify(value.slice(0, 20))}… (${value.length} chars)`;
  let s: string;
  try {
    s = fc.stringify(value);
  } catch {
    s = '<unprintable>';
  }
  return s.length > 160 ? `${s.slice(0, 160)}…` : s;
}

/** Plain data as an Arg labelled by its value. */
export function data(a: fc.Arbitrary<unknown>): fc.Arbitrary<Arg> {
  return a.map((v) => arg(v, labelOf(v)));
}

/** Option names and other property names the library reads: targets for getters and pollution. */
export const OPTION_NAMES = [
  'value',
  'attributeValue',
  'fields',
  'ttl',
  'keepTtl',
  'previous',
  'signal',
  'context',
  'returnConsumedCapacity',
  'consistent',
  'scanIndexForward',
  'limit',
  'startKey',
  'index',
  'heartbeat',
  'wait',
  'retry',
  'client',
  'config',
  'hooks',
  'clock',
  'tokenSecret',
  'requestBuilt',
  'requestCompleted',
  'operationCompleted',
  'type',
  'name',
  'sortKeyAttribute',
  'partitionKeyAttribute',
  'version',
  'partition',
  'key',
  'expires',
  'M',
  'S',
  'tracer',
  'region',
  'endpoint',
  'credentials',
] as const;

/** What a getter or a trap throws: an Error, or a value that is not one. */
const thrown: fc.Arbitrary<{ make: () => unknown; label: string }> = fc.constantFrom(
  { make: () => new GetterError('getter'), label: 'GetterError' },
  { make: () => 'a string', label: '"a string"' },
  { make: () => undefined, label: 'undefined' },
  { make: () => null, label: 'null' },
  { make: () => Symbol('thrown'), label: 'Symbol()' },
  { make: () => ({ message: 'not an error' }), label: '{message}' },
);

/** Where in the library a stack passes: `lib/file.ts:line` of its first frame in lib/, if any. */
export function libSite(stack: string | undefined, skip = 0): string | undefined {
  for (const line of (stack ?? '').split('\n').slice(1 + skip)) {
    if (line.includes('node_modules')) continue;
    const m = /[(\s](?:[^()\s]*[/\\])?(lib[/\\][\w.-]+\.ts:\d+)/.exec(line);
    if (m !== null) return m[1]?.replace(/\\/g, '/');
  }
  return undefined;
}

/**
 * The file of the caller of this function (`depth` 0), or of its caller (1), and so on.
 * Read from the engine's call sites, not from a formatted stack: formatting
 * runs code (source maps) that reads properties a polluted Object.prototype
 * may hold.
 */
export function callerFile(depth: number): string | undefined {
  const original = Object.getOwnPropertyDescriptor(Error, 'prepareStackTrace');
  let frames: NodeJS.CallSite[];
  try {
    Error.prepareStackTrace = (_err, callSites) => callSites;
    frames = new Error().stack as unknown as NodeJS.CallSite[];
  } finally {
    if (original === undefined) Reflect.deleteProperty(Error, 'prepareStackTrace');
    // Of no prototype: a descriptor inheriting a polluted `value` or `get` would be another one.
    else
      Object.defineProperty(
        Error,
        'prepareStackTrace',
        Object.assign(Object.create(null) as PropertyDescriptor, original),
      );
  }
  // Frame 0 is this function.
  return frames[depth + 1]?.getFileName() ?? undefined;
}

/** Whether a file is one of the library's own. */
export function isLibFile(file: string | undefined): boolean {
  return file !== undefined && !file.includes('node_modules') && /[/\\]lib[/\\][\w.-]+\.ts$/.test(file);
}

/**
 * The last value a getter or trap of ours threw, and an Error made where it
 * threw, whose stack (formatted later, once Object.prototype is clean) says
 * where the library read it.
 */
export const lastThrow: { value?: unknown; at?: Error } = {};

function thrower(t: { make: () => unknown }): () => never {
  return () => {
    const value = t.make();
    lastThrow.value = value;
    lastThrow.at = new Error('thrown here');
    throw value;
  };
}

const TRAPS = ['get', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'set', 'defineProperty'] as const;

/** A Proxy over `target` whose `traps` throw; with no trap listed, a transparent one. */
export function proxyOf(target: object, traps: readonly (typeof TRAPS)[number][], t: { make: () => unknown }): object {
  const handler: ProxyHandler<object> = {};
  for (const trap of traps) (handler as Record<string, unknown>)[trap] = thrower(t);
  return markTricky(new Proxy(target, handler));
}

/** Proxies, over an object, an array, a function or `target`, with some traps throwing. */
export function proxies(target?: fc.Arbitrary<Arg>): fc.Arbitrary<Arg> {
  const base: fc.Arbitrary<Arg> =
    target ??
    fc
      .constantFrom(arg(null, '{}'), arg(null, '[]'), arg(null, 'function'))
      .map((a) => arg(a.label === '{}' ? {} : a.label === '[]' ? [] : () => undefined, a.label));
  return fc
    .tuple(base, fc.subarray([...TRAPS]), thrown)
    .map(([b, traps, t]) =>
      arg(
        proxyOf(b.value as object, traps, t),
        traps.length === 0 ? `Proxy(${b.label})` : `Proxy(${b.label}, throwing ${traps.join('/')} → ${t.label})`,
      ),
    );
}

/** An object whose property `key` is a getter that throws. */
export function throwingGetter(keys: fc.Arbitrary<string> = fc.constantFrom(...OPTION_NAMES)): fc.Arbitrary<Arg> {
  return fc.tuple(keys, thrown).map(([key, t]) => {
    const o = {};
    Object.defineProperty(o, key, { get: thrower(t), enumerable: true, configurable: true });
    return arg(markTricky(o), `{ get ${key}() { throw ${t.label} } }`);
  });
}

/** Strings with a lone surrogate, at the start, the end or inside. */
export const loneSurrogates: fc.Arbitrary<Arg> = fc
  .constantFrom('\ud800', '\udfff', 'a\udc00b', 'key\ud83d', '\ude00key', '\udbff\udbff', 'é\ud800é')
  .map((s) => arg(s, JSON.stringify(s)));

/** Huge strings, up to 500 KB, some of them almost numbers (a linear-time check must stay fast). */
export const hugeStrings: fc.Arbitrary<Arg> = fc
  .tuple(
    fc.constantFrom(1025, 2049, 20_000, 100_000, 400_001, 500_000),
    fc.constantFrom('a', 'é', '😀', '9', '\ud800', '1e', '-.'),
    fc.constantFrom('', 'x', 'e', '.', '\ud800'),
  )
  .map(([n, unit, tail]) => {
    const s = unit.repeat(Math.ceil(n / unit.length)).slice(0, n) + tail;
    return arg(s, `${JSON.stringify(unit)}×${n}${tail === '' ? '' : ` + ${JSON.stringify(tail)}`} (${s.length} chars)`);
  });

const SPECIAL_PRIMITIVES: readonly Arg[] = [
  arg(undefined, 'undefined'),
  arg(null, 'null'),
  arg(NaN, 'NaN'),
  arg(Infinity, 'Infinity'),
  arg(-Infinity, '-Infinity'),
  arg(-0, '-0'),
  arg(0, '0'),
  arg(1, '1'),
  arg(-1, '-1'),
  arg(0.5, '0.5'),
  arg(2 ** 31, '2**31'),
  arg(2 ** 31 - 1, '2**31-1'),
  arg(2 ** 53, '2**53'),
  arg(Number.MAX_VALUE, 'Number.MAX_VALUE'),
  arg(Number.MIN_VALUE, 'Number.MIN_VALUE'),
  arg(1e21, '1e21'),
  arg(1e300, '1e300'),
  arg(true, 'true'),
  arg(false, 'false'),
  arg('', '""'),
  arg(' ', '" "'),
  arg('\0', '"\\0"'),
  arg('__proto__', '"__proto__"'),
  arg('constructor', '"constructor"'),
  arg('toString', '"toString"'),
  arg('NaN', '"NaN"'),
  arg('1e1000', '"1e1000"'),
  arg(0n, '0n'),
  arg(-1n, '-1n'),
  arg(10n ** 40n, '10n**40n'),
  arg(Symbol('s'), 'Symbol(s)'),
  arg(Symbol.iterator, 'Symbol.iterator'),
];

class Options {
  ttl = 60_000;
  value = 'from a class';
  limit = 5;
  consistent = false;
}

/** Objects that are not plain data: each is made fresh. */
const OBJECTS: readonly (readonly [string, () => unknown])[] = [
  ['new Date(0)', () => new Date(0)],
  ['new Date(NaN)', () => new Date(NaN)],
  ['new Map([[a, 1]])', () => new Map([['a', 1]])],
  ['new Set([1])', () => new Set([1])],
  ['new Options()', () => new Options()],
  ['/re/g', () => /re/g],
  ['new Error("e")', () => new Error('e')],
  ['Promise.resolve(1)', () => Promise.resolve(1)],
  ['new Uint8Array([1, 2])', () => new Uint8Array([1, 2])],
  ['Buffer.from("hi")', () => Buffer.from('hi')],
  ['new ArrayBuffer(4)', () => new ArrayBuffer(4)],
  ['new DataView(new ArrayBuffer(4))', () => new DataView(new ArrayBuffer(4))],
  ['new Float64Array([NaN])', () => new Float64Array([NaN])],
  ['new String("key")', () => new String('key')],
  ['new Number(5)', () => new Number(5)],
  ['new Boolean(false)', () => new Boolean(false)],
  ['Object(1n)', () => Object(1n) as unknown],
  ['Object(Symbol())', () => Object(Symbol('boxed')) as unknown],
  ['[]', (): unknown[] => []],
  ['["a", "b"]', () => ['a', 'b']],
  ['[ , , ] (holes)', () => new Array<unknown>(3)],
  ['Object.assign(["k"], { ttl: 5 })', () => Object.assign(['k'], { ttl: 5 })],
  ['Object.create(null)', () => Object.create(null) as object],
  ['null-prototype { ttl: 5, value: "v" }', () => Object.assign(Object.create(null) as object, { ttl: 5, value: 'v' })],
  ['Object.freeze({ value: "v" })', () => Object.freeze({ value: 'v' })],
  ['Object.freeze([])', () => Object.freeze([])],
  [
    'Object.create({ ttl: 5, fields: { admin: true } })',
    () => markTricky(Object.create({ ttl: 5, fields: { admin: true } }) as object),
  ],
  ['JSON.parse(\'{"__proto__": {"ttl": 5}}\')', () => JSON.parse('{"__proto__": {"ttl": 5}}') as unknown],
  ['{ toString() { throw } }', () => markTricky({ toString: thrower({ make: () => new GetterError('toString') }) })],
  ['{ valueOf() { throw } }', () => markTricky({ valueOf: thrower({ make: () => new GetterError('valueOf') }) })],
  [
    '{ [Symbol.toPrimitive]() { throw } }',
    () => markTricky({ [Symbol.toPrimitive]: thrower({ make: () => new GetterError('toPrimitive') }) }),
  ],
  [
    'a cycle { self }',
    () => {
      const o: Record<string, unknown> = { a: 1 };
      o.self = o;
      return o;
    },
  ],
  [
    'an array cycle',
    () => {
      const a: unknown[] = [1];
      a.push(a);
      return a;
    },
  ],
  ['() => undefined', () => () => undefined],
  ['async () => undefined', () => async () => Promise.resolve(undefined)],
  [
    'class Thing',
    () =>
      class Thing {
        readonly n = 1;
      },
  ],
  ['function throwing CallbackError', () => thrower({ make: () => new CallbackError('callback') })],
  ['function throwing "str"', () => thrower({ make: () => 'str' })],
  ['Date.now', () => Date.now],
  ['new AbortController().signal', () => new AbortController().signal],
  ['AbortSignal.abort()', () => AbortSignal.abort()],
  ['AbortSignal.abort(7)', () => AbortSignal.abort(7)],
  ['another realm {}', () => runInNewContext('({})') as unknown],
  ['another realm { ttl: 5 }', () => runInNewContext('({ ttl: 5 })') as unknown],
  ['another realm []', () => runInNewContext('[]') as unknown],
  // Exotic objects, read through traps of the engine's or Node's own.
  ['globalThis', () => markTricky(globalThis)],
  ['process.env', () => markTricky(process.env)],
];

/** Every kind of hostile value, at most `depth` levels of nesting. */
export function hostile(): fc.Arbitrary<Arg> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...SPECIAL_PRIMITIVES) },
    { weight: 4, arbitrary: fc.oneof(...OBJECTS.map(([label, make]) => fresh(label, make))) },
    { weight: 2, arbitrary: data(fc.string({ unit: 'binary', maxLength: 40 })) },
    { weight: 1, arbitrary: loneSurrogates },
    { weight: 1, arbitrary: hugeStrings },
    { weight: 2, arbitrary: data(fc.oneof(fc.double(), fc.integer(), fc.bigInt())) },
    {
      weight: 3,
      arbitrary: data(
        fc.anything({
          maxDepth: 2,
          maxKeys: 4,
          withBigInt: true,
          withBoxedValues: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withNullPrototype: true,
          withObjectString: true,
          withSparseArray: true,
          withTypedArray: true,
          stringUnit: 'binary',
        }),
      ),
    },
    { weight: 2, arbitrary: proxies() },
    { weight: 2, arbitrary: throwingGetter() },
  );
}
