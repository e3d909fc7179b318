import type { AttributeMap, AttributeValue } from './attribute';
import { DynastoreError, invalidArgument, quote } from './errors';
import { describeValue, isStorableNumber, utf8Length } from './validate';

// marshalStruct and unmarshalStruct: dynastore's own converter, the same for
// the root entry and `dynastore/v3` whichever SDK is installed. Neither
// SDK's converter is used: aws-sdk v2's turns a Date, a bigint or a Map into
// `{}`, a Set into an attribute value DynamoDB refuses later, and reads
// inherited properties; v3's drops functions and undefined list members
// without a word. Both recurse into a cycle until the stack runs out.

/**
 * Maps and lists nest at most 31 inside the map marshalStruct returns, as
 * validate.ts checks a payload: DynamoDB Local refuses a container inside 31
 * others.
 */
const MAX_DEPTH = 31;

/** unmarshalStruct reads a little deeper than DynamoDB stores (32 levels), and no deeper, so a cycle ends. */
const MAX_READ_DEPTH = 32;

/** |n| from here on is beyond DynamoDB's numbers (under 1e126), checked before a bigint is printed. */
const BIGINT_LIMIT = 10n ** 126n;

/**
 * Converts an object into a map attribute value, ready for
 * `writeWithAttributeValue` (Go's `MarshalStruct`). The same function, with
 * the same rules, as `marshalStruct` of `dynastore/v3`; no SDK converter is
 * involved.
 *
 * What each value becomes, and reads back as with {@link unmarshalStruct}:
 *
 * | value | stored as | reads back as |
 * |---|---|---|
 * | string | S | the string |
 * | number | N | the number; `-0` is stored as `0` |
 * | bigint | N | a number when it is a safe integer, else the bigint |
 * | boolean | BOOL | the boolean |
 * | null | NULL | null |
 * | `Uint8Array`, `Buffer` | B | bytes (a `Uint8Array`; a `Buffer` on aws-sdk v2) |
 * | array | L | an array |
 * | `Set` of strings / of numbers or bigints / of `Uint8Array`s | SS / NS / BS | a `Set` |
 * | aws-sdk v2 `DynamoDBSet` (`createSet`) | SS / NS / BS | a `Set` |
 * | `NumberValue` of either SDK | N, its digits as they are | a number, or a bigint beyond 2^53 |
 * | `Date` | S, its `toISOString()` | the ISO 8601 string |
 * | `Map` with string keys | M | a plain object |
 * | `String`, `Number`, `Boolean` objects | as their primitive | the primitive |
 * | plain object, or instance of a class | M of its own enumerable string-keyed properties | a plain object |
 *
 * An object member that is `undefined` is left out, as `JSON.stringify`
 * does; properties keyed by a symbol, and non-enumerable or inherited ones,
 * are not data and are not read. Each property is read once.
 *
 * Refused at once, with `INVALID_ARGUMENT` naming the path of the value
 * (such as `value.created` or `value.tags[2]`), before anything is sent:
 * - NaN and ±Infinity; an integer beyond `Number.MAX_SAFE_INTEGER` (it may
 *   have lost digits already: give a bigint); a number or bigint outside
 *   DynamoDB's range (38 significant digits, magnitude 1e-130 to under 1e126);
 * - `undefined` in an array and a sparse array's holes (leaving them out
 *   would move the members after them); `undefined` in a Set;
 * - functions and symbols anywhere;
 * - an empty Set (DynamoDB stores none), a Set mixing kinds or holding
 *   anything else, a Set whose members are equal as DynamoDB compares them
 *   (`1` and `1n`, or two byte arrays of the same bytes);
 * - an invalid Date; a Map with a key that is not a string;
 * - an object that is not plain (of a class) with no own enumerable
 *   properties, as nothing of it would be stored: a `RegExp`, a `URL`, an
 *   `Error`, a `WeakMap`, a `Promise`;
 * - binary data other than a `Uint8Array` (`ArrayBuffer`, `DataView`,
 *   `Int16Array` and the like, or a Proxy of a `Uint8Array`): give a
 *   `Uint8Array` over its bytes;
 * - a string that is not well-formed Unicode (a lone surrogate); a key that
 *   is empty, not well-formed, `__proto__`, or over 64 KB;
 * - a cycle, and maps and lists nested more than 31 deep;
 * - a getter or a Proxy that throws: its error is the `cause`.
 *
 * @param value - a plain object, a class instance or a `Map`: the top is always a map
 * @example
 * ```ts
 * await customers.put('c1', writeWithAttributeValue(marshalStruct({ name: 'welcome', tags: ['a'] })));
 * const customer = unmarshalStruct<Customer>((await customers.get('c1')).value);
 * ```
 */
