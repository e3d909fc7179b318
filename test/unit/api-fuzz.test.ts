// The public API fuzzed (issue 9): every public constructor, method and
// helper, called with arbitrary JavaScript values in every argument position,
// valid and hostile mixed so that calls get past the first check. A share of
// the calls runs twice, the second time with Object.prototype polluted with
// option names, and must do exactly the same.
//
// Each call must resolve as documented, or fail with a DynastoreError of a
// documented code; bad input (test/helpers/api-model.ts says which) must fail
// with an input code (INVALID_ARGUMENT, INVALID_TOKEN, INDEX_NOT_SUPPORTED,
// RESERVED_FIELD) with no request sent, counted at the client
// (test/helpers/counting-client.ts) and by a requestBuilt hook. Never a
// TypeError or RangeError, never a call over 2 s, never an unhandled
// rejection, and never a request the SDK or DynamoDB would refuse.
//
// DYNASTORE_FUZZ_CALLS=N runs about N calls (default 10,000);
// DYNASTORE_FUZZ_SEED replays a run's seed (`random` for a new one; the
// default is fixed), DYNASTORE_FUZZ_ONLY one entry
// point, DYNASTORE_FUZZ_PATH one counterexample (as a failure prints them).
// Each entry point reports every distinct failure it finds, shrunk.
import { trace } from '@opentelemetry/api';
import { expect } from 'chai';
import fc from 'fast-check';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { runInNewContext } from 'node:vm';
import sinon from 'sinon';
import {
  DynastoreError,
  KVPair,
  Partition,
  Session,
  Table,
  marshalStruct,
  operationName,
  readConsistentDisable,
  readScanIndexForwardDisable,
  readWithGlobalIndex,
  readWithLimit,
  readWithLocalIndex,
  readWithStartKey,
  unmarshalStruct,
  writeWithAttributeValue,
  writeWithBytes,
  writeWithFields,
  writeWithKeepTTL,
  writeWithNoExpires,
  writeWithPreviousKV,
  writeWithString,
  writeWithTTL,
  type AttributeValue,
  type Lock,
  type TableOptions,
} from '../../lib';
import { openTelemetryHooks } from '../../lib/opentelemetry';
import { DynamoDBFeatureStore } from '../../lib/launchdarkly';
import * as v3 from '../../lib/v3';
import {
  batchOptionsVerdict,
  behaviours,
  combine,
  deleteManyVerdict,
  hooksVerdict,
  invalid,
  isPlain,
  isTricky,
  keysVerdict,
  keyVerdict,
  kindOf,
  lockVerdict,
  made,
  notGiven,
  OPTION_KEYS,
  optionsVerdict,
  pair,
  partitionVerdict,
  prefixVerdict,
  previousVerdict,
  putManyVerdict,
  RESUME,
  sessionVerdict,
  tableOptionsVerdict,
  tableVerdict,
  TAKEN,
  UNKNOWN,
  VALID,
  validMade,
  versionVerdict,
  type OptionKind,
  type Verdict,
} from '../helpers/api-model';
import {
  CONFLICT,
  CONFLICT_NO_ITEM,
  countingClient,
  type CountingClient,
  type SentRequest,
} from '../helpers/counting-client';
import {
  arg,
  CallbackError,
  callerFile,
  isLibFile,
  lastThrow,
  libSite,
  data,
  fresh,
  hostile,
  hugeStrings,
  labelOf,
  loneSurrogates,
  markTricky,
  OPTION_NAMES,
  proxies,
  proxyOf,
  type Arg,
} from '../helpers/hostile';
import { record } from '../helpers/report';

// ---------------------------------------------------------------------------
// Settings

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0, 250);
const TABLE = 'agents';
/** The longest a call may take: a hang, or more than linear time on a 500 KB input. */
const CALL_MS = 2000;
const envCalls = Number(process.env.DYNASTORE_FUZZ_CALLS);
const TOTAL_CALLS = envCalls > 0 ? envCalls : 10_000;
// npm test runs one fixed seed, so a red run is a change's doing and replays as it is; `npm run fuzz:api`
// (DYNASTORE_FUZZ_SEED=random) explores new seeds.
const DEFAULT_SEED = 20261122;
const envSeed = Number(process.env.DYNASTORE_FUZZ_SEED);
const SEED =
  process.env.DYNASTORE_FUZZ_SEED === 'random'
    ? Math.floor(Math.random() * 2 ** 31)
    : Number.isInteger(envSeed) && process.env.DYNASTORE_FUZZ_SEED !== ''
      ? envSeed
      : DEFAULT_SEED;
const ONLY = process.env.DYNASTORE_FUZZ_ONLY;
/** Prints every call and how it settled: with DYNASTORE_FUZZ_PATH, to see one counterexample run. */
const DEBUG = process.env.DYNASTORE_FUZZ_DEBUG !== undefined;
const PATH = process.env.DYNASTORE_FUZZ_PATH;
/** Rounds per entry point: each looks for a failure unlike those found before. */
const MAX_ROUNDS = 8;

const DOCUMENTED = new Set([
  'KEY_NOT_FOUND',
  'KEY_EXISTS',
  'KEY_MODIFIED',
  'RESERVED_FIELD',
  'INDEX_NOT_SUPPORTED',
  'INVALID_ARGUMENT',
  'INVALID_TOKEN',
  'ABORTED',
  'REQUEST_FAILED',
]);
/** The codes of bad input: refused before any request. */
const INPUT_CODES = new Set(['INVALID_ARGUMENT', 'INVALID_TOKEN', 'INDEX_NOT_SUPPORTED', 'RESERVED_FIELD']);

// ---------------------------------------------------------------------------
// Calls, and what runs them

/** What every call can use: the counting client, and sessions over it. */
interface Harness {
  readonly counting: CountingClient;
  /** requestBuilt calls of the harness sessions' hooks since the call began. */
  built: number;
  /** A session over the counting client, as `variant` says. */
  session(variant: SessionVariant): Session;
}

/** How a call's session is made: each option the harness may give or leave out. */
interface SessionVariant {
  readonly hooks: boolean;
  readonly clock: boolean;
  readonly tokenSecret: boolean;
  readonly returnConsumedCapacity: boolean | undefined;
}

/** Per execution: a call may learn while running which verdict applies (a listing that resumes). */
interface Execution {
  verdict: Verdict;
}

interface Call {
  readonly entry: string;
  /** The call as code, with its arguments' labels. */
  readonly label: string;
  /** What the model says of the arguments; computed when the call runs, so that a model error is reported as one. */
  readonly verdict: () => Verdict;
  readonly pollution: Pollution | undefined;
  /** A user's callback (a clock, a hook) may throw a CallbackError, which the operation may pass on. */
  readonly callbacks?: boolean;
  /** Whether the call's requests go to the counting client (so every one is counted and answered). */
  readonly counted: boolean;
  /** Makes the call: what it returns or throws, or the promise it returns, is the outcome. */
  run(h: Harness, exec: Execution): unknown;
  /** Checks of this entry point on how the call settled. */
  check?(o: Outcome): string | undefined;
}

function makeCall(c: Omit<Call, 'pollution'>, pollution: Pollution | undefined): Call {
  const call: Call = { ...c, pollution };
  const shown = pollution === undefined ? c.label : `${c.label}  with ${describePollution(pollution)}`;
  return Object.assign(call, { [fc.toStringMethod]: () => shown });
}

/** A call's arguments as code. */
function argList(args: readonly Arg[]): string {
  return args.map((a) => a.label).join(', ');
}

// ---------------------------------------------------------------------------
// Prototype pollution

interface Polluter {
  readonly name: string;
  readonly value: Arg;
  readonly enumerable: boolean;
  /** Installed as a getter that throws, not as a value. */
  readonly throwing: boolean;
}
type Pollution = readonly Polluter[];

/** Names the library might read from an object that lacks them: its options, and the members it reads. */
const POLLUTED_NAMES = OPTION_NAMES.filter((n) => !['M', 'S', 'expires'].includes(n));
/**
 * Names planted only as getters that throw when the library reads them: Node
 * reads `signal` from option objects of its own (a stream's, zlib's, which
 * tokens use), so a planted value breaks Node itself, not the library.
 */
const GETTER_ONLY = new Set(['signal']);

/** Values that change a call if the library reads them: each is what an attacker would plant. */
const PLANTED: Readonly<Record<string, () => unknown>> = {
  value: () => 'planted',
  attributeValue: () => ({ S: 'planted' }),
  fields: () => ({ admin: true }),
  ttl: () => 1000,
  keepTtl: () => true,
  previous: () => ({ version: 3 }),
  signal: () => AbortSignal.abort('planted'),
  context: () => ({ planted: true }),
  returnConsumedCapacity: () => true,
  consistent: () => false,
  scanIndexForward: () => false,
  limit: () => 5,
  startKey: () => 'planted',
  index: () => ({ type: 'local', name: 'planted', sortKeyAttribute: 'planted' }),
  heartbeat: () => false,
  wait: () => 0,
  retry: () => 1,
  client: () => ({ getItem: () => undefined }),
  config: () => ({ region: 'eu-west-1' }),
  hooks: () => ({ requestBuilt: () => ({ operation: 'Planted' }) }),
  clock: () => () => 0,
  tokenSecret: () => 'a planted secret of 32 characters',
  requestBuilt: () => () => {
    throw new CallbackError('planted hook');
  },
  requestCompleted: () => () => undefined,
  operationCompleted: () => () => undefined,
  type: () => 'global',
  name: () => 'planted',
  sortKeyAttribute: () => 'planted',
  partitionKeyAttribute: () => 'planted',
  version: () => 3,
  partition: () => 'planted',
  key: () => 'planted',
  tracer: () => ({}),
  region: () => 'eu-west-1',
  endpoint: () => 'http://127.0.0.1:9',
  credentials: () => ({ accessKeyId: 'planted', secretAccessKey: 'planted' }),
};

const pollutionArb: fc.Arbitrary<Pollution> = fc
  .uniqueArray(
    fc.record({
      name: fc.constantFrom(...POLLUTED_NAMES),
      value: fc.oneof(
        { weight: 3, arbitrary: fc.constant(null).map(() => arg(null, 'planted')) },
        { weight: 1, arbitrary: hostile() },
      ),
      enumerable: fc.boolean(),
      throwing: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    }),
    { minLength: 1, maxLength: 4, selector: (p) => p.name },
  )
  .map((ps) =>
    ps
      .map((p) => {
        if (p.value.label !== 'planted') return p;
        const planted = (PLANTED[p.name] ?? (() => 'planted'))();
        return { ...p, value: arg(planted, labelOf(planted)) };
      })
      .map((p) => (GETTER_ONLY.has(p.name) ? { ...p, throwing: true } : p)),
  );

const maybePolluted: fc.Arbitrary<Pollution | undefined> = fc.oneof(
  { withCrossShrink: true },
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: pollutionArb },
);

/**
 * Pollution for calls that build an SDK client: not `value`, which breaks
 * every `Object.defineProperty(o, k, { get })` (an inherited `value` makes
 * the descriptor invalid), and the SDKs define accessors so.
 */
const maybePollutedNoValue = maybePolluted
  .map((p) => p?.filter((x) => x.name !== 'value'))
  .map((p) => (p?.length === 0 ? undefined : p));

function describePollution(p: Pollution): string {
  return p
    .map((x) =>
      x.throwing
        ? `Object.prototype.${x.name} as a throwing getter${x.enumerable ? '' : ' (not enumerable)'}`
        : `Object.prototype.${x.name} = ${x.value.label}${x.enumerable ? '' : ' (not enumerable)'}`,
    )
    .join(', ');
}

/** A property descriptor of no prototype: a polluted `value` or `get` must not leak into it. */
function descriptor(d: PropertyDescriptor): PropertyDescriptor {
  return Object.assign(Object.create(null) as PropertyDescriptor, d);
}

/**
 * Installs the pollution. A throwing getter throws only when the library
 * itself reads the property (its caller is in lib/): what Node or an SDK
 * reads from objects of their own is not the library's doing. Its setter
 * makes an own property, as an assignment does when no getter is inherited.
 */
function pollute(p: Pollution): void {
  for (const x of p) {
    Object.defineProperty(
      Object.prototype,
      x.name,
      descriptor(
        x.throwing
          ? {
              get() {
                // What read the property: this getter's caller.
                if (isLibFile(callerFile(1))) throw new Error(`Object.prototype.${x.name} was read by the library`);
                return undefined;
              },
              set(this: object, v: unknown) {
                Object.defineProperty(
                  this,
                  x.name,
                  descriptor({ value: v, writable: true, enumerable: true, configurable: true }),
                );
              },
              enumerable: x.enumerable,
              configurable: true,
            }
          : { value: x.value.value, enumerable: x.enumerable, writable: true, configurable: true },
      ),
    );
  }
}

function cleanUp(p: Pollution): void {
  for (const x of p) Reflect.deleteProperty(Object.prototype, x.name);
  const left = POLLUTED_NAMES.filter((n) => Object.hasOwn(Object.prototype, n));
  if (left.length > 0) throw new Error(`the fuzzer left Object.prototype polluted: ${left.join(', ')}`);
}

// ---------------------------------------------------------------------------
// Running a call, and what makes it fail

interface Outcome {
  readonly settled: 'resolved' | 'threw' | 'hung';
  readonly value?: unknown;
  readonly error?: unknown;
  readonly ms: number;
  readonly sent: readonly SentRequest[];
  readonly built: number;
  readonly unhandled: readonly unknown[];
}

const unhandledLog: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandledLog.push(reason);
};

