// What the README and the TSDoc say is valid input, for the API fuzzer
// (test/unit/api-fuzz.test.ts): each argument of a fuzzed call is judged
// valid (the call may not refuse it with an input error), invalid (the call
// must refuse it with one, before any request) or unknown (anything
// documented may happen). The model only calls "valid" or "invalid" what the
// documentation settles or, where it is silent, the rule the library keeps
// everywhere else: options are plain objects, and a name nobody takes is
// refused. Whatever it cannot read safely (a Proxy, a getter, see `tricky`)
// or is not specified is "unknown".
import { KVPair } from '../../lib';
import { tricky } from './hostile';

export type Verdict =
  { readonly kind: 'valid' } | { readonly kind: 'invalid'; readonly why: string } | { readonly kind: 'unknown' };

export const VALID: Verdict = { kind: 'valid' };
export const UNKNOWN: Verdict = { kind: 'unknown' };
export function invalid(why: string): Verdict {
  return { kind: 'invalid', why };
}

/** The first invalid verdict; valid only when all are. */
export function combine(...verdicts: Verdict[]): Verdict {
  const bad = verdicts.find((v) => v.kind === 'invalid');
  if (bad !== undefined) return bad;
  return verdicts.every((v) => v.kind === 'valid') ? VALID : UNKNOWN;
}

/** Objects made by a generator of valid input, in a shape the model does not check further. */
export const validMade = new WeakSet();
export function made<T extends object>(o: T): T {
  validMade.add(o);
  return o;
}

/** Option objects a helper returned when called with undefined: the operation must refuse them. */
export const notGiven = new WeakSet();

/** The start key a listing resumes from: a `lastKey` the library gave. */
export const RESUME = Symbol('a lastKey from the previous page');

export function isTricky(v: unknown): boolean {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && tricky.has(v);
}

/** An object literal or JSON object of any realm: its prototype is null or a root object. */
export function isPlain(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || tricky.has(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** What a value is, for a verdict's reason. */
export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  if (tricky.has(v)) return 'a Proxy or an object with getters';
  if (Array.isArray(v)) return 'an array';
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === null) return 'an object of no prototype';
  const name: unknown = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
  return typeof name === 'function' && name.name !== '' ? `a ${name.name}` : 'an object';
}

/** A property as the library reads a nested object: own or from its class, never from a root prototype. */
function prop(o: object, key: string): unknown {
  for (
    let p: object | null = o;
    p !== null && Object.getPrototypeOf(p) !== null;
    p = Object.getPrototypeOf(p) as object | null
  ) {
    if (Object.hasOwn(p, key)) return Reflect.get(o, key);
  }
  return Object.getPrototypeOf(o) === null && Object.hasOwn(o, key) ? Reflect.get(o, key) : undefined;
}

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

/** A number for a reason; anything else by its kind. */
function show(v: unknown): string {
  return typeof v === 'number' ? String(v) : kindOf(v);
}

export function stringVerdict(what: string, v: unknown, maxBytes: number, allowEmpty = false): Verdict {
  if (typeof v !== 'string') return invalid(`${what} is ${kindOf(v)}, not a string`);
  if (!allowEmpty && v === '') return invalid(`${what} is empty`);
  if (!v.isWellFormed()) return invalid(`${what} has a lone surrogate`);
  if (v.length > maxBytes / 3 && utf8(v) > maxBytes) return invalid(`${what} is over ${maxBytes} bytes`);
  return VALID;
}

export const partitionVerdict = (v: unknown): Verdict => stringVerdict('partition', v, 2048);
export const keyVerdict = (v: unknown): Verdict => stringVerdict('key', v, 1024);
export const prefixVerdict = (v: unknown): Verdict => stringVerdict('prefix', v, 1024, true);

const DYNAMO_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
export function tableVerdict(v: unknown): Verdict {
  return typeof v === 'string' && DYNAMO_NAME.test(v) ? VALID : invalid('a bad table name');
}