export function marshalStruct(value: object): AttributeValue {
  const m = new Marshal('marshalStruct');
  return m.run(() => {
    // Checked at run time too: JavaScript callers can pass anything.
    const input: unknown = value;
    const top = typeof input === 'object' && input !== null ? m.convert(input, 'value', 0) : undefined;
    if (top?.M === undefined) {
      throw m.refused(
        invalidArgument(
          `marshalStruct takes an object (a plain object, a class instance or a Map), got ${describeValue(input)}`,
          input,
        ),
      );
    }
    return top;
  }, value);
}

/**
 * Converts a map attribute value, such as `KVPair.value`, back into a plain
 * object (Go's `UnmarshalStruct`). The same function as `unmarshalStruct` of
 * `dynastore/v3`. S reads as a string, N as a number, or as a bigint for an
 * integer beyond `Number.MAX_SAFE_INTEGER` (a fraction reads as the nearest
 * number), B as the bytes the SDK gave, BOOL as a boolean, NULL as null, L
 * as an array, M as a plain object, SS, NS and BS as a `Set`. Only own
 * properties are read; a key `__proto__` becomes an own property.
 *
 * `INVALID_ARGUMENT`, naming the path, for what is not a map attribute
 * value or holds something DynamoDB does not store: not exactly one type
 * member, a member of the wrong kind, a number that is not one, a number
 * beyond `Number.MAX_SAFE_INTEGER` with a fraction (neither a number nor a
 * bigint holds it), nesting deeper than 32.
 *
 * @example
 * ```ts
 * const customer = unmarshalStruct<Customer>((await customers.get('c1')).value);
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the decoded type
export function unmarshalStruct<T = Record<string, unknown>>(value: AttributeValue | undefined): T {
  const m = new Marshal('unmarshalStruct');
  return m.run(() => {
    const map = m.readMember(value, 'M');
    if (typeof map !== 'object' || map === null || Array.isArray(map)) {
      throw m.refused(
        invalidArgument(`unmarshalStruct takes a map attribute value ({ M: ... }), got ${describeValue(value)}`, value),
      );
    }
    return m.native(value, 'value', 0) as T;
  }, value);
}

/** One conversion: the path being read, and the containers open above it. */
class Marshal {
  /** Where the conversion is, for the message when user code (a getter, a Proxy trap) throws. */
  private at = 'value';
  private readonly open = new Set<object>();

  constructor(private readonly fn: string) {}

  /** The refusals this conversion made, told apart from whatever user code throws, a DynastoreError too. */
  private readonly refusals = new WeakSet<DynastoreError>();

  /** INVALID_ARGUMENT for the value at `path`. */
  private refuse(path: string, why: string, value: unknown): DynastoreError {
    return this.refused(invalidArgument(`${this.fn}: ${path} ${why}`, value));
  }

  /** `err`, known as one of this conversion's refusals. */
  refused(err: DynastoreError): DynastoreError {
    this.refusals.add(err);
    return err;
  }

  /** Runs a conversion: anything but its own refusals becomes INVALID_ARGUMENT at the path being read. */
  run<T>(convert: () => T, value: unknown): T {
    try {
      return convert();
    } catch (err) {
      if (err instanceof DynastoreError && this.refusals.has(err)) throw err;
      const reason = thrownReason(err);
      throw new DynastoreError('INVALID_ARGUMENT', `${this.fn}: ${this.at} could not be read${reason}`, {
        cause: err,
        value,
      });
    }
  }

