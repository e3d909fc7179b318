// Model-based property test: random sequences of operations run against the
// library on a real server and against a small in-memory model of API.md's
// semantics; any difference fails with the shrunk sequence. Time passes by an
// injected clock, so TTLs expire without sleeping.
//
// CI runs 300 sequences of up to 40 operations on dynalite (and 60 on DynamoDB
// Local) on aws-sdk v2, and a third as many on v3, where the library's code is
// the same and only the adapter differs; DYNASTORE_MODEL_RUNS=N runs N on each.
import { expect } from 'chai';
import fc from 'fast-check';
import { DynastoreError, type KVPair, type Partition, type Table } from '../../lib';
import { budget } from '../helpers/budget';
import { record } from '../helpers/report';
import { forEachTarget } from '../helpers/sdk';
import { createTable, rawClient } from '../helpers/server';

interface ModelItem {
  version: number;
  value: string | undefined;
  fields: Record<string, string>;
  /** Unix seconds, or undefined for never. */
  expires: number | undefined;
}

interface Model {
  items: Map<string, ModelItem>;
  now: number;
}

interface Real {
  partition: Partition;
  clock: { now: number };
}

const KEYS = ['a', 'a/b', 'a/c', 'a/b/c', 'b', 'b/a', 'c'] as const;
const PREFIXES = ['', 'a', 'a/', 'a/b', 'b', 'c', 'd'] as const;

function live(model: Model, key: string): ModelItem | undefined {
  const item = model.items.get(key);
  if (item === undefined) return undefined;
  if (item.expires !== undefined && item.expires <= Math.floor(model.now / 1000)) return undefined;
  return item;
}

function expiresAt(model: Model, ttl: number | undefined): number | undefined {
  return ttl === undefined ? undefined : Math.ceil((model.now + ttl) / 1000);
}

interface Write {
  value?: string;
  fields?: Record<string, string>;
  ttl?: number;
  keepTtl?: boolean;
}

function describeWrite(w: Write): string {
  return JSON.stringify(w);
}

/** What a write leaves: on a live item, given value and fields replace, others stay; otherwise a new item. */
function written(model: Model, existing: ModelItem | undefined, w: Write): ModelItem {
  return {
    version: existing === undefined ? 1 : existing.version + 1,
    value: w.value ?? existing?.value,
    fields: { ...existing?.fields, ...w.fields },
    // keepTtl keeps a live item's expiry; a new item, or one replacing an expired one, never expires.
    expires: w.keepTtl === true ? existing?.expires : expiresAt(model, w.ttl),
  };
}

function expectPair(kv: KVPair, key: string, item: ModelItem): void {
  expect({
    key: kv.key,
    version: kv.version,
    value: kv.value?.S,
    fields: kv.decodeFields(),
    expires: kv.expires,
  }).to.deep.equal({
    key,
    version: item.version,
    value: item.value,
    fields: item.fields,
    expires: item.expires ?? 0,
  });
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(DynastoreError);
    expect((err as DynastoreError).code).to.equal(code);
    return;
  }
  expect.fail(`expected ${code}`);
}

let operations = 0;

abstract class Step implements fc.AsyncCommand<Model, Real> {
  check(): boolean {
    return true;
  }
  abstract run(model: Model, real: Real): Promise<void>;
  abstract toString(): string;
}

class Put extends Step {
  constructor(
    readonly key: string,
    readonly w: Write,
  ) {
    super();
  }
  async run(model: Model, real: Real): Promise<void> {
    operations++;
    const item = written(model, live(model, this.key), this.w);
    expectPair(await real.partition.put(this.key, this.w), this.key, item);
    model.items.set(this.key, item);
  }
  toString(): string {
    return `put(${this.key}, ${describeWrite(this.w)})`;
  }
}

class Get extends Step {
  constructor(readonly key: string) {
    super();
  }
  async run(model: Model, real: Real): Promise<void> {
    operations++;
    const item = live(model, this.key);
    if (item === undefined) await expectCode(real.partition.get(this.key), 'KEY_NOT_FOUND');
    else expectPair(await real.partition.get(this.key), this.key, item);
  }
  toString(): string {
    return `get(${this.key})`;
  }
}