export function keysVerdict(v: unknown): Verdict {
  if (isTricky(v)) return UNKNOWN;
  if (!Array.isArray(v)) return invalid(`keys is ${kindOf(v)}, not an array`);
  const keys: unknown[] = v;
  return combine(...Array.from({ length: keys.length }, (_, i) => keyVerdict(keys[i])));
}

/** A number DynamoDB stores: zero, or a magnitude from 1e-130 to under 1e126. */
function storable(n: number): boolean {
  const a = Math.abs(n);
  return Number.isFinite(n) && (a === 0 || (a >= 1e-130 && a < 1e126));
}

const RESERVED = new Set(['id', 'name', 'version', 'expires', 'payload']);

function fieldsVerdict(v: unknown): Verdict {
  if (isTricky(v)) return UNKNOWN;
  if (typeof v === 'object' && v !== null && validMade.has(v)) return VALID;
  if (!isPlain(v)) return invalid(`fields is ${kindOf(v)}, not a plain object`);
  const verdicts: Verdict[] = [];
  for (const name of Object.keys(v)) {
    if (RESERVED.has(name)) verdicts.push(invalid(`field ${name} is reserved`));
    else if (name === '' || !name.isWellFormed() || name === '__proto__') verdicts.push(invalid('a bad field name'));
    else if (utf8(name) > 65535) verdicts.push(invalid('a field name over 64 KB'));
    const value = v[name];
    if (isTricky(value)) verdicts.push(UNKNOWN);
    else if (typeof value === 'string')
      verdicts.push(value.isWellFormed() ? VALID : invalid('a field value with a lone surrogate'));
    else if (typeof value === 'boolean' || value instanceof Uint8Array) verdicts.push(VALID);
    else if (typeof value === 'number')
      verdicts.push(storable(value) ? VALID : invalid(`field value ${value} is no DynamoDB number`));
    else verdicts.push(invalid(`a field value is ${kindOf(value)}`));
  }
  return combine(...verdicts);
}

function booleanVerdict(what: string, v: unknown): Verdict {
  return typeof v === 'boolean' ? VALID : invalid(`${what} is ${kindOf(v)}, not a boolean`);
}

/** An AbortSignal, or anything shaped like one: `aborted`, `addEventListener` and `removeEventListener`. */
export function signalVerdict(v: unknown): Verdict {
  if (v === undefined) return VALID;
  if (isTricky(v)) return UNKNOWN;
  if (typeof v !== 'object' || v === null) return invalid(`signal is ${kindOf(v)}`);
  return typeof prop(v, 'aborted') === 'boolean' &&
    typeof prop(v, 'addEventListener') === 'function' &&
    typeof prop(v, 'removeEventListener') === 'function'
    ? VALID
    : invalid(`signal is ${kindOf(v)}, not an AbortSignal`);
}

export interface Target {
  readonly partition: unknown;
  readonly key: unknown;
}

/** A compare-and-swap's previous: a non-negative safe integer version, and its partition and key when present. */
export function previousVerdict(v: unknown, target: Target): Verdict {
  if (v === undefined) return VALID;
  if (isTricky(v)) return UNKNOWN;
  if (typeof v === 'object' && v !== null && validMade.has(v)) return VALID;
  if (typeof v !== 'object' || v === null) return invalid(`previous is ${kindOf(v)}`);
  const version = prop(v, 'version');
  // 0 is the version of an item written by another tool, without one: its KVPair must do as previous.
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    return invalid('previous.version is not a non-negative integer');
  }
  for (const name of ['partition', 'key'] as const) {
    const given = prop(v, name);
    if (given === undefined) continue;
    if (typeof given !== 'string') return invalid(`previous.${name} is not a string`);
    if (given !== target[name]) return invalid(`previous.${name} names another item`);
  }
  return VALID;
}