  /** A member of an object as a getter or Proxy gives it, read once. */
  readMember(o: unknown, key: string): unknown {
    if (typeof o !== 'object' || o === null) return undefined;
    return Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined;
  }

  convert(v: unknown, path: string, depth: number): AttributeValue {
    this.at = path;
    switch (typeof v) {
      case 'string':
        return { S: this.string(v, path) };
      case 'number':
        return { N: this.number(v, path) };
      case 'bigint':
        return { N: this.bigint(v, path) };
      case 'boolean':
        return { BOOL: v };
      case 'undefined':
        throw this.refuse(path, 'is undefined, which a list cannot hold: use null, or leave the member out', v);
      case 'symbol':
        throw this.refuse(path, 'is a symbol, which DynamoDB cannot store', v);
      case 'function':
        throw this.refuse(path, 'is a function, which DynamoDB cannot store', v);
    }
    if (v === null) return { NULL: true };
    return this.object(v as object, path, depth);
  }

  private object(v: object, path: string, depth: number): AttributeValue {
    if (v instanceof Uint8Array) {
      // A Proxy of one has no bytes of its own: the SDKs could not send it.
      if (!ArrayBuffer.isView(v)) throw this.refuse(path, 'is a Proxy of a Uint8Array: give the Uint8Array itself', v);
      return { B: v };
    }
    if (v instanceof Date) {
      const time = Date.prototype.getTime.call(v);
      if (Number.isNaN(time)) throw this.refuse(path, 'is an invalid Date', v);
      return { S: Date.prototype.toISOString.call(v) };
    }
    if (v instanceof String) return this.convert(String.prototype.valueOf.call(v), path, depth);
    if (v instanceof Number) return this.convert(Number.prototype.valueOf.call(v), path, depth);
    if (v instanceof Boolean) return this.convert(Boolean.prototype.valueOf.call(v), path, depth);
    if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
      throw this.refuse(path, `is ${describeValue(v)}: give a Uint8Array over its bytes`, v);
    }
    const numberValue = numberValueText(v);
    if (numberValue !== undefined) {
      if (!isStorableNumber(numberValue)) {
        throw this.refuse(path, `is a NumberValue of ${quote(numberValue)}, not a number DynamoDB stores`, v);
      }
      return { N: numberValue };
    }
    if (v instanceof Set) return this.set([...(v as Set<unknown>)], path, v);
    const v2Set = v2SetMembers(v);
    if (v2Set !== undefined) return this.set(v2Set, path, v);