async function execute(h: Harness, call: Call, exec: Execution, polluted: boolean): Promise<Outcome> {
  h.counting.reset();
  h.built = 0;
  delete lastThrow.value;
  delete lastThrow.at;
  const before = unhandledLog.length;
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), CALL_MS);
  });
  const started = performance.now();
  let settled: Outcome['settled'];
  let value: unknown;
  let error: unknown;
  try {
    if (polluted && call.pollution !== undefined) pollute(call.pollution);
    const made = Promise.resolve().then(() => call.run(h, exec));
    const result = await Promise.race([made.then((v) => ({ v })), hung]);
    if (result === 'hung') settled = 'hung';
    else {
      settled = 'resolved';
      value = result.v;
    }
  } catch (err) {
    settled = 'threw';
    error = err;
  } finally {
    if (polluted && call.pollution !== undefined) cleanUp(call.pollution);
    clearTimeout(timer);
  }
  const ms = performance.now() - started;
  const sent = [...h.counting.sent];
  if (DEBUG) {
    const how = settled === 'threw' ? `threw ${errorMessage(error)}${thrownAt(error)}` : settled;
    console.log(
      `${polluted ? 'polluted' : 'clean'}: ${fc.stringify(call)} → ${how}; sent ${sent.map((r) => r.command).join(', ') || 'nothing'}`,
    );
  }
  const built = h.built;
  // A rejection nobody handles is reported once the microtasks have run.
  await nextTurn();
  return { settled, value, error, ms, sent, built, unhandled: unhandledLog.slice(before) };
}

function errorName(err: unknown): string {
  if (err instanceof Error) return err.name;
  return `a thrown ${err === null ? 'null' : typeof err}`;
}

function errorMessage(err: unknown): string {
  let s: string;
  try {
    s = err instanceof Error ? `${err.name}: ${err.message}` : typeof err === 'symbol' ? err.toString() : String(err);
  } catch {
    s = '<unprintable>';
  }
  return s.length > 300 ? `${s.slice(0, 300)}… (${s.length} chars)` : s;
}

/** Where in the library an error was thrown: the first frame in lib/, if any. */
function thrownAt(err: unknown): string {
  const stack = err instanceof Error && typeof err.stack === 'string' ? err.stack : '';
  const frame = stack.split('\n').find((l) => /[/\\]lib[/\\]/.test(l));
  const shown = frame ?? stack.split('\n').find((l) => l.trimStart().startsWith('at '));
  return shown === undefined ? '' : ` (${shown.trim().replace(`${process.cwd()}/`, '')})`;
}

/** How a call settled, in a word: `resolved`, a DynastoreError code, or an error name. */
function settledAs(o: Outcome): string {
  if (o.settled !== 'threw') return o.settled;
  return o.error instanceof DynastoreError ? o.error.code : errorName(o.error);
}

/** Why an outcome breaks the contract, if it does: `kind` names the failure for grouping, `detail` says more. */
interface Failure {
  readonly kind: string;
  readonly detail: string;
}

function judge(call: Call, o: Outcome, verdict: Verdict): Failure | undefined {
  if (o.settled === 'hung') return { kind: 'hang', detail: `did not settle within ${CALL_MS} ms` };
  if (o.ms > CALL_MS) return { kind: 'slow', detail: `took ${Math.round(o.ms)} ms` };
  if (o.unhandled.length > 0) return { kind: 'unhandled rejection', detail: errorMessage(o.unhandled[0]) };
  const err = o.error;
  if (o.settled === 'threw' && isTricky(err)) return { kind: 'a Proxy escaped', detail: 'a Proxy of ours was thrown' };
  if (o.settled === 'threw') {
    if (err instanceof DynastoreError) {
      if (!DOCUMENTED.has(err.code)) return { kind: `undocumented code ${err.code}`, detail: err.message };
    } else if (!(call.callbacks === true && err instanceof CallbackError)) {
      if ('value' in lastThrow && Object.is(lastThrow.value, err)) {
        // Grouped by where the library read the getter or trap, whatever it threw.
        const site = libSite(lastThrow.at?.stack) ?? 'outside lib/';
        return {
          kind: `what a getter or trap threw escaped (read at ${site})`,
          detail: `${errorMessage(err)} escaped`,
        };
      }
      const site = err instanceof Error ? libSite(err.stack) : undefined;
      return {
        kind: `${errorName(err)} thrown${site === undefined ? '' : ` at ${site}`}`,
        detail: `${errorMessage(err)}${thrownAt(err)}`,
      };
    }
  }
  const refused = o.sent.find((r) => r.refused !== undefined);
  if (refused !== undefined) {
    return {
      kind: 'sent a request the SDK or DynamoDB refuses',
      detail: `${refused.command}: ${refused.refused ?? ''}`,
    };
  }
  const code = err instanceof DynastoreError ? err.code : undefined;
  const inputError = code !== undefined && INPUT_CODES.has(code);
  if (inputError && o.sent.length > 0) {
    return { kind: `${code} after sending requests`, detail: `${o.sent.length} request(s) sent: ${errorMessage(err)}` };
  }
  if (inputError && o.built > 0) return { kind: `${code} after requestBuilt`, detail: errorMessage(err) };
  if (code === 'REQUEST_FAILED' && call.counted) {
    return { kind: 'REQUEST_FAILED though every request was answered', detail: errorMessage(err) };
  }
  if (verdict.kind === 'invalid') {
    if (o.settled === 'resolved') return { kind: 'accepted invalid input', detail: verdict.why };
    if (!inputError && !(err instanceof CallbackError)) {
      return {
        kind: `invalid input failed ${settledAs(o)}, not as bad input`,
        detail: `${verdict.why}; ${errorMessage(err)}`,
      };
    }
  }
  if (verdict.kind === 'valid' && inputError)
    return { kind: `refused valid input (${code})`, detail: errorMessage(err) };
  const own = call.check?.(o);
  return own === undefined ? undefined : { kind: own.split(':')[0] ?? own, detail: own };
}

/** Requests sent for invalid input: by a call refused as bad input, one that accepted bad input, or refused by the stub. */
function invalidRequests(o: Outcome, verdict: Verdict): number {
  const code = o.error instanceof DynastoreError ? o.error.code : undefined;
  if ((code !== undefined && INPUT_CODES.has(code)) || (verdict.kind === 'invalid' && o.settled === 'resolved')) {
    return o.sent.length;
  }
  return o.sent.filter((r) => r.refused !== undefined).length;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** A value as comparable data: own enumerable properties only, random owner ids masked. */
function normal(v: unknown, depth = 0, seen = new Set<object>()): unknown {
  switch (typeof v) {
    case 'string':
      return v.replace(UUID, '<uuid>');
    case 'number':
      return Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : v;
    case 'bigint':
      return `${v}n`;
    case 'symbol':
      return '<symbol>';
    case 'undefined':
      return '<undefined>';
    case 'function':
      return '<function>';
    case 'boolean':
      return v;
    default:
  }
  if (v === null) return null;
  const o = v as object;
  if (isTricky(o)) return '<tricky>';
  if (seen.has(o) || depth > 40) return '<cycle>';
  seen.add(o);
  try {
    if (o instanceof Uint8Array) return { bytes: Buffer.from(o.buffer, o.byteOffset, o.byteLength).toString('hex') };
    if (o instanceof DynastoreError) return { error: o.code };
    if (o instanceof KVPair) {
      return {
        KVPair: normal(
          {
            partition: o.partition,
            key: o.key,
            version: o.version,
            expires: o.expires,
            value: o.value,
            fields: o.fields,
          },
          depth + 1,
          seen,
        ),
      };
    }
    if (Array.isArray(o)) return o.map((x) => normal(x, depth + 1, seen));
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) out[k] = normal((o as Record<string, unknown>)[k], depth + 1, seen);
    return out;
  } finally {
    seen.delete(o);
  }
}

function sameData(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** How pollution changed a call, if it did. */
function difference(clean: Outcome, polluted: Outcome): string | undefined {
  if (settledAs(clean) !== settledAs(polluted)) {
    const why = polluted.settled === 'threw' ? ` (${errorMessage(polluted.error)})` : '';
    return `clean ${settledAs(clean)}, polluted ${settledAs(polluted)}${why}`;
  }
  const requests = (o: Outcome): unknown[] => o.sent.map((r) => normal({ command: r.command, params: r.params }));
  const [a, b] = [requests(clean), requests(polluted)];
  if (!sameData(a, b)) {
    const i = a.findIndex((x, n) => !sameData(x, b[n]));
    const at = i < 0 ? a.length : i;
    return `request ${at + 1} differs: clean ${JSON.stringify(a[at] ?? 'none').slice(0, 400)}, polluted ${JSON.stringify(b[at] ?? 'none').slice(0, 400)}`;
  }
  if (clean.settled === 'resolved' && !sameData(normal(clean.value), normal(polluted.value))) {
    return `result differs: clean ${JSON.stringify(normal(clean.value)).slice(0, 300)}, polluted ${JSON.stringify(normal(polluted.value)).slice(0, 300)}`;
  }
  return undefined;
}

/** What one property run recorded for the statistics. */
interface Tally {
  readonly outcomes: readonly Outcome[];
  readonly invalidRequests: number;
  readonly polluted: boolean;
}

class FuzzFailure extends Error {
  constructor(readonly failure: Failure) {
    super(`${failure.kind}: ${failure.detail}`);
  }
}

async function runCall(h: Harness, call: Call): Promise<{ failure?: Failure; tally: Tally }> {
  let verdict: Verdict;
  try {
    verdict = call.verdict();
  } catch (err) {
    const failure = { kind: "the fuzzer's model failed", detail: `${errorMessage(err)}${thrownAt(err)}` };
    return { failure, tally: { outcomes: [], invalidRequests: 0, polluted: false } };
  }
  const exec: Execution = { verdict };
  const clean = await execute(h, call, exec, false);
  const outcomes = [clean];
  let failure = judge(call, clean, exec.verdict);
  let bad = invalidRequests(clean, exec.verdict);
  if (failure === undefined && call.pollution !== undefined && clean.settled !== 'hung') {
    const pexec: Execution = { verdict };
    const polluted = await execute(h, call, pexec, true);
    outcomes.push(polluted);
    bad += invalidRequests(polluted, pexec.verdict);
    const judged = judge(call, polluted, pexec.verdict);
    if (judged !== undefined)
      failure = { kind: `with Object.prototype polluted: ${judged.kind}`, detail: judged.detail };
    else {
      const diff = difference(clean, polluted);
      if (diff !== undefined) failure = { kind: 'Object.prototype pollution changed the call', detail: diff };
    }
  }
  return {
    ...(failure === undefined ? {} : { failure }),
    tally: { outcomes, invalidRequests: bad, polluted: call.pollution !== undefined },
  };
}

// ---------------------------------------------------------------------------
// Valid input

const NAME_CHARS = /^[A-Za-z0-9_.-]{3,24}$/;
const validTableName = fc.oneof(
  { weight: 9, arbitrary: fc.stringMatching(NAME_CHARS) },
  { weight: 1, arbitrary: fc.constant('t'.repeat(255)) },
);

/** Well-formed strings of 1 to `max` UTF-8 bytes, now and then at the limit. */
function validName(max: number): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
        .filter((s) => Buffer.byteLength(s) <= max),
    },
    {
      weight: 4,
      arbitrary: fc.tuple(fc.constantFrom('user', 'doc', 'a', 'users'), fc.nat(999)).map(([a, n]) => `${a}/${n}`),
    },
    { weight: 2, arbitrary: fc.constantFrom('users', 'user/1') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('a'.repeat(max), 'é'.repeat(max / 2), '😀'.repeat(max / 4), `${'a'.repeat(max - 2)}é`),
    },
  );
}

const validPartition = validName(2048).map((s) => arg(s, labelOf(s)));
/** Keys, some of which make conditional writes fail (the counting client's markers). */
const validKey = fc
  .tuple(validName(1024), fc.constantFrom('', '', '', '', CONFLICT, CONFLICT_NO_ITEM))
  .map(([s, marker]) => (Buffer.byteLength(s + marker) <= 1024 ? s + marker : s))
  .map((s) => arg(s, labelOf(s)));
const validLockKey = validName(1024).map((s) => arg(s, labelOf(s)));
const validPrefix = fc.oneof(fc.constant(''), validName(1024)).map((s) => arg(s, labelOf(s)));

const storableNumber = fc.oneof(
  fc.integer(),
  fc
    .double({ noNaN: true, noDefaultInfinity: true, min: -1e100, max: 1e100 })
    .filter((n) => n === 0 || Math.abs(n) >= 1e-100),
);

const validFieldName = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 10 })
  .filter((s) => !['id', 'name', 'version', 'expires', 'payload', '__proto__'].includes(s));

const validFields = fc
  .dictionary(
    validFieldName,
    fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      storableNumber,
      fc.boolean(),
      fc.uint8Array({ maxLength: 8 }),
    ),
    {
      maxKeys: 6,
    },
  )
  .map((f) => arg(made(f), labelOf(f)));

/** Attribute values DynamoDB stores, nested a little. */
const validAttributeValue: fc.Arbitrary<Arg> = fc
  .letrec((tie) => ({
    av: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.string({ unit: 'grapheme', maxLength: 20 }).map((S) => ({ S })),
      storableNumber.map((n) => ({ N: String(n) })),
      fc.boolean().map((BOOL) => ({ BOOL })),
      fc.constant({ NULL: true as const }),
      fc.uint8Array({ minLength: 1, maxLength: 8 }).map((B) => ({ B })),
      fc
        .uniqueArray(fc.string({ unit: 'grapheme', maxLength: 8 }), { minLength: 1, maxLength: 4 })
        .map((SS) => ({ SS })),
      fc.uniqueArray(fc.integer(), { minLength: 1, maxLength: 4 }).map((ns) => ({ NS: ns.map(String) })),
      fc.dictionary(validFieldName, tie('av'), { maxKeys: 3 }).map((M) => ({ M })),
      fc.array(tie('av'), { maxLength: 3 }).map((L) => ({ L })),
    ),
  }))
  .av.map((av) => arg(made(av as object), labelOf(av)));

const validIndex = fc
  .tuple(
    fc.stringMatching(NAME_CHARS),
    // An index's partition and sort keys are two attributes: DynamoDB creates no index on one twice.
    fc.constantFrom('gsi_pk', 'owner', 'é'),
    fc.constantFrom('created', 'gsi_sk', 'rank'),
    fc.boolean(),
  )
  .map(([name, pk, sk, global]) => {
    const index = global
      ? { type: 'global' as const, name, partitionKeyAttribute: pk, sortKeyAttribute: sk }
      : { type: 'local' as const, name, sortKeyAttribute: sk };
    return arg(made(index), labelOf(index));
  });

const validPrevious = fc.oneof(
  fc
    .integer({ min: 1, max: Number.MAX_SAFE_INTEGER })
    .map((version) => arg(made({ version }), `{ version: ${version} }`)),
  fc
    .constantFrom(1, 7)
    .map((version) => arg(pair('users', 'user/1', version), `KVPair("users", "user/1", v${version})`)),
);