function indexVerdict(v: unknown): Verdict {
  if (isTricky(v)) return UNKNOWN;
  if (typeof v === 'object' && v !== null && validMade.has(v)) return VALID;
  if (!isPlain(v)) return invalid(`index is ${kindOf(v)}, not a plain object`);
  const { type, name, sortKeyAttribute, partitionKeyAttribute } = Object.fromEntries(
    ['type', 'name', 'sortKeyAttribute', 'partitionKeyAttribute'].map((k) => [
      k,
      Object.hasOwn(v, k) ? v[k] : undefined,
    ]),
  );
  if (type !== 'local' && type !== 'global') return invalid('index.type is neither local nor global');
  if (typeof name !== 'string' || !DYNAMO_NAME.test(name)) return invalid('a bad index name');
  // A key attribute DynamoDB could have: non-empty, well-formed, at most 255 UTF-8 bytes.
  const attr = (a: unknown): boolean =>
    typeof a === 'string' && a !== '' && a.isWellFormed() && Buffer.byteLength(a) <= 255;
  if (!attr(sortKeyAttribute) || (type === 'global' && !attr(partitionKeyAttribute)))
    return invalid('a bad index attribute');
  // DynamoDB makes no index whose partition and sort key are one attribute: what listing one does is not specified.
  if (type === 'global' && partitionKeyAttribute === sortKeyAttribute) return UNKNOWN;
  const known = type === 'global' ? 4 : 3;
  // Members the index does not have are not specified: unknown.
  return Object.keys(v).length === known ? VALID : UNKNOWN;
}

export type OptionKind = 'put' | 'atomicPut' | 'putIfNewer' | 'get' | 'exists' | 'getMany' | 'listing' | 'delete';

const COMMON = ['signal', 'context', 'returnConsumedCapacity'];
const WRITE = [...COMMON, 'value', 'attributeValue', 'fields', 'ttl', 'keepTtl', 'previous'];
const READ = [...COMMON, 'consistent', 'scanIndexForward', 'limit', 'startKey', 'index'];
/** The options each kind of operation takes (the merge accepts; some are then refused, see below). */
export const OPTION_KEYS: Readonly<Record<OptionKind, readonly string[]>> = {
  put: WRITE,
  atomicPut: WRITE,
  putIfNewer: WRITE,
  get: READ,
  exists: READ,
  getMany: READ,
  listing: READ,
  delete: COMMON,
};
/** The options each kind of operation accepts with a value. */
export const TAKEN: Readonly<Record<OptionKind, readonly string[]>> = {
  put: WRITE.filter((k) => k !== 'previous'),
  atomicPut: WRITE,
  // keepTtl: true is then refused (optionsVerdict); false is taken.
  putIfNewer: WRITE.filter((k) => k !== 'previous'),
  get: [...COMMON, 'consistent'],
  exists: [...COMMON, 'consistent'],
  getMany: [...COMMON, 'consistent'],
  listing: READ,
  delete: COMMON,
};

/** How big a write's item is, roughly: near the 400 KB limit nothing is certain. */
function sizeVerdict(target: Target, merged: Map<string, unknown>): Verdict {
  let bytes = 0;
  const add = (s: unknown): void => {
    if (isTricky(s)) return;
    if (typeof s === 'string') bytes += utf8(s);
    else if (s instanceof Uint8Array) bytes += Math.ceil(s.byteLength / 3) * 4;
  };
  add(target.partition);
  add(target.key);
  add(merged.get('value'));
  const fields = merged.get('fields');
  if (isPlain(fields) && !validMade.has(fields)) {
    for (const name of Object.keys(fields)) {
      add(name);
      add(fields[name]);
    }
  }
  if (bytes > 409_600) return invalid(`an item of about ${bytes} bytes, over 400 KB`);
  return bytes > 380_000 ? UNKNOWN : VALID;
}

/**
 * Options merged as the README says (left to right, own enumerable
 * properties, a later one winning, `value` and `attributeValue` one slot,
 * `ttl` and `keepTtl` another),
 * then each judged.
 */
