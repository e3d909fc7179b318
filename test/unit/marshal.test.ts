// marshalStruct and unmarshalStruct: the documented rules, run against the
// root entry and dynastore/v3, which must answer the same, error for error.
import { expect } from 'chai';
import DynamoDB from 'aws-sdk/clients/dynamodb';
import { NumberValueImpl } from '@aws-sdk/util-dynamodb';
import * as root from '../../lib';
import { DynastoreError, type AttributeValue } from '../../lib';
import * as v3 from '../../lib/v3';
import { checkAttributeValue } from '../../lib/validate';

const entries = [
  { name: 'dynastore', marshalStruct: root.marshalStruct, unmarshalStruct: root.unmarshalStruct },
  { name: 'dynastore/v3', marshalStruct: v3.marshalStruct, unmarshalStruct: v3.unmarshalStruct },
] as const;

/** What `f` throws; fails the test when it returns. */
function thrown(f: () => unknown): DynastoreError {
  try {
    f();
  } catch (err) {
    expect(err).to.be.instanceOf(DynastoreError);
    return err as DynastoreError;
  }
  return expect.fail('expected INVALID_ARGUMENT');
}

/** Runs `body` with `names` set on Object.prototype (enumerable, as an attacker would), and removes them after. */
function withPollutedPrototype(names: Record<string, unknown>, body: () => void): void {
  const proto = Object.prototype as Record<string, unknown>;
  try {
    for (const [name, value] of Object.entries(names)) proto[name] = value;
    body();
  } finally {
    for (const name of Object.keys(names)) Reflect.deleteProperty(proto, name);
  }
}