const freshSignal = fresh('new AbortController().signal', () => new AbortController().signal);
const abortedSignal = fresh('AbortSignal.abort()', () => AbortSignal.abort());

/** Valid values of each option. */
const VALID_VALUES: Readonly<Record<string, fc.Arbitrary<Arg>>> = {
  value: fc.oneof(
    { weight: 6, arbitrary: data(fc.string({ unit: 'grapheme', maxLength: 40 })) },
    { weight: 3, arbitrary: data(fc.uint8Array({ maxLength: 40 })) },
    { weight: 1, arbitrary: fc.constant(arg('x'.repeat(100_000), '"x"×100000')) },
  ),
  attributeValue: validAttributeValue,
  fields: validFields,
  ttl: data(
    fc.oneof(
      fc.integer({ min: 1, max: 1e13 }),
      fc.double({ min: 0.001, max: 8.64e15, noNaN: true }),
      fc.constant(8.64e15),
    ),
  ),
  keepTtl: data(fc.boolean()),
  previous: validPrevious,
  signal: fc.oneof({ weight: 5, arbitrary: freshSignal }, { weight: 1, arbitrary: abortedSignal }),
  context: data(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 })),
  returnConsumedCapacity: data(fc.boolean()),
  consistent: data(fc.boolean()),
  scanIndexForward: data(fc.boolean()),
  limit: data(fc.oneof(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom(1, 2 ** 31 - 1))),
  startKey: fc.constant(arg('', '""')),
  index: validIndex,
};

/** Values that are wrong for each option, besides anything at all. */
const BAD_VALUES: Readonly<Record<string, fc.Arbitrary<Arg>>> = {
  value: fc.oneof(loneSurrogates, hugeStrings, data(fc.constantFrom(5, null))),
  attributeValue: data(
    fc.constantFrom<unknown>(
      { S: 'a', N: '1' },
      {},
      { S: 5 },
      { N: 'x' },
      { N: '1e200' },
      { N: '1'.repeat(39) },
      { SS: [] },
      { SS: ['a', 'a'] },
      { NS: ['1', '1.0'] },
      { M: { '': { S: 'x' } } },
      { M: { __proto__: null, a: { S: 'x' } } },
      { L: [{}] },
      { S: '\ud800' },
      { NULL: false },
      { B: 'not bytes?' },
      { X: 'y' },
      [{ S: 'x' }],
    ),
  ),
  fields: data(
    fc.constantFrom<unknown>(
      { id: 'x' },
      { payload: 1 },
      { '': 1 },
      { a: NaN },
      { a: Infinity },
      { a: 1e300 },
      { a: 5e-324 },
      { a: '\ud800' },
      { a: {} },
      { a: null },
      { a: 1n },
      { a: [1] },
      { '\udc00': 1 },
      JSON.parse('{"__proto__": 1}') as unknown,
      ['a'],
    ),
  ),
  ttl: data(fc.constantFrom<unknown>(0, -1, -0, NaN, Infinity, 8.64e15 + 1e3, '5', 5n, null)),
  keepTtl: data(fc.constantFrom<unknown>('true', 1, null)),
  previous: data(
    fc.constantFrom<unknown>(
      { version: 0 },
      { version: -1 },
      { version: 1.5 },
      { version: '1' },
      { version: 2 ** 53 },
      { version: NaN },
      { version: 1, key: 'another' },
      { version: 1, partition: 'another' },
      { version: 1, key: 5 },
      {},
      5,
    ),
  ),
  signal: data(fc.constantFrom<unknown>({}, { aborted: false }, 'signal', 5)),
  context: data(fc.constantFrom<unknown>('context', 5, [1], new Map())),
  returnConsumedCapacity: data(fc.constantFrom<unknown>('true', 1, null)),
  consistent: data(fc.constantFrom<unknown>('false', 0, null)),
  scanIndexForward: data(fc.constantFrom<unknown>('false', 0, null)),
  limit: data(fc.constantFrom<unknown>(0, -1, 1.5, 2 ** 31, 2 ** 53, NaN, Infinity, '5', 5n)),
  startKey: fc.oneof(data(fc.constantFrom<unknown>('garbage', 5, null, 'a'.repeat(10_000))), loneSurrogates),
  index: data(
    fc.constantFrom<unknown>(
      { type: 'local', name: 'x', sortKeyAttribute: 's' },
      { type: 'local', name: 'idx', sortKeyAttribute: '' },
      { type: 'global', name: 'idx', sortKeyAttribute: 's' },
      { type: 'other', name: 'idx', sortKeyAttribute: 's' },
      { name: 'idx', sortKeyAttribute: 's' },
      'idx',
    ),
  ),
};

function objectArg(entries: readonly (readonly [string, Arg])[]): Arg {
  const o: Record<string, unknown> = {};
  for (const [k, a] of entries)
    Object.defineProperty(o, k, { value: a.value, enumerable: true, writable: true, configurable: true });
  return arg(o, `{ ${entries.map(([k, a]) => `${k}: ${a.label}`).join(', ')} }`);
}

function validOptionObject(kind: OptionKind): fc.Arbitrary<Arg> {
  const keys = TAKEN[kind];
  return fc
    .subarray([...keys], { maxLength: Math.min(4, keys.length) })
    .chain((chosen) => {
      const payload =
        chosen.includes('value') && chosen.includes('attributeValue')
          ? chosen.filter((k) => k !== 'attributeValue')
          : chosen;
      return fc.tuple(
        ...payload.map((k) =>
          (VALID_VALUES[k] ?? fc.constant(arg(undefined, 'undefined'))).map((a) => [k, a] as const),
        ),
      );
    })
    .map((entries) => objectArg(entries));
}

interface HelperSpec {
  readonly name: string;
  readonly fn: (...args: never[]) => object;
  /** Valid arguments. */
  readonly args: fc.Arbitrary<Arg[]>;
  /** How many arguments it takes. */
  readonly arity: number;
  /** It marks an undefined argument for the operation to refuse. */
  readonly given: boolean;
  /** The operations its option belongs to. */
  readonly kinds: readonly OptionKind[];
}

const noArgs = fc.constant<Arg[]>([]);
const WRITES: readonly OptionKind[] = ['put', 'atomicPut', 'putIfNewer'];
const HELPERS: readonly HelperSpec[] = [
  {
    name: 'writeWithString',
    fn: writeWithString,
    args: VALID_VALUES.value!.filter((a) => typeof a.value === 'string').map((a) => [a]),
    arity: 1,
    given: true,
    kinds: WRITES,
  },
  {
    name: 'writeWithBytes',
    fn: writeWithBytes,
    args: data(fc.uint8Array({ maxLength: 20 })).map((a) => [a]),
    arity: 1,
    given: true,
    kinds: WRITES,
  },
  {
    name: 'writeWithFields',
    fn: writeWithFields,
    args: validFields.map((a) => [a]),
    arity: 1,
    given: true,
    kinds: WRITES,
  },
  {
    name: 'writeWithTTL',
    fn: writeWithTTL,
    args: VALID_VALUES.ttl!.map((a) => [a]),
    arity: 1,
    given: true,
    kinds: WRITES,
  },
  { name: 'writeWithNoExpires', fn: writeWithNoExpires, args: noArgs, arity: 0, given: false, kinds: WRITES },
  { name: 'writeWithKeepTTL', fn: writeWithKeepTTL, args: noArgs, arity: 0, given: false, kinds: WRITES },
  {
    name: 'writeWithPreviousKV',
    fn: writeWithPreviousKV,
    args: validPrevious.map((a) => [a]),
    arity: 1,
    given: true,
    kinds: ['atomicPut'],
  },
  {
    name: 'writeWithAttributeValue',
    fn: writeWithAttributeValue,
    args: validAttributeValue.map((a) => [a]),
    arity: 1,
    given: true,
    kinds: WRITES,
  },
  {
    name: 'readConsistentDisable',
    fn: readConsistentDisable,
    args: noArgs,
    arity: 0,
    given: false,
    kinds: ['get', 'exists', 'getMany', 'listing'],
  },
  {
    name: 'readScanIndexForwardDisable',
    fn: readScanIndexForwardDisable,
    args: noArgs,
    arity: 0,
    given: false,
    kinds: ['listing'],
  },
  {
    name: 'readWithLimit',
    fn: readWithLimit,
    args: VALID_VALUES.limit!.map((a) => [a]),
    arity: 1,
    given: true,
    kinds: ['listing'],
  },
  {
    name: 'readWithStartKey',
    fn: readWithStartKey,
    args: fc.constant([arg('', '""')]),
    arity: 1,
    given: true,
    kinds: ['listing'],
  },
  {
    name: 'readWithLocalIndex',
    fn: readWithLocalIndex,
    args: fc.tuple(data(fc.stringMatching(NAME_CHARS)), data(fc.constantFrom('created', 'rank'))).map((a) => [...a]),
    arity: 2,
    given: false,
    kinds: ['listing'],
  },
  {
    name: 'readWithGlobalIndex',
    fn: readWithGlobalIndex,
    args: fc
      .tuple(
        data(fc.stringMatching(NAME_CHARS)),
        data(fc.constantFrom('gsi_pk', 'é')),
        data(fc.constantFrom('gsi_sk', 'rank')),
      )
      .map((a) => [...a]),
    arity: 3,
    given: false,
    kinds: ['listing'],
  },
];

/** An option a helper built; the helper's own failure, if it throws, becomes the call's. */
class HelperThrew {
  readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}
const helperThrows = new WeakSet();

function callHelper(spec: HelperSpec, args: readonly Arg[]): Arg {
  const label = `${spec.name}(${argList(args)})`;
  let result: unknown;
  try {
    result = (spec.fn as (...a: unknown[]) => unknown)(...args.map((a) => a.value));
  } catch (err) {
    const threw = new HelperThrew(err);
    helperThrows.add(threw);
    return arg(markTricky(threw), `${label} (threw)`);
  }
  if (
    spec.given &&
    args.slice(0, spec.arity).some((a) => a.value === undefined) &&
    typeof result === 'object' &&
    result !== null
  ) {
    notGiven.add(result);
  }
  return arg(result, label);
}

function helperOption(kind: OptionKind, hostileArgs: boolean): fc.Arbitrary<Arg> {
  const specs = HELPERS.filter((h) => h.kinds.includes(kind));
  if (specs.length === 0) return validOptionObject(kind);
  return fc
    .constantFrom(...specs)
    .chain((spec) =>
      (hostileArgs
        ? fc.array(position(hostile(), hostile(), 1, 1), { minLength: spec.arity, maxLength: spec.arity + 1 })
        : spec.args
      ).map((args) => callHelper(spec, args)),
    );
}

/** An option object of allowed names with one or two bad values, maybe next to valid ones. */
function badValueOption(kind: OptionKind): fc.Arbitrary<Arg> {
  const keys = OPTION_KEYS[kind];
  return fc
    .tuple(fc.subarray([...keys], { minLength: 1, maxLength: 2 }), validOptionObject(kind))
    .chain(([bad, valid]) =>
      fc
        .tuple(...bad.map((k) => fc.oneof(BAD_VALUES[k] ?? hostile(), hostile()).map((a) => [k, a] as const)))
        .map((entries) => {
          const rest = Object.entries(valid.value as object)
            .filter(([k]) => !bad.includes(k))
            .map(([k, v]) => [k, arg(v, labelOf(v))] as const);
          return objectArg([...rest, ...entries]);
        }),
    );
}

/** An option object with a name the operation does not take. */
function foreignOption(kind: OptionKind): fc.Arbitrary<Arg> {
  const names = [...OPTION_NAMES, 'regoin', 'ttL', '__proto__', 'constructor', 'toString', ''].filter(
    (n) => !OPTION_KEYS[kind].includes(n),
  );
  return fc
    .tuple(
      fc.oneof(
        fc.constantFrom(...names),
        fc.string({ maxLength: 6 }).filter((s) => !OPTION_KEYS[kind].includes(s)),
      ),
      fc.oneof(hostile(), fc.constant(arg(undefined, 'undefined'))),
    )
    .map(([name, value]) => objectArg([[name, value]]));
}