export function optionsVerdict(kind: OptionKind, options: readonly unknown[], target: Target): Verdict {
  const keys = new Set(OPTION_KEYS[kind]);
  const structural: Verdict[] = [];
  let unreadable = false;
  const merged = new Map<string, unknown>();
  for (const option of options) {
    if (option === undefined) continue;
    if (isTricky(option)) {
      unreadable = true;
      continue;
    }
    if (!isPlain(option)) {
      structural.push(invalid(`an option is ${kindOf(option)}, not a plain object`));
      continue;
    }
    if (notGiven.has(option)) structural.push(invalid('a helper was called with undefined'));
    const own = Object.keys(option);
    for (const key of own) if (!keys.has(key)) structural.push(invalid(`unknown option ${JSON.stringify(key)}`));
    // The merge may look at every value (is it a helper's mark?): one that throws when looked at decides.
    if (own.some((key) => isTricky(option[key]))) unreadable = true;
    if (own.includes('value') || own.includes('attributeValue')) {
      if (option.value !== undefined && option.attributeValue !== undefined) {
        structural.push(invalid('value and attributeValue in one option'));
      }
      merged.delete('value');
      merged.delete('attributeValue');
      if (option.value !== undefined) merged.set('value', option.value);
      else if (option.attributeValue !== undefined) merged.set('attributeValue', option.attributeValue);
    }
    if (own.includes('ttl') || own.includes('keepTtl')) {
      if (option.ttl !== undefined && option.keepTtl === true)
        structural.push(invalid('ttl and keepTtl: true in one option'));
      merged.delete('ttl');
      merged.delete('keepTtl');
    }
    for (const key of own) if (key !== 'value' && key !== 'attributeValue') merged.set(key, option[key]);
  }
  if (unreadable) return combine(...structural, UNKNOWN);
  const taken = new Set(TAKEN[kind]);
  const verdicts: Verdict[] = [...structural];
  for (const [key, value] of merged) {
    if (value === undefined) continue;
    if (!taken.has(key)) {
      verdicts.push(invalid(`${kind} does not take ${key}`));
      continue;
    }
    verdicts.push(valueVerdict(key, value, target));
  }
  if (kind === 'putIfNewer' && merged.get('keepTtl') === true)
    verdicts.push(invalid('putIfNewer does not take keepTtl'));
  if (kind === 'put' || kind === 'atomicPut' || kind === 'putIfNewer') verdicts.push(sizeVerdict(target, merged));
  return combine(...verdicts);
}

function valueVerdict(key: string, value: unknown, target: Target): Verdict {
  if (isTricky(value)) return UNKNOWN;
  switch (key) {
    case 'value':
      if (typeof value === 'string') return value.isWellFormed() ? VALID : invalid('value has a lone surrogate');
      return value instanceof Uint8Array ? VALID : invalid(`value is ${kindOf(value)}`);
    case 'attributeValue':
      if (typeof value === 'object' && value !== null && validMade.has(value)) return VALID;
      return isPlain(value) ? UNKNOWN : invalid(`attributeValue is ${kindOf(value)}`);
    case 'fields':
      return fieldsVerdict(value);
    case 'ttl':
      return typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 8.64e15
        ? VALID
        : invalid(`ttl ${show(value)} is no positive finite number`);
    case 'previous':
      return previousVerdict(value, target);
    case 'signal':
      return signalVerdict(value);
    case 'context':
      return isPlain(value) ? VALID : invalid(`context is ${kindOf(value)}`);
    case 'returnConsumedCapacity':
    case 'keepTtl':
    case 'consistent':
    case 'scanIndexForward':
      return booleanVerdict(key, value);
    case 'limit':
      return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 2 ** 31 - 1
        ? VALID
        : invalid(`limit ${show(value)} is out of range`);
    case 'startKey':
      if (value === RESUME || value === '') return VALID;
      return typeof value === 'string' ? UNKNOWN : invalid(`startKey is ${kindOf(value)}`);
    case 'index':
      return indexVerdict(value);
    default:
      return UNKNOWN;
  }
}

const LOCK_KEYS = new Set(['ttl', 'heartbeat', 'wait', 'retry', 'value', 'signal']);