class Exists extends Step {
  constructor(readonly key: string) {
    super();
  }
  async run(model: Model, real: Real): Promise<void> {
    operations++;
    expect(await real.partition.exists(this.key)).to.equal(live(model, this.key) !== undefined);
  }
  toString(): string {
    return `exists(${this.key})`;
  }
}

class Delete extends Step {
  constructor(readonly key: string) {
    super();
  }
  async run(model: Model, real: Real): Promise<void> {
    operations++;
    await real.partition.delete(this.key);
    model.items.delete(this.key);
  }
  toString(): string {
    return `delete(${this.key})`;
  }
}

class Create extends Step {
  constructor(
    readonly key: string,
    readonly w: Write,
  ) {
    super();
  }
  async run(model: Model, real: Real): Promise<void> {
    operations++;
    if (live(model, this.key) !== undefined) {
      await expectCode(real.partition.atomicPut(this.key, this.w), 'KEY_EXISTS');
      return;
    }
    const item = written(model, undefined, this.w);
    expectPair(await real.partition.atomicPut(this.key, this.w), this.key, item);
    model.items.set(this.key, item);
  }
  toString(): string {
    return `atomicPut(${this.key}, ${describeWrite(this.w)})`;
  }
}

/** Which version a compare expects: the stored one, a stale one, or one ahead. */
type Pick = 'current' | 'stale' | 'ahead';

function pickVersion(model: Model, key: string, pick: Pick): number {
  const version = model.items.get(key)?.version ?? 1;
  return pick === 'current' ? version : pick === 'stale' ? Math.max(1, version - 1) : version + 1;
}

class Swap extends Step {
  constructor(
    readonly key: string,
    readonly pick: Pick,
    readonly w: Write,
  ) {
    super();
  }
  async run(model: Model, real: Real): Promise<void> {
    operations++;
    const version = pickVersion(model, this.key, this.pick);
    const item = live(model, this.key);
    const attempt = real.partition.atomicPut(this.key, { ...this.w, previous: { version } });
    if (item === undefined) return expectCode(attempt, 'KEY_NOT_FOUND');
    if (item.version !== version) return expectCode(attempt, 'KEY_MODIFIED');
    const next = written(model, item, this.w);
    expectPair(await attempt, this.key, next);
    model.items.set(this.key, next);
  }
  toString(): string {
    return `atomicPut(${this.key}, previous: ${this.pick}, ${describeWrite(this.w)})`;
  }
}

class CompareDelete extends Step {
  constructor(
    readonly key: string,
    readonly pick: Pick | undefined,
  ) {
    super();
  }
  async run(model: Model, real: Real): Promise<void> {
    operations++;
    const item = live(model, this.key);
    if (this.pick === undefined) {
      if (item !== undefined) return expectCode(real.partition.atomicDelete(this.key), 'KEY_EXISTS');
      expect(await real.partition.atomicDelete(this.key)).to.equal(false);
      model.items.delete(this.key);
      return;
    }
    const version = pickVersion(model, this.key, this.pick);
    const attempt = real.partition.atomicDelete(this.key, { version });
    if (item === undefined) return expectCode(attempt, 'KEY_NOT_FOUND');
    if (item.version !== version) return expectCode(attempt, 'KEY_MODIFIED');
    expect(await attempt).to.equal(true);
    model.items.delete(this.key);
  }
  toString(): string {
    return `atomicDelete(${this.key}${this.pick === undefined ? '' : `, previous: ${this.pick}`})`;
  }
}

class List extends Step {
  constructor(
    readonly prefix: string,
    readonly limit: number,
    readonly forward: boolean,
  ) {
    super();
  }
  async run(model: Model, real: Real): Promise<void> {
    const expected = [...model.items.keys()]
      .filter((k) => k.startsWith(this.prefix) && live(model, k) !== undefined)
      .sort();
    if (!this.forward) expected.reverse();
    const got: KVPair[] = [];
    let startKey: string | undefined;
    do {
      operations++;
      const page = await real.partition.listPage(this.prefix, {
        limit: this.limit,
        scanIndexForward: this.forward,
        startKey,
      });
      expect(page.keys.length).to.be.at.most(this.limit);
      got.push(...page.keys);
      startKey = page.lastKey;
    } while (startKey !== undefined);
    expect(got.map((kv) => kv.key)).to.deep.equal(expected);
    for (const kv of got) expectPair(kv, kv.key, live(model, kv.key) as ModelItem);
  }
  toString(): string {
    return `listPage(${JSON.stringify(this.prefix)}, limit ${this.limit}${this.forward ? '' : ', reverse'}, to the end)`;
  }
}