/** A valid option object in another shape: frozen, of no prototype, from another realm, a class, a Proxy… */
function reshaped(base: fc.Arbitrary<Arg>): fc.Arbitrary<Arg> {
  const shapes: readonly (readonly [string, (o: object) => object])[] = [
    ['Object.freeze', (o) => Object.freeze(o)],
    ['null-prototype', (o) => Object.assign(Object.create(null) as object, o)],
    ['another realm', (o) => runInNewContext('Object.assign({}, o)', { o }) as object],
    [
      'a class instance',
      (o) =>
        Object.assign(
          new (class Opts {
            describe(): string {
              return 'options';
            }
          })(),
          o,
        ),
    ],
    ['inheriting', (o) => Object.create(o) as object],
    ['an array', (o) => Object.assign([], o)],
    ['a Map', (o) => new Map(Object.entries(o))],
    ['Proxy', (o) => markTricky(new Proxy(o, {}))],
    [
      'getters',
      (o) => {
        const g = {};
        for (const [k, v] of Object.entries(o as Record<string, unknown>))
          Object.defineProperty(g, k, { get: () => v, enumerable: true });
        return markTricky(g);
      },
    ],
  ];
  return fc
    .tuple(
      base,
      fc.constantFrom(...shapes),
      fc.subarray(['get', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf'] as const, { maxLength: 1 }),
    )
    .map(([b, [shape, make], traps]) => {
      const value = make(b.value as object);
      if (shape === 'Proxy' && traps.length > 0) {
        return arg(
          proxyOf(b.value as object, traps, { make: () => new Error('trap') }),
          `Proxy(${b.label}, throwing ${traps.join('')})`,
        );
      }
      return arg(value, `${shape}(${b.label})`);
    });
}

function optionArg(kind: OptionKind): fc.Arbitrary<Arg> {
  return fc.oneof(
    { weight: 8, arbitrary: validOptionObject(kind) },
    { weight: 5, arbitrary: helperOption(kind, false) },
    { weight: 3, arbitrary: badValueOption(kind) },
    { weight: 1, arbitrary: foreignOption(kind) },
    { weight: 2, arbitrary: reshaped(validOptionObject(kind)) },
    { weight: 1, arbitrary: helperOption(kind, true) },
    { weight: 1, arbitrary: hostile() },
    { weight: 1, arbitrary: fc.constant(arg(undefined, 'undefined')) },
  );
}

const optionList = (kind: OptionKind): fc.Arbitrary<Arg[]> => fc.array(optionArg(kind), { maxLength: 3 });

/** A valid argument `valid` times in `valid + bad`, a hostile one otherwise. */
function position(valid: fc.Arbitrary<Arg>, bad: fc.Arbitrary<Arg>, validWeight = 4, badWeight = 1): fc.Arbitrary<Arg> {
  return fc.oneof({ weight: validWeight, arbitrary: valid }, { weight: badWeight, arbitrary: bad });
}

/** Hostile keys: anything, and strings just past a limit or ill-formed. */
function badString(max: number): fc.Arbitrary<Arg> {
  return fc.oneof(
    hostile(),
    loneSurrogates,
    hugeStrings,
    fc.constantFrom(
      arg('', '""'),
      arg('é'.repeat(max / 2 + 1), `"é"×${max / 2 + 1}`),
      arg('😀'.repeat(max / 4 + 1), `"😀"×${max / 4 + 1}`),
      arg('a'.repeat(max + 1), `"a"×${max + 1}`),
      arg(new String('key'), 'new String("key")'),
    ),
  );
}

const partitionArg = position(validPartition, badString(2048));
const keyArg = position(validKey, badString(1024));
const prefixArg = position(validPrefix, badString(1024));

const sessionVariant: fc.Arbitrary<SessionVariant> = fc.record({
  hooks: fc.boolean(),
  clock: fc.boolean(),
  tokenSecret: fc.boolean(),
  returnConsumedCapacity: fc.constantFrom(undefined, true, false),
});

function variantLabel(v: SessionVariant): string {
  const parts = [
    v.hooks ? 'hooks' : '',
    v.clock ? 'clock' : '',
    v.tokenSecret ? 'tokenSecret' : '',
    v.returnConsumedCapacity === undefined ? '' : `returnConsumedCapacity: ${v.returnConsumedCapacity}`,
  ];
  return `session(${parts.filter((p) => p !== '').join(', ')})`;
}

/** Arguments' values, a HelperThrew thrown as the helper's call would have. */
function values(args: readonly Arg[]): unknown[] {
  return args.map((a) => {
    if (typeof a.value === 'object' && a.value !== null && helperThrows.has(a.value))
      throw (a.value as HelperThrew).error;
    return a.value;
  });
}

// ---------------------------------------------------------------------------
// Entry points

interface Entry {
  readonly name: string;
  /** Its share of the calls. */
  readonly weight: number;
  readonly arb: fc.Arbitrary<Call>;
}

const entries: Entry[] = [];
function entry(
  name: string,
  weight: number,
  arb: fc.Arbitrary<Omit<Call, 'pollution' | 'entry'>>,
  pollution: fc.Arbitrary<Pollution | undefined> = maybePolluted,
): void {
  entries.push({
    name,
    weight,
    arb: fc.tuple(arb, pollution).map(([c, p]) => makeCall({ ...c, entry: name }, p)),
  });
}

function operationLabel(
  variant: SessionVariant,
  via: 'table' | 'partition',
  op: string,
  partition: Arg,
  rest: readonly Arg[],
): string {
  const head =
    via === 'table'
      ? `table.${op}(${argList([partition, ...rest])})`
      : `table.partition(${partition.label}).${op}(${argList(rest)})`;
  return `${variantLabel(variant)} ${head}`;
}

type Methods = Record<string, (...args: unknown[]) => unknown>;

/**
 * Calls `op` on a table of a new session, with the partition as its first
 * argument, or on the partition bound to it (whose construction may refuse it).
 */
function invoke(
  h: Harness,
  variant: SessionVariant,
  v: 'table' | 'partition',
  partition: unknown,
  op: string,
  args: readonly unknown[],
): unknown {
  const table = h.session(variant).table(TABLE);
  if (v === 'table') return (table as unknown as Methods)[op]?.(partition, ...args);
  return (table.partition(partition as string) as unknown as Methods)[op]?.(...args);
}

const via = fc.constantFrom<'table' | 'partition'>('table', 'partition');

type KeyOp = 'put' | 'get' | 'exists' | 'delete' | 'atomicPut';
const KEY_OPS: readonly (readonly [KeyOp, OptionKind])[] = [
  ['put', 'put'],
  ['get', 'get'],
  ['exists', 'exists'],
  ['delete', 'delete'],
  ['atomicPut', 'atomicPut'],
];

for (const [op, kind] of KEY_OPS) {
  entry(
    op,
    5,
    fc
      .record({ variant: sessionVariant, via, p: partitionArg, k: keyArg, opts: optionList(kind) })
      .map(({ variant, via: v, p, k, opts }) => ({
        label: operationLabel(variant, v, op, p, [k, ...opts]),
        verdict: () =>
          combine(
            partitionVerdict(p.value),
            keyVerdict(k.value),
            optionsVerdict(
              kind,
              opts.map((o) => o.value),
              { partition: p.value, key: k.value },
            ),
          ),
        counted: true,
        run: (h: Harness) => invoke(h, variant, v, p.value, op, [k.value, ...values(opts)]),
      })),
  );
}

entry(
  'atomicDelete',
  5,
  fc
    .record({
      variant: sessionVariant,
      via,
      p: partitionArg,
      k: keyArg,
      previous: fc.oneof(
        { weight: 3, arbitrary: fc.constant(arg(undefined, 'undefined')) },
        { weight: 4, arbitrary: validPrevious },
        { weight: 2, arbitrary: BAD_VALUES.previous! },
        { weight: 1, arbitrary: hostile() },
      ),
      opts: optionList('delete'),
    })
    .map(({ variant, via: v, p, k, previous, opts }) => ({
      label: operationLabel(variant, v, 'atomicDelete', p, [k, previous, ...opts]),
      verdict: () =>
        combine(
          partitionVerdict(p.value),
          keyVerdict(k.value),
          previousVerdict(previous.value, { partition: p.value, key: k.value }),
          optionsVerdict(
            'delete',
            opts.map((o) => o.value),
            { partition: p.value, key: k.value },
          ),
        ),
      counted: true,
      run: (h: Harness) => invoke(h, variant, v, p.value, 'atomicDelete', [k.value, previous.value, ...values(opts)]),
    })),
);

entry(
  'getMany',
  5,
  fc
    .record({
      variant: sessionVariant,
      via,
      p: partitionArg,
      keys: position(
        fc.array(validKey, { maxLength: 250 }).map((ks) =>
          arg(
            ks.map((k) => k.value),
            ks.length > 4 ? `[${argList(ks.slice(0, 3))}, … ${ks.length} keys]` : `[${argList(ks)}]`,
          ),
        ),
        fc.oneof(
          hostile(),
          fc
            .tuple(fc.array(validKey, { maxLength: 3 }), badString(1024))
            .map(([ks, bad]) => arg([...ks.map((k) => k.value), bad.value], `[${argList([...ks, bad])}]`)),
          proxies(
            fc.array(validKey, { maxLength: 3 }).map((ks) =>
              arg(
                ks.map((k) => k.value),
                `[${argList(ks)}]`,
              ),
            ),
          ),
        ),
        3,
        1,
      ),
      opts: optionList('getMany'),
    })
    .map(({ variant, via: v, p, keys, opts }) => ({
      label: operationLabel(variant, v, 'getMany', p, [keys, ...opts]),
      verdict: () =>
        combine(
          partitionVerdict(p.value),
          keysVerdict(keys.value),
          optionsVerdict(
            'getMany',
            opts.map((o) => o.value),
            { partition: p.value, key: undefined },
          ),
        ),
      counted: true,
      run: (h: Harness) => invoke(h, variant, v, p.value, 'getMany', [keys.value, ...values(opts)]),
    })),
);

// putIfNewer: the caller's version, an integer from 1; put's options.
function versionArg(min: 0 | 1): fc.Arbitrary<Arg> {
  return position(
    data(
      fc.oneof(
        fc.integer({ min, max: 20 }),
        fc.constantFrom(min, 7, Number.MAX_SAFE_INTEGER),
        fc.integer({ min, max: Number.MAX_SAFE_INTEGER }),
      ),
    ),
    fc.oneof(hostile(), data(fc.constantFrom<unknown>(0, -0, -1, 1.5, 2 ** 53, NaN, Infinity, '3', 3n, null))),
    4,
    1,
  );
}

entry(
  'putIfNewer',
  5,
  fc
    .record({
      variant: sessionVariant,
      via,
      p: partitionArg,
      k: keyArg,
      version: versionArg(1),
      opts: optionList('putIfNewer'),
    })
    .map(({ variant, via: v, p, k, version, opts }) => ({
      label: operationLabel(variant, v, 'putIfNewer', p, [k, version, ...opts]),
      verdict: () =>
        combine(
          partitionVerdict(p.value),
          keyVerdict(k.value),
          versionVerdict(version.value, 1),
          optionsVerdict(
            'putIfNewer',
            opts.map((o) => o.value),
            { partition: p.value, key: k.value },
          ),
        ),
      counted: true,
      run: (h: Harness) => invoke(h, variant, v, p.value, 'putIfNewer', [k.value, version.value, ...values(opts)]),
    })),
);

// putMany and deleteMany: one options object of the common options and onProgress.
const onProgressArg = fc.oneof(
  fresh('() => undefined', () => () => undefined),
  fresh('() => { throw CallbackError }', () => () => {
    throw new CallbackError('onProgress');
  }),
);

const batchOptionsArg: fc.Arbitrary<Arg> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(arg(undefined, 'undefined')) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(validOptionObject('delete'), fc.option(onProgressArg))
      .map(([o, progress]) =>
        progress === null
          ? o
          : objectArg([
              ...Object.entries(o.value as object).map(([k, x]) => [k, arg(x, labelOf(x))] as const),
              ['onProgress', progress],
            ]),
      ),
  },
  { weight: 2, arbitrary: badValueOption('delete') },
  { weight: 1, arbitrary: foreignOption('delete') },
  { weight: 1, arbitrary: reshaped(validOptionObject('delete')) },
  { weight: 1, arbitrary: hostile() },
  {
    weight: 1,
    arbitrary: data(
      fc.constantFrom<unknown>({ onProgress: 5 }, { onProgress: 'x' }, { onProgress: null }, [], new Map()),
    ),
  },
);

/** A list's label: its first few members and its length. */
function listLabel(list: readonly Arg[]): string {
  return list.length > 4 ? `[${argList(list.slice(0, 3))}, … ${list.length} members]` : `[${argList(list)}]`;
}

const validItemParts = fc
  .record(
    { value: VALID_VALUES.value!, attributeValue: validAttributeValue, fields: validFields, ttl: VALID_VALUES.ttl! },
    { requiredKeys: [] },
  )
  .map((r) => {
    const entries = Object.entries(r).filter(([k]) => k !== 'attributeValue' || r.value === undefined);
    return entries;
  });

const validItem = fc
  .tuple(validKey, fc.option(versionArg(0).filter((a) => versionVerdict(a.value, 0).kind === 'valid')), validItemParts)
  .map(([k, version, parts]) =>
    objectArg([['key', k], ...(version === null ? [] : [['version', version] as const]), ...parts]),
  );

const badItem: fc.Arbitrary<Arg> = fc.oneof(
  hostile(),
  badString(1024).map((k) => objectArg([['key', k]])),
  versionArg(0).map((version) =>
    objectArg([
      ['key', arg('a', '"a"')],
      ['version', version],
    ]),
  ),
  data(
    fc.constantFrom<unknown>(
      { key: 'a', extra: 1 },
      { key: 'a', value: 'x', attributeValue: { S: 'y' } },
      { key: 'a', fields: { id: 1 } },
      { key: 'a', ttl: 0 },
      { key: 'a', value: '\ud800' },
      { key: 'a', previous: { version: 1 } },
      { version: 1 },
      ['a'],
    ),
  ),
  reshaped(validItem),
);

const itemsArg: fc.Arbitrary<Arg> = position(
  fc
    .uniqueArray(validItem, { maxLength: 60, selector: (a) => (a.value as { key: unknown }).key })
    .map((items) => arg(made(items.map((i) => i.value)), listLabel(items))),
  fc.oneof(
    hostile(),
    fc
      .tuple(fc.array(validItem, { maxLength: 3 }), badItem)
      .map(([items, bad]) => arg([...items.map((i) => i.value), bad.value], listLabel([...items, bad]))),
    validItem.map((i) => arg([i.value, i.value], `[${i.label}, the same again]`)),
    proxies(
      fc.array(validItem, { maxLength: 3 }).map((items) =>
        arg(
          items.map((i) => i.value),
          listLabel(items),
        ),
      ),
    ),
  ),
  3,
  1,
);

entry(
  'putMany',
  4,
  fc
    .record({ variant: sessionVariant, via, p: partitionArg, items: itemsArg, opts: batchOptionsArg })
    .map(({ variant, via: v, p, items, opts }) => ({
      label: operationLabel(variant, v, 'putMany', p, [items, opts]),
      verdict: () =>
        combine(partitionVerdict(p.value), putManyVerdict(items.value, p.value), batchOptionsVerdict(opts.value)),
      callbacks: true,
      counted: true,
      run: (h: Harness) => invoke(h, variant, v, p.value, 'putMany', [items.value, opts.value]),
    })),
);

entry(
  'deleteMany',
  4,
  fc
    .record({
      variant: sessionVariant,
      via,
      p: partitionArg,
      keys: position(
        fc.array(validKey, { maxLength: 60 }).map((ks) =>
          arg(
            ks.map((k) => k.value),
            listLabel(ks),
          ),
        ),
        fc.oneof(
          hostile(),
          fc
            .tuple(fc.array(validKey, { maxLength: 3 }), badString(1024))
            .map(([ks, bad]) => arg([...ks.map((k) => k.value), bad.value], listLabel([...ks, bad]))),
          validKey.map((k) => arg([k.value, k.value], `[${k.label}, ${k.label}]`)),
          proxies(
            fc.array(validKey, { maxLength: 3 }).map((ks) =>
              arg(
                ks.map((k) => k.value),
                listLabel(ks),
              ),
            ),
          ),
        ),
        3,
        1,
      ),
      opts: batchOptionsArg,
    })
    .map(({ variant, via: v, p, keys, opts }) => ({
      label: operationLabel(variant, v, 'deleteMany', p, [keys, opts]),
      verdict: () => combine(partitionVerdict(p.value), deleteManyVerdict(keys.value), batchOptionsVerdict(opts.value)),
      callbacks: true,
      counted: true,
      run: (h: Harness) => invoke(h, variant, v, p.value, 'deleteMany', [keys.value, opts.value]),
    })),
);