/** Lock options, as LockOptions documents them. */
export function lockVerdict(v: unknown): Verdict {
  if (v === undefined) return VALID;
  if (isTricky(v)) return UNKNOWN;
  if (!isPlain(v)) return invalid(`lock options are ${kindOf(v)}, not a plain object`);
  const verdicts: Verdict[] = [];
  for (const key of Object.keys(v))
    if (!LOCK_KEYS.has(key)) verdicts.push(invalid(`unknown lock option ${JSON.stringify(key)}`));
  const get = (k: string): unknown => (Object.hasOwn(v, k) ? v[k] : undefined);
  const values = ['ttl', 'heartbeat', 'wait', 'retry', 'value', 'signal'].map(get);
  if (values.some(isTricky)) return combine(...verdicts, UNKNOWN);
  const [ttl = 20_000, heartbeat, wait, retry, value, signal] = values;
  const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);
  if (!finite(ttl) || ttl < 1000 || ttl > 2 ** 31 - 1) verdicts.push(invalid('ttl out of range'));
  else if (
    heartbeat !== undefined &&
    heartbeat !== false &&
    (!finite(heartbeat) || heartbeat < 100 || heartbeat > ttl / 2)
  ) {
    verdicts.push(invalid('heartbeat out of range'));
  }
  if (wait !== undefined && (!finite(wait) || wait < 0)) verdicts.push(invalid('wait out of range'));
  if (retry !== undefined && (!finite(retry) || retry <= 0)) verdicts.push(invalid('retry out of range'));
  if (value !== undefined && (typeof value !== 'string' || !value.isWellFormed()))
    verdicts.push(invalid('a bad lock value'));
  else if (typeof value === 'string' && Buffer.byteLength(value) > 409_600)
    verdicts.push(invalid('a lock value over the 400 KB item limit'));
  // Whether a value near the limit fits depends on the partition and key, which this model does not see.
  else if (typeof value === 'string' && Buffer.byteLength(value) > 409_600 - 4096) verdicts.push(UNKNOWN);
  verdicts.push(signalVerdict(signal));
  return combine(...verdicts);
}

/** What a generated callback (a clock, a hook) does, so that the model knows without calling it. */
export interface Behaviour {
  readonly returns?: unknown;
  /** It throws: a CallbackError (the user's own error) or another value. */
  readonly throws?: 'error' | 'value';
  /** It returns a promise. */
  readonly async?: boolean;
}
export const behaviours = new WeakMap<object, Behaviour>();

/** The earliest time a clock may say: milliseconds since 2000, so a clock in seconds is refused. */
const CLOCK_MIN = Date.UTC(2000, 0, 1);

export function clockVerdict(v: unknown): Verdict {
  if (v === undefined) return VALID;
  if (typeof v !== 'function') return invalid(`clock is ${kindOf(v)}, not a function`);
  const b = behaviours.get(v);
  if (b === undefined || b.throws !== undefined) return UNKNOWN;
  const r = b.returns;
  return typeof r === 'number' && Number.isFinite(r) && r >= CLOCK_MIN && r <= 8.64e15
    ? VALID
    : invalid(`the clock returns ${typeof r === 'number' ? String(r) : kindOf(r)}`);
}

const HOOK_NAMES = new Set(['requestBuilt', 'requestCompleted', 'operationCompleted']);

/** Hooks, as documented; what a requestBuilt returns matters only when a request is built (`used`). */
export function hooksVerdict(v: unknown, used = true): Verdict {
  if (v === undefined) return VALID;
  if (isTricky(v)) return UNKNOWN;
  if (!isPlain(v)) return invalid(`hooks are ${kindOf(v)}, not a plain object`);
  const verdicts: Verdict[] = [];
  for (const name of Object.keys(v)) {
    if (!HOOK_NAMES.has(name)) verdicts.push(invalid(`unknown hook ${JSON.stringify(name)}`));
    const hook = v[name];
    if (hook !== undefined && typeof hook !== 'function') verdicts.push(invalid(`hooks.${name} is not a function`));
    else if (typeof hook === 'function') {
      const b = behaviours.get(hook);
      if (b === undefined || (b.returns !== undefined && isTricky(b.returns))) verdicts.push(UNKNOWN);
      // requestBuilt must be synchronous; what a throwing one fails with is not settled (its own Error, or a
      // DynastoreError for a value that is not one).
      else if (name === 'requestBuilt' && b.async === true) {
        verdicts.push(used ? invalid('requestBuilt returns a promise') : VALID);
      } else if (name === 'requestBuilt' && b.throws !== undefined) verdicts.push(UNKNOWN);
      else verdicts.push(VALID);
    }
  }
  return combine(...verdicts);
}