describe('marshalStruct and unmarshalStruct', () => {
  it('are the same functions in both entries', () => {
    expect(v3.marshalStruct).to.equal(root.marshalStruct);
    expect(v3.unmarshalStruct).to.equal(root.unmarshalStruct);
  });

  for (const { name, marshalStruct, unmarshalStruct } of entries) {
    describe(name, () => {
      const refusal = (value: unknown): DynastoreError => {
        const err = thrown(() => marshalStruct(value as object));
        expect(err.code).to.equal('INVALID_ARGUMENT');
        expect(err.message).to.match(/^marshalStruct/);
        return err;
      };

      it('round-trip plain data: strings, numbers, booleans, null, bytes, lists, maps', () => {
        const customer = {
          name: 'welcome',
          empty: '',
          tags: ['a', 'b'],
          visits: 3,
          ratio: -0.25,
          tiny: 1e-7,
          active: true,
          none: null,
          photo: Buffer.from([1]),
          raw: new Uint8Array([2, 3]),
          nested: { deeper: { list: [1, [2]] } },
        };
        const av = marshalStruct(customer);
        expect(av.M?.name).to.deep.equal({ S: 'welcome' });
        expect(av.M?.visits).to.deep.equal({ N: '3' });
        expect(av.M?.tiny).to.deep.equal({ N: '1e-7' });
        expect(av.M?.photo?.B).to.equal(customer.photo);
        expect(unmarshalStruct(av)).to.deep.equal(customer);
        // What it makes is what a write takes.
        expect(() => checkAttributeValue(av, 'value')).to.not.throw();
      });

      it('convert by documented rules: Date, bigint, Map, Set, boxed primitives, -0, class instances', () => {
        class Point {
          constructor(
            readonly x: number,
            readonly y: number,
          ) {}
          get sum(): number {
            return this.x + this.y;
          }
        }
        const av = marshalStruct({
          created: new Date(Date.UTC(2024, 1, 29, 12)),
          big: 2n ** 64n,
          small: 5n,
          byName: new Map([['a', 1]]),
          labels: new Set(['x', 'y']),
          scores: new Set([1, 2n]),
          blobs: new Set([new Uint8Array([1]), new Uint8Array([2])]),
          boxed: Object('s') as object,
          zero: -0,
          at: new Point(1, 2),
          gone: undefined,
        });
        expect(av).to.deep.equal({
          M: {
            created: { S: '2024-02-29T12:00:00.000Z' },
            big: { N: '18446744073709551616' },
            small: { N: '5' },
            byName: { M: { a: { N: '1' } } },
            labels: { SS: ['x', 'y'] },
            scores: { NS: ['1', '2'] },
            blobs: { BS: [new Uint8Array([1]), new Uint8Array([2])] },
            boxed: { S: 's' },
            zero: { N: '0' },
            at: { M: { x: { N: '1' }, y: { N: '2' } } },
          },
        });
        expect(unmarshalStruct(av)).to.deep.equal({
          created: '2024-02-29T12:00:00.000Z',
          big: 2n ** 64n,
          small: 5,
          byName: { a: 1 },
          labels: new Set(['x', 'y']),
          scores: new Set([1, 2]),
          blobs: new Set([new Uint8Array([1]), new Uint8Array([2])]),
          boxed: 's',
          zero: 0,
          at: { x: 1, y: 2 },
        });
      });

      it("convert either SDK's NumberValue and aws-sdk v2's DynamoDBSet", () => {
        const client = new DynamoDB.DocumentClient({ region: 'local', wrapNumbers: true });
        const v2Number = DynamoDB.Converter.output({ N: '12345678901234567890' }, { wrapNumbers: true }) as object;
        const av = marshalStruct({
          a: new NumberValueImpl('12345678901234567890'),
          b: v2Number,
          set: client.createSet(['x', 'y']),
          numbers: client.createSet([1, 2]),
        });
        expect(av).to.deep.equal({
          M: {
            a: { N: '12345678901234567890' },
            b: { N: '12345678901234567890' },
            set: { SS: ['x', 'y'] },
            numbers: { NS: ['1', '2'] },
          },
        });
        expect(refusal({ a: new NumberValueImpl('1e400') }).message).to.include('not a number DynamoDB stores');
      });

      it('refuse what would lose data, naming the path: values DynamoDB has no type for', () => {
        const sym = Symbol('s');
        const cases: [unknown, string, RegExp][] = [
          [{ n: Number.NaN }, 'value.n', /NaN/],
          [{ n: Number.POSITIVE_INFINITY }, 'value.n', /Infinity/],
          [{ n: 2 ** 60 }, 'value.n', /MAX_SAFE_INTEGER.*bigint/],
          [{ n: 5e-324 }, 'value.n', /range/],
          [{ n: 10n ** 130n }, 'value.n', /beyond DynamoDB/],
          [{ n: 12345678901234567890123456789012345678901n }, 'value.n', /beyond DynamoDB/],
          [{ f: () => 1 }, 'value.f', /function/],
          [{ s: sym }, 'value.s', /symbol/],
          [{ list: [1, undefined] }, 'value.list[1]', /undefined/],
          // eslint-disable-next-line no-sparse-arrays -- the hole is the point
          [{ list: [1, , 3] }, 'value.list[1]', /hole/],
          [{ list: [() => 1] }, 'value.list[0]', /function/],
          [{ when: new Date(Number.NaN) }, 'value.when', /invalid Date/],
          [{ m: new Map([[1, 'a']]) }, 'value.m', /key that is not a string/],
          [{ m: new Map([['', 'a']]) }, 'value.m', /empty key/],
          [{ '': 1 }, 'value', /empty key/],
          [JSON.parse('{"__proto__": 1}'), 'value', /__proto__/],
          [{ s: 'lone \ud800' }, 'value.s', /well-formed/],
          [{ s: new Set() }, 'value.s', /empty Set/],
          [{ s: new Set(['a', 1]) }, 'value.s', /only strings/],
          [{ s: new Set([{}]) }, 'value.s', /only strings/],
          [{ s: new Set([undefined]) }, 'value.s', /only strings/],
          [{ s: new Set([1, 1n]) }, 'value.s', /equal/],
          [{ s: new Set([new Uint8Array([1]), new Uint8Array([1])]) }, 'value.s', /equal/],
          [{ s: new Set([Number.NaN]) }, 'value.s', /NaN/],
          [{ r: /x/ }, 'value.r', /a RegExp with no own enumerable properties/],
          [{ u: new URL('https://example.com') }, 'value.u', /URL with no own enumerable properties/],
          [{ e: new Error('x') }, 'value.e', /no own enumerable properties/],
          [{ w: new WeakMap() }, 'value.w', /no own enumerable properties/],
          [{ p: Promise.resolve() }, 'value.p', /no own enumerable properties/],
          [{ b: new ArrayBuffer(2) }, 'value.b', /Uint8Array/],
          [{ b: new Int16Array(2) }, 'value.b', /Uint8Array/],
          [{ b: new DataView(new ArrayBuffer(2)) }, 'value.b', /Uint8Array/],
          [{ 'odd key': { f: () => 1 } }, 'value["odd key"].f', /function/],
        ];
        for (const [value, path, why] of cases) {
          const err = refusal(value);
          expect(err.message, path).to.include(` ${path} `);
          expect(err.message, path).to.match(why);
        }
      });

      it('refuse cycles and nesting deeper than DynamoDB stores, without a RangeError', () => {
        const cycle: Record<string, unknown> = { a: { b: {} } };
        (cycle.a as { b: Record<string, unknown> }).b.c = cycle.a;
        expect(refusal(cycle).message).to.include('value.a.b.c refers back');
        const list: unknown[] = [];
        list.push(list);
        expect(refusal({ list }).message).to.include('value.list[0] refers back');
        let deep: unknown = 1;
        for (let i = 0; i < 100_000; i++) deep = [deep];
        expect(refusal({ deep }).message).to.match(/nests deeper/);
        // 30 lists inside the map is as deep as DynamoDB goes.
        let deepest: unknown = 1;
        for (let i = 0; i < 30; i++) deepest = [deepest];
        expect(() => checkAttributeValue(marshalStruct({ deepest }), 'value')).to.not.throw();
        expect(refusal({ deeper: [deepest] }).message).to.match(/nests deeper/);
        // The same object twice, side by side, is no cycle.
        const shared = { x: 1 };
        expect(unmarshalStruct(marshalStruct({ a: shared, b: shared }))).to.deep.equal({ a: shared, b: shared });
      });

      it('refuse what is not an object at the top', () => {
        for (const bad of [undefined, null, 5, 'x', [1], new Date(), new Set(['a']), Symbol('s'), () => 1]) {
          expect(refusal(bad).message).to.include('marshalStruct takes an object');
        }
        expect(marshalStruct(new Map([['a', true]]))).to.deep.equal({ M: { a: { BOOL: true } } });
        expect(marshalStruct(Object.create(null) as object)).to.deep.equal({ M: {} });
      });

      it('turn a throwing getter or Proxy into INVALID_ARGUMENT with the cause, at the path', () => {
        const boom = new Error('boom');
        const getter = Object.defineProperty({}, 'x', {
          enumerable: true,
          get() {
            throw boom;
          },
        });
        const err = refusal({ outer: getter });
        expect(err.message).to.include('value.outer.x could not be read: boom');
        expect(err.cause).to.equal(boom);
        const traps = new Proxy(
          {},
          {
            ownKeys() {
              throw boom;
            },
          },
        );
        expect(refusal({ p: traps }).cause).to.equal(boom);
        const { proxy, revoke } = Proxy.revocable({}, {});
        revoke();
        expect(refusal({ p: proxy }).cause).to.be.instanceOf(TypeError);
        expect(refusal({ p: new Proxy(new Map([['a', 1]]), {}) }).cause).to.be.instanceOf(TypeError);
        expect(refusal({ p: new Proxy(new Uint8Array(2), {}) }).message).to.include('Proxy of a Uint8Array');
        // A DynastoreError thrown by user code is user code's failure, not a verdict on the value.
        const impostor = new DynastoreError('KEY_NOT_FOUND', 'not from dynastore');
        const lying = Object.defineProperty({}, 'x', {
          enumerable: true,
          get() {
            throw impostor;
          },
        });
        expect(refusal(lying).cause).to.equal(impostor);
        // A Proxy that only forwards reads as what it stands for.
        expect(marshalStruct({ p: new Proxy({ a: 1 }, {}) })).to.deep.equal({ M: { p: { M: { a: { N: '1' } } } } });
        // Each property is read once: a getter that changes its answer cannot make the value disagree with itself.
        let reads = 0;
        const counting = Object.defineProperty({}, 'n', { enumerable: true, get: () => ++reads });
        expect(marshalStruct(counting)).to.deep.equal({ M: { n: { N: '1' } } });
        expect(reads).to.equal(1);
      });

      it('read only own properties: a polluted Object.prototype adds nothing', () => {
        withPollutedPrototype({ injected: 'yes', M: { evil: { S: 'x' } } }, () => {
          const av = marshalStruct({ a: 1, nested: { b: [2] } });
          expect(av).to.deep.equal({ M: { a: { N: '1' }, nested: { M: { b: { L: [{ N: '2' }] } } } } });
          expect(Object.keys(unmarshalStruct(av))).to.deep.equal(['a', 'nested']);
          expect(Object.keys(unmarshalStruct({ M: {} }))).to.deep.equal([]);
        });
        // Inherited names that would make any object look like an SDK's set or number.
        // Asserted after: chai itself misreads property descriptors while Object.prototype.value is set.
        let set: AttributeValue | undefined;
        let number: AttributeValue | undefined;
        withPollutedPrototype({ wrapperName: 'Set', values: ['x'], type: 'String', value: '1' }, () => {
          set = marshalStruct({ a: { b: 1 } });
        });
        withPollutedPrototype({ wrapperName: 'NumberValue' }, () => {
          number = marshalStruct({ a: { value: '1' } });
        });
        expect(set).to.deep.equal({ M: { a: { M: { b: { N: '1' } } } } });
        expect(number).to.deep.equal({ M: { a: { M: { value: { S: '1' } } } } });
      });

      it('unmarshal numbers exactly: a number within 2^53, a bigint beyond, INVALID_ARGUMENT for a fraction beyond', () => {
        const read = (n: string): unknown => unmarshalStruct({ M: { n: { N: n } } }).n;
        expect(read('1.5')).to.equal(1.5);
        expect(read('9007199254740991')).to.equal(9007199254740991);
        expect(read('9007199254740993')).to.equal(9007199254740993n);
        expect(read('-12345678901234567890')).to.equal(-12345678901234567890n);
        expect(read('1E+30')).to.equal(10n ** 30n);
        expect(read('1.5e20')).to.equal(150000000000000000000n);
        const err = thrown(() => read('12345678901234567890.5'));
        expect(err.code).to.equal('INVALID_ARGUMENT');
        expect(err.message).to.include('value.n');
        expect(thrown(() => read('12 apples')).message).to.include('not a number DynamoDB stores');
        expect(unmarshalStruct({ M: { s: { NS: ['1', '9007199254740993'] } } }).s).to.deep.equal(
          new Set([1, 9007199254740993n]),
        );
      });

      it('unmarshal a key __proto__ as an own property, never as the prototype', () => {
        const out = unmarshalStruct(JSON.parse('{"M":{"__proto__":{"M":{"admin":{"BOOL":true}}}}}') as AttributeValue);
        expect(Object.getPrototypeOf(out)).to.equal(Object.prototype);
        expect(Object.keys(out)).to.deep.equal(['__proto__']);
        expect((out as { admin?: unknown }).admin).to.equal(undefined);
      });

      it('refuse what is not a map attribute value, naming the path', () => {
        for (const bad of [undefined, null, 5, { S: 'x' }, { M: null }, { M: [] }]) {
          const err = thrown(() => unmarshalStruct(bad as never));
          expect(err.code).to.equal('INVALID_ARGUMENT');
          expect(err.message).to.include('unmarshalStruct takes a map attribute value');
        }
        const cases: [AttributeValue, string][] = [
          [{ M: { a: {} } }, 'value.a must have exactly one'],
          [{ M: { a: { S: 'x', N: '1' } } }, 'value.a must have exactly one'],
          [{ M: { a: { L: [{ S: 5 as never }] } } }, 'value.a[0] S must be a string'],
          [{ M: { a: { B: 'Zm9v' as never } } }, 'value.a B must be bytes'],
          [{ M: { a: { SS: [1 as never] } } }, 'value.a.SS[0] must be a string'],
          [{ M: { a: { BOOL: 'true' as never } } }, 'value.a BOOL must be a boolean'],
        ];
        for (const [value, message] of cases) expect(thrown(() => unmarshalStruct(value)).message).to.include(message);
        const cycle: AttributeValue = { M: {} };
        (cycle.M as Record<string, AttributeValue>).self = cycle;
        expect(thrown(() => unmarshalStruct(cycle)).message).to.include('nests deeper');
      });
    });
  }
});