type ListOp = 'listPage' | 'list' | 'iterate';
for (const op of ['listPage', 'list', 'iterate'] as const satisfies readonly ListOp[]) {
  entry(
    op,
    5,
    fc
      .record({
        variant: sessionVariant,
        via,
        p: partitionArg,
        prefix: prefixArg,
        opts: optionList('listing'),
        resume: op === 'list' ? fc.constant(false) : fc.boolean(),
        stopAfter: op === 'iterate' ? fc.constantFrom(undefined, 0, 1) : fc.constant(undefined),
      })
      .map(({ variant, via: v, p, prefix, opts, resume, stopAfter }) => {
        const target = { partition: p.value, key: undefined };
        const base = (): Verdict => combine(partitionVerdict(p.value), prefixVerdict(prefix.value));
        const verdict = (): Verdict =>
          combine(
            base(),
            optionsVerdict(
              'listing',
              opts.map((o) => o.value),
              target,
            ),
          );
        const resumed = (): Verdict =>
          combine(base(), optionsVerdict('listing', [...opts.map((o) => o.value), { startKey: RESUME }], target));
        const shown = resume ? [...opts, arg(null, '{ startKey: <lastKey of a first listPage> }')] : opts;
        return {
          label: `${operationLabel(variant, v, op, p, [prefix, ...shown])}${stopAfter === undefined ? '' : ` (loop left after ${stopAfter} items)`}`,
          verdict,
          counted: true,
          run: async (h: Harness, exec: Execution) => {
            const o = values(opts);
            const extra: unknown[] = [];
            if (resume) {
              // A first page through the same kind of session, for a lastKey to resume from.
              const first = await settle(
                invoke(h, variant, v, p.value, 'listPage', [prefix.value, ...o]) as Promise<{ lastKey?: string }>,
              );
              // A failure of the first page that is no DynastoreError is the call's.
              if ('error' in first && !(first.error instanceof DynastoreError)) throw first.error;
              const lastKey = first.value?.lastKey;
              if (lastKey !== undefined) {
                extra.push({ startKey: lastKey });
                exec.verdict = resumed();
              }
              h.counting.reset();
              h.built = 0;
            }
            const listed = invoke(h, variant, v, p.value, op, [prefix.value, ...o, ...extra]);
            if (op !== 'iterate') return listed;
            const items: KVPair[] = [];
            for await (const kv of listed as AsyncIterable<KVPair>) {
              if (items.length === stopAfter) break;
              items.push(kv);
            }
            return items;
          },
        };
      }),
  );
}

async function settle<T>(p: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await p };
  } catch (error) {
    // No prototype: what is not here reads as undefined, whatever Object.prototype holds.
    return Object.assign(Object.create(null) as { error: unknown }, { error });
  }
}

// Locks: acquired, renewed and released.
const validLockOptions = fc
  .record(
    {
      ttl: fc.integer({ min: 1000, max: 10_000_000 }),
      heartbeat: fc.oneof(fc.constant(false as const), fc.double({ min: 0, max: 1, noNaN: true })),
      wait: fc.integer({ min: 0, max: 60_000 }),
      retry: fc.integer({ min: 1, max: 1000 }),
      value: fc.string({ unit: 'grapheme', maxLength: 20 }),
      signal: fc.constant(null),
    },
    { requiredKeys: [] },
  )
  .map((r) => {
    const o: Record<string, unknown> = { ...r };
    if (typeof r.heartbeat === 'number') {
      const ttl = r.ttl ?? 20_000;
      o.heartbeat = Math.max(100, Math.min(ttl / 2, Math.round(100 + r.heartbeat * (ttl / 2 - 100))));
    }
    if ('signal' in r) o.signal = new AbortController().signal;
    return arg(o, labelOf(o));
  });

const lockOptionsArg = fc.oneof(
  { weight: 3, arbitrary: fc.constant(arg(undefined, 'undefined')) },
  { weight: 6, arbitrary: validLockOptions },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom('ttl', 'heartbeat', 'wait', 'retry', 'value', 'signal'),
        fc.oneof(hostile(), data(fc.constantFrom(999, 2 ** 31, 0, -1, NaN, 1e9, true))),
      )
      .map(([k, v]) => objectArg([[k, v]])),
  },
  { weight: 1, arbitrary: foreignOption('delete') },
  { weight: 1, arbitrary: reshaped(validLockOptions) },
  { weight: 2, arbitrary: hostile() },
);

for (const op of ['lock', 'tryLock'] as const) {
  entry(
    op,
    3,
    fc
      .record({
        variant: sessionVariant,
        p: validPartition,
        k: position(validLockKey, badString(1024)),
        options: lockOptionsArg,
      })
      .map(({ variant, p, k, options }) => ({
        label: `${variantLabel(variant)} table.partition(${p.label}).${op}(${argList([k, options])}), then renew() and release()`,
        verdict: () => combine(keyVerdict(k.value), lockVerdict(options.value)),
        counted: true,
        run: async (h: Harness) => {
          const partition = h
            .session(variant)
            .table(TABLE)
            .partition(p.value as string);
          const lock: Lock | undefined = await partition[op](k.value as string, options.value as never);
          if (lock === undefined) return undefined;
          const renewed = await lock.renew();
          const released = await lock.release();
          return {
            key: lock.key,
            fencingToken: lock.fencingToken,
            renewed,
            released,
            reason: (lock.signal.reason as DynastoreError).code,
          };
        },
      })),
  );
}

// Sessions, tables, partitions.
function constantClock([r, label]: readonly [unknown, string]): Arg {
  const clock = (): unknown => r;
  behaviours.set(clock, { returns: r });
  return arg(clock, `() => ${label}`);
}

const validClock: fc.Arbitrary<Arg> = fc.oneof(
  fc
    .constantFrom<readonly [unknown, string]>(
      [NOW, 'NOW'],
      [NOW + 3_600_000, 'NOW + 1 h'],
      [Date.UTC(2000, 0, 1), '2000-01-01'],
    )
    .map(constantClock),
  fresh('Date.now', () => {
    behaviours.set(Date.now, { returns: NOW });
    return Date.now;
  }),
);

/** Clocks that return no time in milliseconds, or throw, and anything that is not a clock. */
const badClock: fc.Arbitrary<Arg> = fc.oneof(
  fc
    .constantFrom<readonly [unknown, string]>(
      [NaN, 'NaN'],
      [undefined, 'undefined'],
      ['1700000000000', 'a string'],
      [Math.floor(NOW / 1000), 'seconds'],
      [Infinity, 'Infinity'],
      [-1, '-1'],
      [0, '0'],
      [2 ** 53, '2**53'],
      [null, 'null'],
      [10n ** 12n, 'a bigint'],
      [new Date(NOW), 'a Date'],
    )
    .map(constantClock),
  fc.constantFrom('error', 'value').map((t) => {
    const clock = (): never => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- a clock that throws what is not an Error, on purpose
      throw t === 'error' ? new CallbackError('clock') : 'clock';
    };
    behaviours.set(clock, { throws: t });
    return arg(clock, t === 'error' ? '() => { throw CallbackError }' : '() => { throw "clock" }');
  }),
  hostile(),
);

function hookFn(
  kind: 'noop' | 'throwsError' | 'throwsValue' | 'async' | 'rejects' | 'returnsContext' | 'returnsProxy',
): Arg {
  let fn: (...a: unknown[]) => unknown;
  switch (kind) {
    case 'noop':
      fn = () => undefined;
      break;
    case 'throwsError':
      fn = () => {
        throw new CallbackError('hook');
      };
      break;
    case 'throwsValue':
      fn = () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- a hook that throws what is not an Error, on purpose
        throw 'hook';
      };
      break;
    case 'async':
      fn = async () => Promise.resolve(undefined);
      break;
    case 'rejects':
      fn = async () => Promise.reject(new CallbackError('hook'));
      break;
    case 'returnsContext':
      fn = (ctx) => ({ ...(ctx as object), extra: 1 });
      break;
    case 'returnsProxy': {
      const proxy = proxyOf({}, ['get', 'ownKeys'], { make: () => new Error('trap') });
      fn = () => proxy;
      behaviours.set(fn, { returns: proxy });
      return arg(fn, `() => Proxy(throwing)`);
    }
  }
  behaviours.set(
    fn,
    kind === 'throwsError'
      ? { throws: 'error' }
      : kind === 'throwsValue'
        ? { throws: 'value' }
        : kind === 'async' || kind === 'rejects'
          ? { async: true }
          : {},
  );
  return arg(fn, kind);
}

type HookKind = Parameters<typeof hookFn>[0];

const hookKinds = fc.constantFrom<HookKind>(
  'noop',
  'throwsError',
  'throwsValue',
  'async',
  'rejects',
  'returnsContext',
  'returnsProxy',
);

/** Hooks as documented: a requestBuilt that returns nothing or a context, after-the-fact hooks of any kind. */
const validHooks: fc.Arbitrary<Arg> = fc
  .record(
    {
      requestBuilt: fc.constantFrom('noop', 'returnsContext'),
      requestCompleted: hookKinds,
      operationCompleted: hookKinds,
    },
    { requiredKeys: [] },
  )
  .map((r) => objectArg(Object.entries(r).map(([k, kind]) => [k, hookFn(kind)])));

const hooksArg: fc.Arbitrary<Arg> = fc.oneof(
  { weight: 4, arbitrary: validHooks },
  {
    weight: 2,
    arbitrary: fc
      .record(
        { requestBuilt: hookKinds, requestCompleted: hookKinds, operationCompleted: hookKinds },
        { requiredKeys: [] },
      )
      .map((r) => objectArg(Object.entries(r).map(([k, kind]) => [k, hookFn(kind)]))),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('requestBuit', 'onRequest', 'RequestBuilt')
      .map((name) => objectArg([[name, hookFn('noop')]])),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('requestBuilt', 'requestCompleted')
      // Functions as hooks come from hookFn, whose behaviour is known: a class, say, throws a TypeError when
      // called, which a hook may do (the operation fails with a hook's own Error, as documented).
      .chain((name) =>
        hostile()
          .filter((v) => typeof v.value !== 'function')
          .map((v) => objectArg([[name, v]])),
      ),
  },
  { weight: 2, arbitrary: hostile() },
);

type ClientKind = 'counting' | 'v3' | 'fake';
/** Clients of every kind: the counting one, a real aws-sdk v3 client, and look-alikes that misbehave. */
function clientArg(h: () => Harness, v3Client: () => object): fc.Arbitrary<Arg & { kind?: ClientKind }> {
  const fakes: readonly (readonly [string, () => object])[] = [
    [
      '{ getItem() { return 5 } } (every method)',
      () =>
        Object.fromEntries(
          ['getItem', 'putItem', 'updateItem', 'deleteItem', 'query', 'batchGetItem'].map((m) => [m, () => 5]),
        ),
    ],
    [
      '{ getItem() { throw CallbackError } }',
      () => ({
        getItem: () => {
          throw new CallbackError('client');
        },
      }),
    ],
    [
      '{ getItem: () => ({ promise: () => Promise.reject("x") }) }',
      () => ({ getItem: () => ({ promise: () => Promise.reject(new Error('x')) }) }),
    ],
    [
      '{ send() {}, config: {}, middlewareStack: {} }',
      () => ({ send: () => undefined, config: {}, middlewareStack: {} }),
    ],
  ];
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .constant(null)
        .map(() => Object.assign(arg(h().counting.client, 'the counting client'), { kind: 'counting' as const })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constant(null)
        .map(() => Object.assign(arg(v3Client(), 'a v3 DynamoDBClient'), { kind: 'v3' as const })),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(...fakes)
        .map(([label, make]) => Object.assign(arg(make(), label), { kind: 'fake' as const })),
    },
    { weight: 2, arbitrary: hostile() },
  );
}

const validConfig = fc
  .constantFrom<readonly [Record<string, unknown>, string]>(
    [
      { region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } },
      '{ region, endpoint, credentials }',
    ],
    [{ region: 'eu-west-1', maxRetries: 2 }, '{ region: "eu-west-1", maxRetries: 2 }'],
    [{}, '{}'],
  )
  .map(([c, label]) => arg(made({ ...c }), label));

const configArg = fc.oneof(
  { weight: 3, arbitrary: validConfig },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('region', 'endpoint', 'httpOptions', 'credentials', 'maxRetries', 'params'), hostile())
      .map(([k, v]) => objectArg([[k, v]])),
  },
  { weight: 1, arbitrary: hostile() },
);

const tokenSecretArg = position(
  fc.oneof(
    data(fc.constantFrom('a secret of at least 16 bytes', 'x'.repeat(16), 'é'.repeat(8))),
    data(fc.uint8Array({ minLength: 16, maxLength: 40 })),
  ),
  fc.oneof(
    data(fc.constantFrom('short', '', 'x'.repeat(15), 'é'.repeat(7))),
    data(fc.uint8Array({ maxLength: 15 })),
    hostile(),
  ),
  3,
  1,
);

/** What a session is used for once built: operations that read its clock. */
const FOLLOW_UPS = ['get', 'exists', 'put', 'listPage', 'atomicPut'] as const;
const FOLLOW_UP_ARGS: Readonly<Record<(typeof FOLLOW_UPS)[number], string>> = {
  get: '',
  exists: '',
  put: ', { value: "v", ttl: 60000 }',
  listPage: '',
  atomicPut: ', { value: "v" }',
};