/**
 * Session options: only the documented keys, each checked. What the clock
 * returns is checked when it is read: `used` says the session is used after.
 */
export function sessionVerdict(v: unknown, used: boolean, clientOk: (client: unknown) => Verdict): Verdict {
  if (v === undefined) return VALID;
  if (isTricky(v)) return UNKNOWN;
  if (!isPlain(v)) return invalid(`session options are ${kindOf(v)}, not a plain object`);
  const verdicts: Verdict[] = [];
  const known = ['client', 'config', 'hooks', 'returnConsumedCapacity', 'clock', 'tokenSecret'];
  for (const key of Object.keys(v))
    if (!known.includes(key)) verdicts.push(invalid(`unknown session option ${JSON.stringify(key)}`));
  const get = (k: string): unknown => (Object.hasOwn(v, k) ? v[k] : undefined);
  const [client, config, hooks, rcc, clock, secret] = known.map(get);
  if ([client, config, hooks, rcc, clock, secret].some(isTricky)) return combine(...verdicts, UNKNOWN);
  if (client !== undefined && config !== undefined) verdicts.push(invalid('both client and config'));
  if (client !== undefined) verdicts.push(clientOk(client));
  if (config !== undefined) {
    if (!isPlain(config)) verdicts.push(invalid(`config is ${kindOf(config)}`));
    else verdicts.push(validMade.has(config) ? VALID : UNKNOWN);
  }
  verdicts.push(hooksVerdict(hooks, used), used || typeof clock !== 'function' ? clockVerdict(clock) : VALID);
  if (rcc !== undefined) verdicts.push(booleanVerdict('returnConsumedCapacity', rcc));
  if (secret !== undefined) {
    const bytes = typeof secret === 'string' ? utf8(secret) : secret instanceof Uint8Array ? secret.byteLength : -1;
    if (bytes < 16) verdicts.push(invalid('tokenSecret is not 16 bytes or more'));
    else verdicts.push(typeof secret === 'string' && !secret.isWellFormed() ? UNKNOWN : VALID);
  }
  return combine(...verdicts);
}

/** A caller's version (putIfNewer, a putMany item): a safe integer from `min`. */
export function versionVerdict(v: unknown, min: 0 | 1): Verdict {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min
    ? VALID
    : invalid(`version ${show(v)} is no integer from ${min}`);
}

const BATCH_OPTION_KEYS = new Set(['signal', 'context', 'returnConsumedCapacity', 'onProgress']);

/** Options of putMany and deleteMany: one plain object of the common options and `onProgress`. */
export function batchOptionsVerdict(v: unknown): Verdict {
  if (v === undefined) return VALID;
  if (isTricky(v)) return UNKNOWN;
  if (!isPlain(v) || Array.isArray(v)) return invalid(`batch options are ${kindOf(v)}, not a plain object`);
  // An unknown name is refused whatever its value, undefined included, as the library's merge refuses it.
  const unknown = Object.keys(v).filter((k) => !BATCH_OPTION_KEYS.has(k));
  if (unknown.length > 0) return invalid(`unknown batch option ${JSON.stringify(unknown[0])}`);
  const { onProgress, ...common } = v;
  if (isTricky(onProgress)) return UNKNOWN;
  return combine(
    onProgress === undefined || typeof onProgress === 'function' ? VALID : invalid('onProgress is not a function'),
    optionsVerdict('delete', [common], { partition: undefined, key: undefined }),
  );
}

const ITEM_KEYS = new Set(['key', 'version', 'value', 'attributeValue', 'fields', 'ttl']);