class Wait extends Step {
  constructor(readonly ms: number) {
    super();
  }
  run(model: Model, real: Real): Promise<void> {
    model.now += this.ms;
    real.clock.now += this.ms;
    return Promise.resolve();
  }
  toString(): string {
    return `wait(${this.ms} ms)`;
  }
}

const key = fc.constantFrom(...KEYS);
const write: fc.Arbitrary<Write> = fc
  .record(
    {
      value: fc.constantFrom('', 'v', 'é😀', '{"a":1}'),
      fields: fc.dictionary(fc.constantFrom('f1', 'f2', 'created'), fc.constantFrom('x', 'y', '2020')),
      ttl: fc.oneof(fc.integer({ min: 1, max: 4000 }), fc.constantFrom(999, 1000, 1001)),
      keepTtl: fc.boolean(),
    },
    { requiredKeys: [] },
  )
  // One option object may not give both a ttl and keepTtl: true.
  .map(({ keepTtl, ...w }) =>
    keepTtl === true && w.ttl !== undefined ? w : { ...w, ...(keepTtl === undefined ? {} : { keepTtl }) },
  );
const pick = fc.constantFrom<Pick>('current', 'current', 'stale', 'ahead');

const steps = [
  fc.tuple(key, write).map(([k, w]) => new Put(k, w)),
  key.map((k) => new Get(k)),
  key.map((k) => new Exists(k)),
  key.map((k) => new Delete(k)),
  fc.tuple(key, write).map(([k, w]) => new Create(k, w)),
  fc.tuple(key, pick, write).map(([k, p, w]) => new Swap(k, p, w)),
  fc.tuple(key, fc.option(pick, { nil: undefined })).map(([k, p]) => new CompareDelete(k, p)),
  fc
    .tuple(fc.constantFrom(...PREFIXES), fc.integer({ min: 1, max: 4 }), fc.boolean())
    .map(([p, l, f]) => new List(p, l, f)),
  fc.oneof(fc.integer({ min: 1, max: 3000 }), fc.constantFrom(1, 999, 1000)).map((ms) => new Wait(ms)),
];

forEachTarget('model-based property test', (target) => {
  let table: Table;
  const clock = { now: 0 };
  const envRuns = Number(process.env.DYNASTORE_MODEL_RUNS);
  const numRuns =
    envRuns > 0 ? envRuns : target.server.name === 'dynalite' ? target.runs(300, 100) : target.runs(60, 20);

  before(async () => {
    const endpoint = await target.server.endpoint();
    const tableName = await createTable(rawClient(endpoint), 'model');
    table = target.session(endpoint, { clock: () => clock.now }).table(tableName);
  });

  it(`${numRuns} random sequences of up to 40 operations match the model`, async function () {
    // Each operation is one or two requests.
    this.timeout(budget(numRuns * 40 * 2));
    let run = 0;
    const before = operations;
    await fc.assert(
      fc.asyncProperty(fc.commands(steps, { maxCommands: 40, size: 'max' }), async (commands) => {
        // A fresh partition and clock per sequence keeps sequences apart.
        const partition = table.partition(`run-${++run}`);
        clock.now = Date.UTC(2030, 0, 1, 0, 0, 0, 500);
        await fc.asyncModelRun(
          () => ({ model: { items: new Map(), now: clock.now }, real: { partition, clock } }),
          commands,
        );
      }),
      { numRuns },
    );
    record(
      this,
      `model-${target.name}`,
      `model-based test on ${target.name}: sequences / operations checked`,
      `${run} / ${operations - before}`,
    );
  });
});