function sessionEntry(h: () => Harness, v3Client: () => object): fc.Arbitrary<Omit<Call, 'pollution' | 'entry'>> {
  const clients = clientArg(h, v3Client);
  const kinds = new WeakMap<object, ClientKind>();
  const optionsArg = fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .record(
          {
            client: clients,
            config: configArg,
            hooks: hooksArg,
            returnConsumedCapacity: position(data(fc.boolean()), hostile(), 4, 1),
            clock: position(validClock, badClock, 3, 2),
            tokenSecret: tokenSecretArg,
          },
          { requiredKeys: ['client'] },
        )
        // A session of config and no client, one time in six.
        .chain((r) => fc.nat(5).map((n) => (n === 0 && r.config !== undefined ? { ...r, client: undefined } : r)))
        .chain((r) =>
          // Now and then a key the session does not take: region or endpoint outside config, a typo.
          fc
            .oneof(
              { weight: 7, arbitrary: fc.constant(undefined) },
              { weight: 1, arbitrary: fc.constantFrom('region', 'endpoint', 'regoin', 'hook') },
            )
            .map((extra) => (extra === undefined ? r : { ...r, [extra]: arg('eu-west-1', '"eu-west-1"') })),
        )
        // Both client and config, one time in ten.
        .chain((r) =>
          fc
            .nat(9)
            .map((n) => (r.client !== undefined && r.config !== undefined && n > 0 ? { ...r, config: undefined } : r)),
        )
        .map((r) => Object.fromEntries(Object.entries(r).filter(([, a]) => a !== undefined)) as Record<string, Arg>)
        .map((r) => {
          const c: (Arg & { kind?: ClientKind }) | undefined = r.client;
          if (c?.kind !== undefined && typeof c.value === 'object' && c.value !== null) kinds.set(c.value, c.kind);
          return objectArg(Object.entries<Arg>(r));
        }),
    },
    { weight: 1, arbitrary: reshaped(fc.constant(null).map(() => arg({ client: h().counting.client }, '{ client }'))) },
    { weight: 1, arbitrary: hostile() },
  );
  return fc
    .record({ options: optionsArg, followUp: fc.constantFrom(...FOLLOW_UPS), key: validLockKey })
    .map(({ options, followUp, key }) => {
      const o = options.value;
      const client = isPlain(o) && Object.hasOwn(o, 'client') ? o.client : undefined;
      const kind = typeof client === 'object' && client !== null ? kinds.get(client) : undefined;
      // Only sessions over the counting client, or a look-alike, make requests: a v3 client or a config would reach the network.
      const requests = client !== undefined && (kind === 'counting' || kind === 'fake' || kind === undefined);
      const verdict = (): Verdict =>
        sessionVerdict(o, requests, (c) =>
          kind === 'counting' || kind === 'v3'
            ? VALID
            : kind === 'fake'
              ? UNKNOWN
              : typeof c === 'object' &&
                  c !== null &&
                  !isTricky(c) &&
                  typeof (c as { getItem?: unknown }).getItem !== 'function'
                ? invalid(`client is ${kindOf(c)}`)
                : UNKNOWN,
        );
      return {
        label: `new Session(${options.label})${requests ? `, then .table("${TABLE}").partition("p").${followUp}(${key.label}${FOLLOW_UP_ARGS[followUp]})` : ''}, then close()`,
        verdict,
        callbacks: true,
        counted: kind === 'counting',
        run: async () => {
          const session = new Session(o as never);
          try {
            if (!requests) return 'constructed';
            const partition = session.table(TABLE).partition('p');
            const k = key.value as string;
            switch (followUp) {
              case 'get':
                return await partition.get(k);
              case 'exists':
                return await partition.exists(k);
              case 'put': {
                await partition.put(k, { value: 'v', ttl: 60_000 });
                return;
              }
              case 'listPage':
                return await partition.listPage(k);
              case 'atomicPut':
                return await partition.atomicPut(k, { value: 'v' });
            }
          } finally {
            session.close();
          }
        },
      };
    });
}

// The harness, shared by every call: built once in `before`.
let harness: Harness | undefined;
let v3Client: { destroy(): void } | undefined;
const theHarness = (): Harness => {
  if (harness === undefined) throw new Error('no harness yet');
  return harness;
};

entry(
  'new Session',
  6,
  sessionEntry(theHarness, () => v3Client as object),
  maybePollutedNoValue,
);

/** Valid when made by the library; an object of the class's prototype but not made by it is unknown. */
function made_(v: unknown, cls: abstract new (...args: never[]) => unknown, what: string): Verdict {
  if (typeof v === 'object' && v !== null && validMade.has(v)) return VALID;
  if (isTricky(v)) return UNKNOWN;
  return v instanceof cls ? UNKNOWN : invalid(`not ${what}`);
}

const sessionOrNot: fc.Arbitrary<Arg> = position(
  fc
    .constant(null)
    .map(() =>
      arg(
        made(theHarness().session({ hooks: true, clock: true, tokenSecret: false, returnConsumedCapacity: undefined })),
        'session',
      ),
    ),
  fc.oneof(
    hostile(),
    fresh('{ runtime: {} }', () => ({ runtime: {} })),
    fresh('Object.create(Session.prototype)', () => Object.create(Session.prototype) as object),
  ),
  3,
  1,
);

// Table options: other names for the attributes dynastore owns.
const attributeName = position(
  fc
    .oneof(
      fc.constantFrom('namespace', 'key', 'item', 'v', 'ttl', 'é', 'id', 'name', 'payload', 'version', 'expires'),
      fc.stringMatching(NAME_CHARS),
      fc.constant('a'.repeat(255)),
    )
    .map((s) => arg(s, labelOf(s))),
  fc.oneof(
    hostile(),
    loneSurrogates,
    data(fc.constantFrom<unknown>('', '__proto__', 'a'.repeat(256), 'é'.repeat(128), 5, null)),
  ),
  5,
  1,
);

const validAttributes = fc
  .uniqueArray(
    fc.tuple(
      fc.constantFrom('partitionKey', 'sortKey', 'value', 'version', 'expires'),
      attributeName.filter((a) => typeof a.value === 'string'),
    ),
    { maxLength: 5, selector: ([role]) => role },
  )
  .map((pairs) => objectArg(pairs));

const tableOptionsArg: fc.Arbitrary<Arg> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(arg(undefined, 'undefined')) },
  { weight: 4, arbitrary: validAttributes.map((a) => objectArg([['attributes', a]])) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(validAttributes, fc.constantFrom('partitionKey', 'sortKey', 'value', 'version', 'expires'), attributeName)
      .map(([a, role, name]) =>
        objectArg([
          [
            'attributes',
            objectArg([
              ...Object.entries(a.value as object).map(([k, x]) => [k, arg(x, labelOf(x))] as const),
              [role, name],
            ]),
          ],
        ]),
      ),
  },
  { weight: 1, arbitrary: reshaped(validAttributes.map((a) => objectArg([['attributes', a]]))) },
  {
    weight: 1,
    arbitrary: validAttributes.map((a) =>
      objectArg([
        ['attributes', a],
        ['attribute', a],
      ]),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(
      hostile(),
      hostile().map((a) => objectArg([['attributes', a]])),
      reshaped(validAttributes).map((a) => objectArg([['attributes', a]])),
      data(
        fc.constantFrom<unknown>(
          { attributes: { partitionKey: 'k', sortKey: 'k' } },
          { attributes: { id: 'x' } },
          { attributes: { version: 'name' } },
          {},
          [],
        ),
      ),
    ),
  },
);

/** A get and a first page from a table made with `options`, its layout told to the counting client. */
async function useTable(h: Harness, table: Table): Promise<unknown> {
  h.counting.layouts.set(table.tableName, table.attributes);
  try {
    const partition = table.partition('p');
    return [await partition.get('k'), await partition.listPage('')];
  } finally {
    h.counting.layouts.delete(table.tableName);
  }
}

entry(
  'session.table',
  3,
  fc
    .record({
      name: position(
        validTableName.map((s) => arg(s, labelOf(s))),
        badString(255),
      ),
      options: tableOptionsArg,
      variant: sessionVariant,
    })
    .map(({ name, options, variant }) => ({
      label: `${variantLabel(variant)}.table(${argList(options.value === undefined ? [name] : [name, options])}).partition("p"): get("k"), listPage("")`,
      verdict: () => combine(tableVerdict(name.value), tableOptionsVerdict(options.value)),
      counted: true,
      run: async (h: Harness) =>
        useTable(h, h.session(variant).table(name.value as string, options.value as TableOptions)),
    })),
);

entry(
  'new Table',
  3,
  fc
    .record({
      session: sessionOrNot,
      name: position(
        validTableName.map((s) => arg(s, labelOf(s))),
        badString(255),
      ),
      options: tableOptionsArg,
    })
    .map(({ session, name, options }) => ({
      label: `new Table(${argList(options.value === undefined ? [session, name] : [session, name, options])}).partition("p"): get("k"), listPage("")`,
      verdict: () =>
        combine(
          made_(session.value, Session, 'a Session'),
          tableVerdict(name.value),
          tableOptionsVerdict(options.value),
        ),
      counted: true,
      run: async (h: Harness) =>
        useTable(h, new Table(session.value as Session, name.value as string, options.value as TableOptions)),
    })),
);

entry(
  'table.partition',
  2,
  fc.record({ name: partitionArg, variant: sessionVariant }).map(({ name, variant }) => ({
    label: `${variantLabel(variant)}.table("${TABLE}").partition(${name.label}).exists("k")`,
    verdict: () => partitionVerdict(name.value),
    counted: true,
    run: async (h: Harness) =>
      h
        .session(variant)
        .table(TABLE)
        .partition(name.value as string)
        .exists('k'),
  })),
);

entry(
  'new Partition',
  2,
  fc
    .record({
      table: position(
        fc
          .constant(null)
          .map(() =>
            arg(
              made(
                theHarness()
                  .session({ hooks: true, clock: true, tokenSecret: false, returnConsumedCapacity: undefined })
                  .table(TABLE),
              ),
              'table',
            ),
          ),
        fc.oneof(
          hostile(),
          fresh('{ put() {} }', () => ({ put: () => undefined })),
          fresh('Object.create(Table.prototype)', () => Object.create(Table.prototype) as object),
        ),
        3,
        1,
      ),
      name: partitionArg,
    })
    .map(({ table, name }) => ({
      label: `new Partition(${table.label}, ${name.label}).get("k")`,
      verdict: () => combine(made_(table.value, Table, 'a Table'), partitionVerdict(name.value)),
      counted: true,
      run: async () => new Partition(table.value as Table, name.value as string).get('k'),
    })),
);

// The LaunchDarkly store's factory: only its option checks (the factory makes no request).
const STORE_OPTIONS = ['prefix', 'cacheTTL', 'dynamoDBClient', 'clientOptions', 'logger', 'session', 'client', 'hooks'];
const STORE_CONNECTIONS = ['session', 'client', 'dynamoDBClient', 'clientOptions'];
const LOGGER_LEVELS = ['error', 'warn', 'info', 'debug'];

function featureStoreVerdict(h: Harness, table: unknown, options: unknown): Verdict {
  const t = tableVerdict(table);
  if (options === undefined) return t;
  if (isTricky(options)) return combine(t, UNKNOWN);
  if (!isPlain(options)) return invalid(`store options are ${kindOf(options)}`);
  const verdicts: Verdict[] = [t];
  for (const key of Reflect.ownKeys(options))
    if (typeof key !== 'string' || !STORE_OPTIONS.includes(key)) verdicts.push(invalid('an unknown store option'));
  const given = Object.fromEntries(
    STORE_OPTIONS.map((k) => [k, Object.hasOwn(options, k) ? options[k] : undefined] as const),
  );
  if (Object.values(given).some(isTricky)) return combine(...verdicts, UNKNOWN);
  if (STORE_CONNECTIONS.filter((k) => given[k] !== undefined).length > 1) verdicts.push(invalid('two connections'));
  if (given.session !== undefined && given.hooks !== undefined) verdicts.push(invalid('session and hooks'));
  const { prefix, cacheTTL, logger, session, client, dynamoDBClient, clientOptions, hooks } = given;
  if (prefix !== undefined && prefix !== null && prefix !== '') {
    verdicts.push(typeof prefix === 'string' ? partitionVerdict(`${prefix}:$inited`) : invalid('prefix is no string'));
  }
  if (cacheTTL !== undefined && cacheTTL !== null) {
    verdicts.push(
      typeof cacheTTL === 'number' && Number.isFinite(cacheTTL) && cacheTTL >= 0 ? VALID : invalid('a bad cacheTTL'),
    );
  }
  if (logger !== undefined) {
    const l = logger as Record<string, unknown> | null;
    verdicts.push(
      typeof logger === 'object' && l !== null && LOGGER_LEVELS.every((m) => typeof l[m] === 'function')
        ? VALID
        : invalid('logger is no LDLogger'),
    );
  }
  if (session !== undefined) verdicts.push(validMade.has(session as object) ? VALID : invalid('session is no Session'));
  const known = (c: unknown): boolean => c === h.counting.client || c === v3Client;
  if (client !== undefined) {
    verdicts.push(
      typeof client !== 'object' || client === null ? invalid('client is no object') : known(client) ? VALID : UNKNOWN,
    );
  }
  if (dynamoDBClient !== undefined) {
    verdicts.push(
      dynamoDBClient === v3Client
        ? VALID
        : dynamoDBClient === h.counting.client || typeof dynamoDBClient !== 'object' || dynamoDBClient === null
          ? invalid('dynamoDBClient is no v3 client')
          : UNKNOWN,
    );
  }
  if (clientOptions !== undefined) {
    verdicts.push(isPlain(clientOptions) ? (validMade.has(clientOptions) ? VALID : UNKNOWN) : invalid('clientOptions'));
  }
  verdicts.push(hooksVerdict(hooks, false));
  return combine(...verdicts);
}

const validLogger = fresh('{ error, warn, info, debug }', () =>
  Object.fromEntries(LOGGER_LEVELS.map((m) => [m, () => undefined])),
);