    if (depth >= MAX_DEPTH) {
      throw this.refuse(
        path,
        `nests deeper than DynamoDB stores: at most ${MAX_DEPTH} maps and lists inside one another`,
        v,
      );
    }
    if (this.open.has(v)) throw this.refuse(path, 'refers back to an object that holds it (a cycle)', v);
    this.open.add(v);
    try {
      if (Array.isArray(v)) return this.list(v, path, depth);
      if (v instanceof Map) return this.map(v as Map<unknown, unknown>, path, depth);
      return this.record(v, path, depth);
    } finally {
      this.open.delete(v);
    }
  }

  private list(v: readonly unknown[], path: string, depth: number): AttributeValue {
    const list: AttributeValue[] = [];
    const length = v.length;
    for (let i = 0; i < length; i++) {
      const at = `${path}[${i}]`;
      this.at = at;
      if (!(i in v))
        throw this.refuse(at, 'is a hole in a sparse array, which a list cannot hold: use null', undefined);
      list.push(this.convert(v[i], at, depth + 1));
    }
    return { L: list };
  }

  private map(v: Map<unknown, unknown>, path: string, depth: number): AttributeValue {
    const map: AttributeMap = {};
    for (const [key, member] of v) {
      if (typeof key !== 'string') {
        throw this.refuse(path, `is a Map with a key that is not a string (${describeValue(key)})`, v);
      }
      this.member(map, key, member, path, depth);
      this.at = path;
    }
    return { M: map };
  }

  private record(v: object, path: string, depth: number): AttributeValue {
    const keys = Object.keys(v);
    const proto: unknown = Object.getPrototypeOf(v);
    if (keys.length === 0 && proto !== null && proto !== Object.prototype) {
      throw this.refuse(
        path,
        `is ${describeValue(v)} with no own enumerable properties: nothing of it would be stored`,
        v,
      );
    }
    const map: AttributeMap = {};
    for (const key of keys) {
      this.at = pathOf(path, key);
      this.member(map, key, (v as Record<string, unknown>)[key], path, depth);
    }
    return { M: map };
  }

  /** One member of a map: an undefined one is left out. */
  private member(map: AttributeMap, key: string, member: unknown, path: string, depth: number): void {
    const at = pathOf(path, key);
    this.checkKey(key, path);
    if (member === undefined) return;
    const converted = this.convert(member, at, depth + 1);
    // `__proto__` is refused by checkKey; plain assignment is safe for every other key.
    map[key] = converted;
  }

  private set(members: readonly unknown[], path: string, set: object): AttributeValue {
    if (members.length === 0) {
      throw this.refuse(path, 'is an empty Set, which DynamoDB cannot store: leave it out, or use an empty array', set);
    }
    const kinds = new Set(members.map(setKind));
    const kind = kinds.size === 1 ? [...kinds][0] : undefined;
    if (kind === undefined || kind === 'other') {
      const shown = [...new Set(members.slice(0, 100).map((m) => describeValue(m)))].slice(0, 3).join(', ');
      throw this.refuse(
        path,
        `is a Set of ${shown}: a DynamoDB set holds only strings, only numbers (and bigints), or only Uint8Arrays`,
        set,
      );
    }
    const texts: string[] = [];
    const seen = new Set<string>();
    members.forEach((m, i) => {
      const at = `${path} (member ${i + 1})`;
      let text: string;
      let key: string;
      if (kind === 'bytes') {
        const b = m as Uint8Array;
        key = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
        text = '';
      } else {
        text =
          kind === 'string'
            ? this.string(m as string, at)
            : typeof m === 'bigint'
              ? this.bigint(m, at)
              : typeof m === 'number'
                ? this.number(m, at)
                : (this.convert(m, at, 0).N as string);
        key = text;
      }
      if (seen.has(key)) {
        throw this.refuse(
          path,
          `is a Set whose members ${describeValue(m)} and another are equal as DynamoDB stores them`,
          set,
        );
      }
      seen.add(key);
      texts.push(text);
    });
    if (kind === 'bytes') return { BS: members as Uint8Array[] };
    return kind === 'string' ? { SS: texts } : { NS: texts };
  }

  private string(s: string, path: string): string {
    if (!s.isWellFormed())
      throw this.refuse(path, `${describeValue(s)} is not well-formed Unicode (it has a lone surrogate)`, s);
    return s;
  }

  private number(n: number, path: string): string {
    if (!Number.isFinite(n)) throw this.refuse(path, `is ${n}, which DynamoDB cannot store`, n);
    if (Number.isInteger(n) && !Number.isSafeInteger(n)) {
      throw this.refuse(
        path,
        `is ${n}, beyond Number.MAX_SAFE_INTEGER: it may have lost digits already; give a bigint`,
        n,
      );
    }
    const text = String(n);
    if (!isStorableNumber(text))
      throw this.refuse(path, `is ${n}, outside DynamoDB's range (magnitude 1e-130 to under 1e126)`, n);
    return text;
  }

  private bigint(n: bigint, path: string): string {
    const text = n >= BIGINT_LIMIT || n <= -BIGINT_LIMIT ? undefined : n.toString();
    if (text === undefined || !isStorableNumber(text)) {
      throw this.refuse(
        path,
        `is ${describeValue(n)}, beyond DynamoDB's numbers (38 significant digits, under 1e126)`,
        n,
      );
    }
    return text;
  }

  /** A key DynamoDB stores as a map key, and both SDKs send and read back as it is. */
  private checkKey(key: string, path: string): void {
    if (key === '') throw this.refuse(path, 'has an empty key, which DynamoDB refuses in a map', key);
    if (!key.isWellFormed()) throw this.refuse(path, `has a key ${quote(key)} that is not well-formed Unicode`, key);
    if (key === '__proto__') {
      // aws-sdk v2 builds and parses its JSON by assignment, so it drops this key both ways.
      throw this.refuse(path, 'has the key "__proto__", which cannot be sent or read back through aws-sdk v2', key);
    }
    if (key.length * 3 > 65535 && utf8Length(key) > 65535) {
      throw this.refuse(path, `has a key ${quote(key)} over DynamoDB's 64 KB limit`, key);
    }
  }

  /**
   * A stored number as unmarshalStruct reads it: a number within
   * `Number.MAX_SAFE_INTEGER`, an exact bigint for an integer beyond it.
   */
  private nativeNumber(text: string, path: string): number | bigint {
    if (!isStorableNumber(text)) throw this.refuse(path, `${quote(text)} is not a number DynamoDB stores`, text);
    const n = Number(text);
    if (Math.abs(n) <= Number.MAX_SAFE_INTEGER) return n;
    const big = exactInteger(text);
    if (big === undefined) {
      throw this.refuse(
        path,
        `${quote(text)} is beyond Number.MAX_SAFE_INTEGER with a fraction, which neither a number nor a bigint holds: read the attribute value itself`,
        text,
      );
    }
    return big;
  }

  /** A JavaScript value from an attribute value, by unmarshalStruct's rules. */
  native(av: unknown, path: string, depth: number): unknown {
    this.at = path;
    if (typeof av !== 'object' || av === null || Array.isArray(av)) {
      throw this.refuse(path, `must be an attribute value such as { S: 'x' }, got ${describeValue(av)}`, av);
    }
    const types = Object.keys(av).filter((k) => (av as Record<string, unknown>)[k] !== undefined);
    const type = types.length === 1 ? types[0] : undefined;
    const v = type === undefined ? undefined : (av as Record<string, unknown>)[type];
    const bad = (what: string): DynastoreError =>
      this.refuse(path, `${type ?? ''} must be ${what}, got ${describeValue(v)}`, av);
    switch (type) {
      case 'S':
        if (typeof v !== 'string') throw bad('a string');
        return v;
      case 'N':
        if (typeof v !== 'string') throw bad('a number as a string');
        return this.nativeNumber(v, path);
      case 'B':
        if (!(v instanceof Uint8Array)) throw bad('bytes (a Uint8Array)');
        return v;
      case 'BOOL':
        if (typeof v !== 'boolean') throw bad('a boolean');
        return v;
      case 'NULL':
        return null;
      case 'SS':
      case 'NS':
      case 'BS': {
        if (!Array.isArray(v)) throw bad('an array');
        const members: unknown[] = [];
        for (let i = 0; i < v.length; i++) {
          const m: unknown = v[i];
          const at = `${path}.${type}[${i}]`;
          if (type === 'SS' && typeof m !== 'string')
            throw this.refuse(at, `must be a string, got ${describeValue(m)}`, av);
          if (type === 'NS' && typeof m !== 'string')
            throw this.refuse(at, `must be a number as a string, got ${describeValue(m)}`, av);
          if (type === 'BS' && !(m instanceof Uint8Array))
            throw this.refuse(at, `must be bytes, got ${describeValue(m)}`, av);
          members.push(type === 'NS' ? this.nativeNumber(m as string, at) : m);
        }
        return new Set(members);
      }
      case 'L': {
        if (!Array.isArray(v)) throw bad('an array');
        if (depth >= MAX_READ_DEPTH)
          throw this.refuse(path, `nests deeper than DynamoDB stores (${MAX_READ_DEPTH} levels)`, av);
        const list: unknown[] = [];
        for (let i = 0; i < v.length; i++) list.push(this.native(v[i], `${path}[${i}]`, depth + 1));
        return list;
      }
      case 'M': {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('an object of attribute values');
        if (depth >= MAX_READ_DEPTH)
          throw this.refuse(path, `nests deeper than DynamoDB stores (${MAX_READ_DEPTH} levels)`, av);
        const map: Record<string, unknown> = {};
        for (const key of Object.keys(v)) {
          const member = this.native((v as Record<string, unknown>)[key], pathOf(path, key), depth + 1);
          if (key === '__proto__') {
            // Assigning this key would replace the object's prototype instead.
            Object.defineProperty(map, key, { value: member, enumerable: true, writable: true, configurable: true });
          } else {
            map[key] = member;
          }
        }
        return map;
      }
      default: {
        const shown = types.slice(0, 5).map((k) => (/^\w{1,20}$/.test(k) ? k : quote(k)));
        throw this.refuse(
          path,
          `must have exactly one of S, N, B, SS, NS, BS, M, L, NULL, BOOL; has ${shown.join(', ') || 'none'}`,
          av,
        );
      }
    }
  }
}