/** putMany's items: an array of plain objects `{ key, version?, value?, attributeValue?, fields?, ttl? }`, keys distinct. */
export function putManyVerdict(items: unknown, partition: unknown): Verdict {
  if (isTricky(items)) return UNKNOWN;
  if (!Array.isArray(items)) return invalid(`items is ${kindOf(items)}, not an array`);
  const list: unknown[] = items;
  const verdicts: Verdict[] = [];
  const seen = new Set<unknown>();
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (isTricky(item)) {
      verdicts.push(UNKNOWN);
      continue;
    }
    if (!isPlain(item) || Array.isArray(item)) {
      verdicts.push(invalid(`items[${i}] is ${kindOf(item)}`));
      continue;
    }
    const own = Object.keys(item);
    for (const k of own) if (!ITEM_KEYS.has(k)) verdicts.push(invalid(`unknown item property ${JSON.stringify(k)}`));
    const get = (k: string): unknown => (Object.hasOwn(item, k) ? item[k] : undefined);
    const [key, version] = [get('key'), get('version')];
    if ([key, version].some(isTricky)) {
      verdicts.push(UNKNOWN);
      continue;
    }
    verdicts.push(keyVerdict(key));
    if (seen.has(key)) verdicts.push(invalid(`key ${String(key)} given twice`));
    seen.add(key);
    verdicts.push(version === undefined ? VALID : versionVerdict(version, 0));
    const parts: Record<string, unknown> = {};
    for (const k of ['value', 'attributeValue', 'fields', 'ttl']) if (Object.hasOwn(item, k)) parts[k] = item[k];
    verdicts.push(optionsVerdict('put', [parts], { partition, key }));
  }
  return combine(...verdicts);
}

/** A duplicate-free array of keys, as deleteMany takes it. */
export function deleteManyVerdict(keys: unknown): Verdict {
  const v = keysVerdict(keys);
  if (v.kind !== 'valid' || !Array.isArray(keys)) return v;
  return new Set(keys).size === keys.length ? VALID : invalid('a key given twice');
}

const ROLES = ['partitionKey', 'sortKey', 'value', 'version', 'expires'];
const DEFAULT_NAMES = ['id', 'name', 'payload', 'version', 'expires'];

/** TableOptions: undefined, or a plain object of `attributes` only, five distinct DynamoDB attribute names. */
export function tableOptionsVerdict(v: unknown): Verdict {
  if (v === undefined) return VALID;
  if (isTricky(v)) return UNKNOWN;
  if (!isPlain(v) || Array.isArray(v)) return invalid(`table options are ${kindOf(v)}`);
  const own = Reflect.ownKeys(v);
  if (own.some((k) => k !== 'attributes')) return invalid('an unknown table option');
  const attributes = Object.hasOwn(v, 'attributes') ? v.attributes : undefined;
  if (attributes === undefined) return VALID;
  if (isTricky(attributes)) return UNKNOWN;
  if (!isPlain(attributes) || Array.isArray(attributes)) return invalid(`attributes are ${kindOf(attributes)}`);
  if (Reflect.ownKeys(attributes).some((k) => typeof k !== 'string' || !ROLES.includes(k)))
    return invalid('an unknown attribute role');
  const names = ROLES.map((role, i) => {
    const given = Object.hasOwn(attributes, role) ? attributes[role] : undefined;
    return given === undefined ? DEFAULT_NAMES[i] : given;
  });
  if (names.some(isTricky)) return UNKNOWN;
  for (const n of names) {
    if (typeof n !== 'string' || n === '' || !n.isWellFormed() || utf8(n) > 255 || n === '__proto__')
      return invalid(`attribute name ${kindOf(n)} is no DynamoDB attribute name`);
  }
  return new Set(names).size === names.length ? VALID : invalid('two attributes share a name');
}

/** A KVPair of the given item, as `previous` of a compare-and-swap. */
export function pair(partition: string, key: string, version: number): KVPair {
  return new KVPair({ partition, key, version });
}