const storeOptionsArg: fc.Arbitrary<Arg> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(arg(undefined, 'undefined')) },
  {
    weight: 8,
    arbitrary: fc
      .record(
        {
          prefix: position(
            fc.oneof(validPartition, data(fc.constantFrom('', null, 'production'))),
            fc.oneof(hostile(), loneSurrogates, fc.constant(arg('a'.repeat(2048), '"a"×2048'))),
            4,
            1,
          ),
          cacheTTL: position(
            data(fc.oneof(fc.nat(3600), fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constant(null))),
            fc.oneof(hostile(), data(fc.constantFrom<unknown>(-1, NaN, Infinity, '15', 15n))),
            4,
            1,
          ),
          logger: position(validLogger, fc.oneof(hostile(), data(fc.constantFrom<unknown>({}, { error() {} }))), 4, 1),
          connection: fc.constantFrom(
            'none',
            'session',
            'client',
            'v3client',
            'dynamoDBClient',
            'clientOptions',
            'badSession',
            'v2AsV3',
            'two',
          ),
          hooks: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: hooksArg }),
          extra: fc.oneof(
            { weight: 8, arbitrary: fc.constant(undefined) },
            { weight: 1, arbitrary: fc.constantFrom('region', 'tableName', 'prefx', 'attributes') },
          ),
        },
        { requiredKeys: ['connection'] },
      )
      .map(({ connection, hooks, extra, ...r }) => {
        const h = theHarness();
        const session = (): Arg =>
          arg(
            made(h.session({ hooks: false, clock: true, tokenSecret: false, returnConsumedCapacity: undefined })),
            'session',
          );
        const config = (): Arg =>
          arg(
            made({
              region: 'us-east-1',
              endpoint: 'http://127.0.0.1:9',
              credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
            }),
            '{ region, endpoint, credentials }',
          );
        const conn: (readonly [string, Arg])[] =
          connection === 'session'
            ? [['session', session()]]
            : connection === 'client'
              ? [['client', arg(h.counting.client, 'the counting client')]]
              : connection === 'v3client'
                ? [['client', arg(v3Client, 'a v3 DynamoDBClient')]]
                : connection === 'dynamoDBClient'
                  ? [['dynamoDBClient', arg(v3Client, 'a v3 DynamoDBClient')]]
                  : connection === 'clientOptions'
                    ? [['clientOptions', config()]]
                    : connection === 'badSession'
                      ? [['session', arg(Object.create(Session.prototype), 'Object.create(Session.prototype)')]]
                      : connection === 'v2AsV3'
                        ? [['dynamoDBClient', arg(h.counting.client, 'an aws-sdk v2 client')]]
                        : connection === 'two'
                          ? [
                              ['client', arg(h.counting.client, 'the counting client')],
                              ['session', session()],
                            ]
                          : [];
        const entries: (readonly [string, Arg])[] = [
          ...Object.entries(r).filter((e): e is [string, Arg] => e[1] !== undefined),
          ...conn,
          ...(hooks === undefined ? [] : [['hooks', hooks] as const]),
          ...(extra === undefined ? [] : [[extra, arg('x', '"x"')] as const]),
        ];
        return objectArg(entries);
      }),
  },
  { weight: 1, arbitrary: hostile() },
  {
    weight: 1,
    arbitrary: data(
      fc.constantFrom<unknown>(
        { dynamoDBClient: null },
        { session: {} },
        { logger: () => undefined },
        [],
        'launchdarkly',
      ),
    ),
  },
);

entry(
  'DynamoDBFeatureStore',
  3,
  fc
    .record({
      name: position(
        validTableName.map((s) => arg(s, labelOf(s))),
        badString(255),
      ),
      options: storeOptionsArg,
    })
    .map(({ name, options }) => ({
      label: `DynamoDBFeatureStore(${argList(options.value === undefined ? [name] : [name, options])})`,
      verdict: () => featureStoreVerdict(theHarness(), name.value, options.value),
      counted: true,
      run: () => {
        const factory: unknown = DynamoDBFeatureStore(name.value as string, options.value as never);
        if (typeof factory !== 'function') throw new TypeError(`the factory is ${kindOf(factory)}`);
        return 'a factory';
      },
    })),
  maybePollutedNoValue,
);

// The option helpers: called with anything, then given to an operation that takes their option.
for (const spec of HELPERS) {
  const kind = spec.kinds.includes('listing') ? 'listing' : (spec.kinds[0] ?? 'put');
  entry(
    spec.name,
    1,
    fc
      .record({
        args: fc.oneof(
          { weight: 3, arbitrary: spec.args },
          {
            weight: 2,
            arbitrary: fc.array(position(hostile(), fc.constant(arg(undefined, 'undefined')), 4, 1), {
              minLength: spec.arity,
              maxLength: spec.arity + 1,
            }),
          },
        ),
        k: validKey,
        more: fc.array(validOptionObject(kind), { maxLength: 1 }),
        variant: sessionVariant,
      })
      .map(({ args, k, more, variant }) => {
        const label = `${spec.name}(${argList(args)})`;
        const op = kind === 'listing' ? 'listPage' : kind;
        const givenUndefined = spec.given && args.slice(0, spec.arity).some((a) => a.value === undefined);
        return {
          label: `${variantLabel(variant)} table.partition("p").${op}(${argList([k, ...more])}, ${label})`,
          verdict: () =>
            (() => {
              let option: unknown;
              try {
                option = (spec.fn as (...a: unknown[]) => unknown)(...args.map((a) => a.value));
              } catch {
                return UNKNOWN;
              }
              if (givenUndefined && typeof option === 'object' && option !== null) notGiven.add(option);
              const target = { partition: 'p', key: k.value };
              return combine(
                kind === 'listing' ? prefixVerdict(k.value) : keyVerdict(k.value),
                optionsVerdict(kind, [...more.map((m) => m.value), option], target),
              );
            })(),
          counted: true,
          run: async (h: Harness) => {
            const option = (spec.fn as (...a: unknown[]) => unknown)(...args.map((a) => a.value));
            if (typeof option !== 'object' || option === null)
              throw new TypeError(`${spec.name} returned ${kindOf(option)}`);
            if (givenUndefined) notGiven.add(option);
            const partition = h.session(variant).table(TABLE).partition('p');
            const o = [...more.map((m) => m.value), option] as never[];
            switch (op) {
              case 'put':
                return partition.put(k.value as string, ...o);
              case 'atomicPut':
                return partition.atomicPut(k.value as string, ...o);
              case 'get':
                return partition.get(k.value as string, ...o);
              default:
                return partition.listPage(k.value as string, ...o);
            }
          },
        };
      }),
  );
}

// Struct conversion, both SDKs'.
const jsonish = fc.dictionary(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }).filter((s) => s !== '__proto__'),
  fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 10 }),
    fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
  ),
  { maxKeys: 5 },
);

/** Data a converter could lose: a Date, a Map, a Set, a bigint, a class instance, or a cycle. */
const lossy = fc.constantFrom<readonly [string, () => unknown]>(
  ['new Date(0)', () => new Date(0)],
  ['new Map([["a", 1]])', () => new Map([['a', 1]])],
  ['new Set(["a"])', () => new Set(['a'])],
  ['new Set([1, 2])', () => new Set([1, 2])],
  ['new Set()', () => new Set()],
  ['10n', () => 10n],
  ['2n ** 70n', () => 2n ** 70n],
  [
    'new (class Point { x = 1 })()',
    () =>
      new (class Point {
        x = 1;
      })(),
  ],
  [
    'a cycle',
    () => {
      const o: Record<string, unknown> = {};
      o.self = o;
      return o;
    },
  ],
  ['NaN', () => NaN],
  ['Infinity', () => Infinity],
  ['2 ** 60', () => 2 ** 60],
  ['() => 1', () => () => 1],
  ['Symbol()', () => Symbol('s')],
  ['new Uint8Array([1])', () => new Uint8Array([1])],
);

/** Whether the converter answered an empty map for a value that held data: data lost in silence. */
function lostData(input: unknown, output: unknown, depth = 0): string | undefined {
  if (depth > 10 || typeof input !== 'object' || input === null || typeof output !== 'object' || output === null)
    return undefined;
  const holdsData =
    input instanceof Date || (input instanceof Map && input.size > 0) || (input instanceof Set && input.size > 0);
  const m = (output as { M?: unknown }).M;
  if (holdsData && typeof m === 'object' && m !== null && Object.keys(m).length === 0)
    return `${kindOf(input)} became an empty map`;
  if (isPlain(input) && typeof m === 'object' && m !== null) {
    for (const k of Object.keys(input)) {
      const lost = lostData(input[k], (m as Record<string, unknown>)[k], depth + 1);
      if (lost !== undefined) return `${k}: ${lost}`;
    }
  }
  return undefined;
}

for (const [name, marshal, unmarshal] of [
  ['marshalStruct', marshalStruct, unmarshalStruct],
  ['v3 marshalStruct', v3.marshalStruct, v3.unmarshalStruct],
] as const) {
  entry(
    name,
    3,
    fc
      .oneof(
        { weight: 3, arbitrary: jsonish.map((o) => arg(made(o), labelOf(o))) },
        {
          weight: 3,
          arbitrary: fc
            .tuple(
              jsonish,
              fc.string({ minLength: 1, maxLength: 4 }).filter((s) => s !== '__proto__'),
              lossy,
            )
            .map(([o, k, [label, make]]) => {
              const v = { ...o, [k]: make() };
              return arg(v, `{ …${labelOf(o)}, ${JSON.stringify(k)}: ${label} }`);
            }),
        },
        { weight: 2, arbitrary: hostile() },
      )
      .map((input) => ({
        label: `${name}(${input.label})`,
        verdict: () =>
          typeof input.value !== 'object' || input.value === null || Array.isArray(input.value)
            ? invalid(`${kindOf(input.value)} is no struct`)
            : validMade.has(input.value)
              ? VALID
              : UNKNOWN,
        counted: false,
        run: () => marshal(input.value as object),
        check: (o: Outcome) => {
          if (o.settled !== 'resolved') return undefined;
          const lost = lostData(input.value, o.value);
          if (lost !== undefined) return `data lost in silence: ${lost}`;
          if (typeof input.value === 'object' && input.value !== null && validMade.has(input.value)) {
            const back = unmarshal(o.value as AttributeValue);
            if (!sameData(normal(back), normal(input.value)))
              return `round trip changed the value: ${JSON.stringify(normal(back)).slice(0, 200)}`;
          }
          return undefined;
        },
      })),
  );
}

for (const [name, unmarshal] of [
  ['unmarshalStruct', unmarshalStruct],
  ['v3 unmarshalStruct', v3.unmarshalStruct],
] as const) {
  entry(
    name,
    3,
    fc
      .oneof(
        { weight: 3, arbitrary: validAttributeValue.filter((a) => 'M' in (a.value as object)) },
        {
          weight: 2,
          arbitrary: BAD_VALUES.attributeValue!.map((a) => arg({ M: { a: a.value } }, `{ M: { a: ${a.label} } }`)),
        },
        { weight: 1, arbitrary: hostile().map((a) => arg({ M: a.value }, `{ M: ${a.label} }`)) },
        { weight: 2, arbitrary: hostile() },
      )
      .map((input) => ({
        label: `${name}(${input.label})`,
        verdict: () =>
          typeof input.value === 'object' && input.value !== null && validMade.has(input.value)
            ? VALID
            : typeof input.value !== 'object' || input.value === null
              ? invalid(`${kindOf(input.value)} is no map attribute value`)
              : UNKNOWN,
        counted: false,
        run: () => unmarshal(input.value as AttributeValue),
      })),
  );
}

entry(
  'dynamoDBClient',
  1,
  fc
    .oneof(
      { weight: 2, arbitrary: validConfig },
      { weight: 1, arbitrary: fc.constant(arg(undefined, 'undefined')) },
      { weight: 3, arbitrary: configArg },
    )
    .map((config) => ({
      label: `dynamoDBClient(${config.label}).destroy()`,
      verdict: () =>
        config.value === undefined ||
        (typeof config.value === 'object' && config.value !== null && validMade.has(config.value))
          ? VALID
          : isTricky(config.value)
            ? UNKNOWN
            : !isPlain(config.value)
              ? invalid(`config is ${kindOf(config.value)}`)
              : UNKNOWN,
      counted: false,
      run: () => {
        const client = v3.dynamoDBClient(config.value as never);
        client.destroy();
        return 'built';
      },
    })),
  maybePollutedNoValue,
);

entry(
  'openTelemetryHooks',
  2,
  fc
    .oneof(
      { weight: 2, arbitrary: fc.constant(arg(undefined, 'undefined')) },
      {
        weight: 4,
        arbitrary: fc
          .record(
            {
              tracer: fc.oneof(
                fresh("trace.getTracer('fuzz')", () => made(trace.getTracer('fuzz'))),
                hostile(),
              ),
              hooks: hooksArg,
              trcer: fc.constant(arg(1, '1')),
            },
            { requiredKeys: [] },
          )
          .map((r) => objectArg(Object.entries<Arg>(r))),
      },
      { weight: 2, arbitrary: hostile() },
    )
    .map((options) => {
      const o = options.value;
      const verdict = (): Verdict => {
        if (o === undefined) return VALID;
        else if (isTricky(o)) return UNKNOWN;
        else if (!isPlain(o)) return invalid(`options are ${kindOf(o)}`);
        else {
          const tracer = o.tracer;
          return combine(
            ...Object.keys(o).map((k) => (['tracer', 'hooks'].includes(k) ? VALID : invalid(`unknown option ${k}`))),
            tracer === undefined || (typeof tracer === 'object' && tracer !== null && validMade.has(tracer))
              ? VALID
              : typeof tracer !== 'object' || tracer === null
                ? invalid(`tracer is ${kindOf(tracer)}`)
                : UNKNOWN,
            hooksVerdict(o.hooks),
          );
        }
      };
      return {
        label: `new Session({ client, hooks: openTelemetryHooks(${options.label}) }).table("${TABLE}").put("p", "k", { value: "v" })`,
        verdict,
        callbacks: true,
        counted: true,
        run: async (h: Harness) => {
          const hooks = openTelemetryHooks(o as never);
          const session = new Session({ client: h.counting.client, hooks, clock: () => NOW });
          return session.table(TABLE).put('p', 'k', { value: 'v' });
        },
      };
    }),
);

entry(
  'DynastoreError.is',
  1,
  fc
    .tuple(
      fc.oneof(
        hostile(),
        fresh('new DynastoreError("KEY_EXISTS", "x")', () => new DynastoreError('KEY_EXISTS', 'x')),
      ),
      fc.oneof(fc.constant(arg(undefined, 'undefined')), data(fc.constantFrom('KEY_EXISTS', 'NOPE')), hostile()),
    )
    .map(([err, code]) => ({
      label: `DynastoreError.is(${argList([err, code])})`,
      verdict: () => UNKNOWN,
      counted: false,
      run: () => DynastoreError.is(err.value, code.value as never),
      check: (o: Outcome) =>
        o.settled === 'resolved' && typeof o.value !== 'boolean'
          ? `returned ${kindOf(o.value)}: not a boolean`
          : undefined,
    })),
);