/** A map key in a path: `.name` when it reads as one, else quoted in brackets (as validate.ts names them). */
function pathOf(path: string, key: string): string {
  return key.length <= 64 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${quote(key)}]`;
}

/** @internal What a getter, a Proxy trap or a converter threw, for a message; never throws itself. */
export function thrownReason(err: unknown): string {
  try {
    const message: unknown = err instanceof Error ? err.message : err;
    return `: ${typeof message === 'string' ? message.slice(0, 200) : describeValue(message)}`;
  } catch {
    return '';
  }
}

/** An own property, never an inherited one: a polluted Object.prototype must not make an object look like another. */
function own(o: object, key: string): unknown {
  return Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined;
}

/**
 * The number a `NumberValue` of either SDK holds (aws-sdk v2's, made with
 * `wrapNumbers`, and `@aws-sdk/util-dynamodb`'s), recognised by its shape so
 * that neither need be loaded; undefined for anything else.
 */
function numberValueText(v: object): string | undefined {
  const proto: unknown = Object.getPrototypeOf(v);
  const constructor = typeof proto === 'object' && proto !== null ? own(proto, 'constructor') : undefined;
  const named = typeof constructor === 'function' && constructor.name === 'NumberValue';
  if (!named && own(v, 'wrapperName') !== 'NumberValue') return undefined;
  const value = own(v, 'value');
  return typeof value === 'string' ? value : undefined;
}

type SetKind = 'string' | 'number' | 'bytes' | 'other';

function setKind(m: unknown): SetKind {
  if (typeof m === 'string') return 'string';
  if (typeof m === 'number' || typeof m === 'bigint') return 'number';
  if (typeof m === 'object' && m !== null && numberValueText(m) !== undefined) return 'number';
  if (m instanceof Uint8Array) return 'bytes';
  return 'other';
}

/**
 * The members of an aws-sdk v2 `DynamoDBSet` (`DocumentClient.createSet`),
 * recognised by its shape so that v2 need not be loaded; undefined for
 * anything else. Without this it would be an object of its own properties.
 */
function v2SetMembers(v: object): unknown[] | undefined {
  if (own(v, 'wrapperName') !== 'Set') return undefined;
  const values = own(v, 'values');
  const type = own(v, 'type');
  if (!Array.isArray(values) || (type !== 'String' && type !== 'Number' && type !== 'Binary')) return undefined;
  return values as unknown[];
}

/** The integer a stored number is, exactly; undefined when it has a fraction. `text` is a number DynamoDB stores. */
function exactInteger(text: string): bigint | undefined {
  const match = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (match === null) return undefined;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  // Significant digits only (at most 38, as DynamoDB stores), and where the point goes after them.
  let digits = (whole + fraction).replace(/^0+/, '');
  let scale = Number(exponent) - fraction.length;
  const trailing = digits.length - digits.replace(/0+$/, '').length;
  digits = digits.slice(0, digits.length - trailing);
  scale += trailing;
  if (digits === '') return 0n;
  if (scale < 0) return undefined;
  const magnitude = BigInt(digits) * 10n ** BigInt(scale);
  return sign === '-' ? -magnitude : magnitude;
}