entry(
  'operationName',
  1,
  fc.oneof(hostile(), data(fc.constant({ operation: 'Get', command: 'GetItem' }))).map((ctx) => ({
    label: `operationName(${ctx.label})`,
    verdict: () => UNKNOWN,
    counted: false,
    run: () => operationName(ctx.value),
    check: (o: Outcome) =>
      o.settled === 'resolved' && typeof o.value !== 'string' ? `returned ${kindOf(o.value)}: not a string` : undefined,
  })),
);

entry(
  'new KVPair',
  2,
  fc
    .oneof(
      {
        weight: 3,
        arbitrary: fc
          .record(
            {
              partition: validName(2048),
              key: validName(1024),
              version: fc.integer({ min: 1, max: 100 }),
              expires: fc.nat(),
              value: validAttributeValue,
              fields: validAttributeValue.filter((a) => 'M' in (a.value as object)),
            },
            { requiredKeys: ['partition', 'key', 'version'] },
          )
          .map((r) => {
            const init = { ...r, value: r.value?.value, fields: (r.fields?.value as { M?: unknown } | undefined)?.M };
            if (init.value === undefined) delete init.value;
            if (init.fields === undefined) delete init.fields;
            return arg(made(init), labelOf(init));
          }),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.constantFrom('partition', 'key', 'version', 'expires', 'value', 'fields'), hostile())
          .map(([k, v]) =>
            objectArg([
              ['partition', arg('p', '"p"')],
              ['key', arg('k', '"k"')],
              ['version', arg(1, '1')],
              [k, v],
            ]),
          ),
      },
      { weight: 1, arbitrary: hostile() },
    )
    .map((init) => ({
      label: `new KVPair(${init.label}), then stringValue(), bytesValue(), decodeValue(), decodeFields()`,
      verdict: () =>
        typeof init.value === 'object' && init.value !== null && validMade.has(init.value) ? VALID : UNKNOWN,
      counted: false,
      run: () => {
        const kv = new KVPair(init.value as never);
        return { string: kv.stringValue(), bytes: kv.bytesValue(), value: kv.decodeValue(), fields: kv.decodeFields() };
      },
      check: (o: Outcome) => {
        const r = o.value as { string: unknown; bytes: unknown } | undefined;
        if (r === undefined) return undefined;
        if (typeof r.string !== 'string') return `stringValue() returned ${kindOf(r.string)}`;
        if (r.bytes !== undefined && !Buffer.isBuffer(r.bytes)) return `bytesValue() returned ${kindOf(r.bytes)}`;
        return undefined;
      },
    })),
);

entry(
  'new DynastoreError',
  1,
  fc
    .tuple(
      fc.oneof(data(fc.constantFrom('KEY_EXISTS', 'INVALID_ARGUMENT')), hostile()),
      fc.oneof(data(fc.string({ maxLength: 10 })), hugeStrings, hostile()),
      fc.oneof(fc.constant(arg(undefined, 'undefined')), data(fc.constant({ value: 1, cause: 'c' })), hostile()),
    )
    .map((args) => ({
      label: `new DynastoreError(${argList(args)})`,
      verdict: () => UNKNOWN,
      counted: false,
      run: () => {
        const err = new DynastoreError(...(args.map((a) => a.value) as [never, never, never]));
        if (!(err instanceof DynastoreError)) throw new TypeError('not a DynastoreError');
        return { code: err.code, length: err.message.length };
      },
      check: (o: Outcome) => {
        const r = o.value as { length: number } | undefined;
        return r !== undefined && r.length > 1000 ? `message of ${r.length} chars: not bounded` : undefined;
      },
    })),
);

// ---------------------------------------------------------------------------
// The run

interface Found {
  readonly failure: Failure;
  readonly counterexample: string;
  readonly path: string | undefined;
  readonly shrinks: number;
}

interface EntryStats {
  calls: number;
  resolved: number;
  rejected: Map<string, number>;
  other: number;
  invalidRequests: number;
  polluted: number;
}

const stats = new Map<string, EntryStats>();
const foundAll: { entry: string; found: Found }[] = [];

function runsFor(e: Entry): number {
  const sum = entries.reduce((n, x) => n + x.weight, 0);
  return Math.max(20, Math.ceil((TOTAL_CALLS * e.weight) / sum));
}

function tallyUp(name: string, tallies: readonly Tally[]): EntryStats {
  const s: EntryStats = { calls: 0, resolved: 0, rejected: new Map(), other: 0, invalidRequests: 0, polluted: 0 };
  for (const t of tallies) {
    s.invalidRequests += t.invalidRequests;
    if (t.polluted) s.polluted += t.outcomes.length - 1;
    for (const o of t.outcomes) {
      s.calls++;
      if (o.settled === 'resolved') s.resolved++;
      else if (o.error instanceof DynastoreError) s.rejected.set(o.error.code, (s.rejected.get(o.error.code) ?? 0) + 1);
      else s.other++;
    }
  }
  stats.set(name, s);
  return s;
}

async function fuzz(e: Entry, h: Harness): Promise<{ found: Found[]; tallies: Tally[] }> {
  const known = new Map<string, Found>();
  const numRuns = runsFor(e);
  for (let round = 0; ; round++) {
    const tallies: Tally[] = [];
    const ignoreAll = round >= MAX_ROUNDS;
    const property = fc.asyncProperty(e.arb, async (call) => {
      const { failure, tally } = await runCall(h, call);
      tallies.push(tally);
      if (failure !== undefined && !ignoreAll && (PATH !== undefined || !known.has(failure.kind)))
        throw new FuzzFailure(failure);
    });
    const details = await fc.check(property, {
      numRuns,
      seed: SEED,
      ...(PATH === undefined ? {} : { path: PATH }),
      // Shrinking a hang takes 2 s a step: a failure is reported as shrunk as it got by then.
      interruptAfterTimeLimit: 120_000,
    });
    if (!details.failed || details.counterexample === null) return { found: [...known.values()], tallies };
    const err = details.errorInstance;
    const failure =
      err instanceof FuzzFailure ? err.failure : { kind: 'the fuzzer itself failed', detail: errorMessage(err) };
    known.set(failure.kind, {
      failure,
      counterexample: fc.stringify(details.counterexample[0]),
      path: details.counterexamplePath ?? undefined,
      shrinks: details.numShrinks,
    });
    if (PATH !== undefined || !(err instanceof FuzzFailure)) return { found: [...known.values()], tallies: [] };
  }
}

function report(name: string, found: readonly Found[]): string {
  const lines = [`${name}: ${found.length} distinct failure(s), seed ${SEED}`];
  found.forEach((f, i) => {
    lines.push(
      `${i + 1}. ${f.failure.kind}`,
      `   call:   ${f.counterexample}`,
      `   got:    ${f.failure.detail}`,
      `   replay: DYNASTORE_FUZZ_SEED=${SEED} DYNASTORE_FUZZ_ONLY='${name}'${f.path === undefined ? '' : ` DYNASTORE_FUZZ_PATH='${f.path}'`} (${f.shrinks} shrinks)`,
    );
  });
  return lines.join('\n');
}

function markdownTable(): string {
  const rows = [
    '| entry point | calls | resolved | rejected (by code) | other errors | with Object.prototype polluted | requests sent for invalid input |',
    '|---|---:|---:|---|---:|---:|---:|',
  ];
  const total: EntryStats = { calls: 0, resolved: 0, rejected: new Map(), other: 0, invalidRequests: 0, polluted: 0 };
  for (const [name, s] of stats) {
    const rejected =
      [...s.rejected]
        .sort((a, b) => b[1] - a[1])
        .map(([code, n]) => `${code} ${n}`)
        .join(', ') || '0';
    rows.push(
      `| ${name} | ${s.calls} | ${s.resolved} | ${rejected} | ${s.other} | ${s.polluted} | ${s.invalidRequests} |`,
    );
    total.calls += s.calls;
    total.resolved += s.resolved;
    total.other += s.other;
    total.polluted += s.polluted;
    total.invalidRequests += s.invalidRequests;
    for (const [code, n] of s.rejected) total.rejected.set(code, (total.rejected.get(code) ?? 0) + n);
  }
  const rejected = [...total.rejected.values()].reduce((a, b) => a + b, 0);
  rows.push(
    `| **all** | ${total.calls} | ${total.resolved} | ${rejected} | ${total.other} | ${total.polluted} | ${total.invalidRequests} |`,
  );
  return rows.join('\n');
}

describe('public API fuzz', function () {
  let counting: CountingClient;
  let fakeDate: sinon.SinonFakeTimers;
  const sandbox = sinon.createSandbox();

  before(function () {
    // Date.now is the default clock: frozen, so that a run and its polluted twin agree to the millisecond.
    fakeDate = sinon.useFakeTimers({ now: NOW, toFake: ['Date'] });
    // Hooks that throw after the fact are reported as process warnings: thousands, by design.
    sandbox.replace(process, 'emitWarning', () => undefined);
    process.on('unhandledRejection', onUnhandled);
    counting = countingClient(NOW);
    v3Client = v3.dynamoDBClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const h: Harness = {
      counting,
      built: 0,
      session(variant) {
        return new Session({
          client: counting.client,
          ...(variant.hooks
            ? {
                hooks: {
                  requestBuilt: () => {
                    h.built++;
                  },
                },
              }
            : {}),
          ...(variant.clock ? { clock: () => NOW } : {}),
          ...(variant.tokenSecret ? { tokenSecret: 'a secret of at least 16 bytes' } : {}),
          ...(variant.returnConsumedCapacity === undefined
            ? {}
            : { returnConsumedCapacity: variant.returnConsumedCapacity }),
        });
      },
    };
    harness = h;
  });

  after(function () {
    process.off('unhandledRejection', onUnhandled);
    sandbox.restore();
    fakeDate.restore();
    counting.restore();
    v3Client?.destroy();
    if (stats.size > 0) {
      console.log(`\nAPI fuzz, seed ${SEED} (DYNASTORE_FUZZ_SEED replays it)\n\n${markdownTable()}\n`);
    }
    if (foundAll.length > 0) {
      const kinds = new Map<string, string[]>();
      for (const { entry: name, found } of foundAll)
        kinds.set(found.failure.kind, [...(kinds.get(found.failure.kind) ?? []), name]);
      console.log(
        `API fuzz: ${foundAll.length} failures of ${kinds.size} kinds:\n${[...kinds].map(([k, names]) => `- ${k}: ${names.join(', ')}`).join('\n')}\n`,
      );
    }
  });

  // The fuzzer's own machinery, on calls whose outcome is known: a fuzzer that cannot fail proves nothing.
  it('counts requests at the client and in requestBuilt, and fails what breaks the contract', async function () {
    const h = theHarness();
    const plain = { label: 'check', pollution: undefined, entry: 'check', counted: true };
    const put = await runCall(h, {
      ...plain,
      verdict: () => VALID,
      run: (x: Harness) =>
        x
          .session({ hooks: true, clock: true, tokenSecret: false, returnConsumedCapacity: undefined })
          .table(TABLE)
          .put('p', 'k', { value: 'v' }),
    });
    expect(put.failure).to.equal(undefined);
    expect(put.tally.outcomes[0]?.sent.map((r) => r.command)).to.deep.equal(['updateItem']);
    expect(put.tally.outcomes[0]?.built).to.equal(1);
    const failures: (string | undefined)[] = [];
    // One at a time: the harness counts the requests of one call.
    for (const c of [
      { verdict: () => VALID, run: () => (JSON.parse('null') as { valueOf(): unknown }).valueOf() },
      { verdict: () => invalid('bad on purpose'), run: () => 'resolved' },
      { verdict: () => VALID, run: () => Promise.reject(new DynastoreError('INVALID_ARGUMENT', 'refused')) },
      { verdict: () => UNKNOWN, run: () => new Promise(() => undefined) },
      {
        verdict: () => UNKNOWN,
        run: (x: Harness) =>
          x.counting.client
            .putItem({ TableName: TABLE, Item: { id: { S: 'p' }, name: { S: '\ud800' } } })
            .promise()
            .catch(() => 'refused'),
      },
    ]) {
      failures.push((await runCall(h, { ...plain, ...c })).failure?.kind);
    }
    expect(failures).to.deep.equal([
      'TypeError thrown',
      'accepted invalid input',
      'refused valid input (INVALID_ARGUMENT)',
      'hang',
      'sent a request the SDK or DynamoDB refuses',
    ]);
  });

  for (const e of entries) {
    if (ONLY !== undefined && ONLY !== e.name) continue;
    it(`${e.name}: ${runsFor(e)} calls, each resolving or refused with a documented code, nothing sent for bad input`, async function () {
      this.timeout(0);
      const { found, tallies } = await fuzz(e, theHarness());
      const s = tallyUp(e.name, tallies);
      for (const f of found) foundAll.push({ entry: e.name, found: f });
      if (found.length > 0) throw new Error(report(e.name, found));
      if (s.invalidRequests > 0) throw new Error(`${e.name}: ${s.invalidRequests} requests sent for invalid input`);
    });
  }

  if (ONLY === undefined && PATH === undefined) {
    it(`makes at least ${TOTAL_CALLS} calls in all, over every entry point`, function () {
      const all = [...stats.values()];
      const sum = (f: (s: EntryStats) => number): number => all.reduce((n, s) => n + f(s), 0);
      expect(stats.size).to.equal(entries.length);
      expect(sum((s) => s.calls)).to.be.at.least(TOTAL_CALLS);
      // The figure stands for a run in which every entry point passed.
      if (foundAll.length > 0) return;
      const rejected = sum((s) => [...s.rejected.values()].reduce((a, b) => a + b, 0));
      record(
        this,
        'api-fuzz',
        'public API fuzzed: entry points / calls / polluted / rejected with a documented code / other errors / requests sent for invalid input',
        `${stats.size} / ${sum((s) => s.calls)} / ${sum((s) => s.polluted)} / ${rejected} / ${sum((s) => s.other)} / ${sum((s) => s.invalidRequests)}`,
      );
    });
  }
});
