// dynastore/launchdarkly on both servers and both SDKs: LaunchDarkly's own
// persistent-store suite (its Go `storetest` and its Node store tests),
// ported to the store under the SDK's wrapper; the requests each method
// sends, as hooks see them; the table layout, read raw; and the concurrent
// modification cases, with the competing write made by a client, given
// through the `client` option, whose PutItem writes first.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AsyncStoreFacade, type interfaces, type LDClientContext, type LDLogger } from '@launchdarkly/node-server-sdk';
import DynamoDB from 'aws-sdk/clients/dynamodb';
import { expect } from 'chai';
import type { Session } from '../../lib';
import type { RequestContext, RequestParams } from '../../lib/hooks';
import { DynamoDBFeatureStore, type DynamoDBFeatureStoreOptions } from '../../lib/launchdarkly';
import { LAUNCHDARKLY_ATTRIBUTES, LaunchDarklyStore } from '../../lib/launchdarkly-store';
import { forEachTarget, v2Config, v3Config, type TestTarget } from '../helpers/sdk';
import { createTable, rawClient } from '../helpers/server';

type Kind = interfaces.PersistentStoreDataKind;
type Descriptor = interfaces.SerializedItemDescriptor;
type KeyedDescriptor = interfaces.KeyedItem<string, Descriptor>;

const FEATURES: Kind = { namespace: 'features', deserialize: () => undefined };
const SEGMENTS: Kind = { namespace: 'segments', deserialize: () => undefined };

/** A flag's descriptor, with its JSON as the SDK serializes one. */
function flag(key: string, version: number, extra: Record<string, unknown> = {}): Descriptor {
  return { version, serializedItem: JSON.stringify({ key, version, on: true, ...extra }) };
}

/** A tombstone's descriptor, as the JS SDK serializes one. */
function tombstone(key: string, version: number): Descriptor {
  return { version, deleted: true, serializedItem: JSON.stringify({ key, deleted: true, version }) };
}

/** What a read shows of a descriptor: its version and its JSON. */
function shown(d: Descriptor | undefined): { version: number; serializedItem: string | undefined } | undefined {
  return d === undefined ? undefined : { version: d.version, serializedItem: d.serializedItem };
}

/** A logger that keeps what it is told. */
function capturingLogger(): LDLogger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (message: string) => void lines.push(`${level}: ${message}`);
  return { lines, error: keep('error'), warn: keep('warn'), info: keep('info'), debug: keep('debug') };
}

/** The SDK's context for a store, as `init` hands it to a `featureStore` factory. */
function clientContext(logger: LDLogger): LDClientContext {
  return { basicConfiguration: { logger } } as unknown as LDClientContext;
}

/** A request, as hooks saw it. */
interface Seen {
  operation: string;
  command: string;
  method: unknown;
  params: RequestParams;
}

/** The store's methods as promises. */
class Store {
  readonly core: LaunchDarklyStore;
  constructor(core: LaunchDarklyStore) {
    this.core = core;
  }
  init(data: interfaces.KindKeyedStore<Kind>): Promise<Error | undefined> {
    return new Promise((resolve) => this.core.init(data, resolve));
  }
  get(kind: Kind, key: string): Promise<Descriptor | undefined> {
    return new Promise((resolve) => this.core.get(kind, key, resolve));
  }
  async getAll(kind: Kind): Promise<KeyedDescriptor[] | undefined> {
    const all = await new Promise<KeyedDescriptor[] | undefined>((resolve) => this.core.getAll(kind, resolve));
    return all?.sort((a, b) => (a.key < b.key ? -1 : 1));
  }
  upsert(kind: Kind, key: string, d: Descriptor): Promise<{ err?: Error; updated?: Descriptor }> {
    return new Promise((resolve) => this.core.upsert(kind, key, d, (err, updated) => resolve({ err, updated })));
  }
  initialized(): Promise<boolean> {
    return new Promise((resolve) => this.core.initialized(resolve));
  }
  isStoreAvailable(): Promise<boolean> {
    return new Promise((resolve) => this.core.isStoreAvailable(resolve));
  }
}

/** A table in LaunchDarkly's layout: hash key `namespace`, range key `key`, both S. */
function createLaunchDarklyTable(ddb: DynamoDB, name: string): Promise<string> {
  return createTable(ddb, name, { partitionKey: 'namespace', sortKey: 'key' });
}

forEachTarget('LaunchDarkly feature store', (target: TestTarget) => {
  let endpoint: string;
  let ddb: DynamoDB;
  let tableName: string;
  let bareTable: string;
  let session: Session<object>;
  const seen: Seen[] = [];
  /** Each operation as it ended: its name, and the code it failed with ('ok' when it did not). */
  const ended: string[] = [];
  let prefixes = 0;

  before(async () => {
    endpoint = await target.server.endpoint();
    ddb = rawClient(endpoint);
    tableName = await createLaunchDarklyTable(ddb, `ld-${target.sdk}`);
    bareTable = await createLaunchDarklyTable(ddb, `ld-bare-${target.sdk}`);
    session = target.session(endpoint, {
      hooks: {
        requestBuilt(ctx: RequestContext, params: RequestParams) {
          seen.push({ operation: ctx.operation, command: ctx.command, method: ctx.launchDarkly, params });
        },
        operationCompleted(_ctx, outcome) {
          ended.push(
            `${outcome.operation} ${outcome.error === undefined ? 'ok' : String((outcome.error as { code?: unknown }).code)}`,
          );
        },
      },
    });
  });
  beforeEach(() => {
    seen.length = 0;
    ended.length = 0;
  });

  /** A fresh prefix: each test has namespaces of its own. */
  const fresh = (): string => `t${++prefixes}`;

  function store(prefix: string, options: { table?: string; logger?: LDLogger; on?: Session<object> } = {}): Store {
    return new Store(
      new LaunchDarklyStore({
        table: (options.on ?? session).table(options.table ?? tableName, { attributes: LAUNCHDARKLY_ATTRIBUTES }),
        prefix,
        logger: options.logger ?? capturingLogger(),
        release: () => undefined,
      }),
    );
  }

  const rawItem = async (
    namespace: string,
    key: string,
    table = tableName,
  ): Promise<DynamoDB.AttributeMap | undefined> =>
    (
      await ddb
        .getItem({ TableName: table, Key: { namespace: { S: namespace }, key: { S: key } }, ConsistentRead: true })
        .promise()
    ).Item;

  describe('init', () => {
    it('the store is initialized after init, and not before', async () => {
      const s = store(fresh());
      expect(await s.initialized()).to.equal(false);
      expect(await s.init([{ key: FEATURES, item: [{ key: 'a', item: flag('a', 1) }] }])).to.equal(undefined);
      expect(await s.initialized()).to.equal(true);
      expect(await s.isStoreAvailable()).to.equal(true);
    });

    it('completely replaces previous data, across two kinds', async () => {
      const s = store(fresh());
      await s.init([
        { key: SEGMENTS, item: [{ key: 'first', item: flag('first', 1) }] },
        {
          key: FEATURES,
          item: [
            { key: 'first', item: flag('first', 1) },
            { key: 'second', item: flag('second', 1) },
          ],
        },
      ]);
      expect((await s.getAll(FEATURES))?.map((i) => i.key)).to.deep.equal(['first', 'second']);
      expect((await s.getAll(SEGMENTS))?.map((i) => i.key)).to.deep.equal(['first']);

      expect(
        await s.init([
          { key: SEGMENTS, item: [{ key: 'second', item: flag('second', 2) }] },
          { key: FEATURES, item: [{ key: 'first', item: flag('first', 2) }] },
        ]),
      ).to.equal(undefined);
      expect((await s.getAll(FEATURES))?.map((i) => [i.key, i.item.version])).to.deep.equal([['first', 2]]);
      expect((await s.getAll(SEGMENTS))?.map((i) => [i.key, i.item.version])).to.deep.equal([['second', 2]]);
    });

    it('another instance sees it initialized, also after an init with no data', async () => {
      const prefix = fresh();
      const one = store(prefix);
      const two = store(prefix);
      expect(await one.initialized()).to.equal(false);
      await two.init([]);
      expect(await one.initialized()).to.equal(true);
    });

    it('sends: a consistent Query per kind, then BatchWriteItem puts in the order given, deletes, the marker last', async () => {
      const prefix = fresh();
      const s = store(prefix);
      await s.init([{ key: FEATURES, item: [{ key: 'old', item: flag('old', 1) }] }]);
      seen.length = 0;
      const flags = Array.from({ length: 30 }, (_, i) => ({
        key: `f${String(i).padStart(2, '0')}`,
        item: flag(`f${i}`, 1),
      }));
      await s.init([
        { key: SEGMENTS, item: [{ key: 's', item: flag('s', 1) }] },
        { key: FEATURES, item: flags },
      ]);
      expect(seen.map((r) => `${r.operation} ${r.command} ${String(r.method)}`)).to.deep.equal([
        'ListPage Query init',
        'ListPage Query init',
        'PutMany BatchWriteItem init',
        'PutMany BatchWriteItem init',
        'PutMany BatchWriteItem init',
        'DeleteMany BatchWriteItem init',
        'PutMany BatchWriteItem init',
      ]);
      for (const query of seen.slice(0, 2)) expect(query.params).to.include({ ConsistentRead: true });
      const writes = seen.slice(2).map((r) => {
        const requests = Object.values((r.params as unknown as DynamoDB.BatchWriteItemInput).RequestItems)[0] ?? [];
        return requests.map((w) =>
          w.PutRequest === undefined
            ? `-${w.DeleteRequest?.Key.namespace?.S}/${w.DeleteRequest?.Key.key?.S}`
            : `+${w.PutRequest.Item.namespace?.S}/${w.PutRequest.Item.key?.S}`,
        );
      });
      expect(writes.map((w) => w.length)).to.deep.equal([1, 25, 5, 1, 1]);
      expect(writes[0]).to.deep.equal([`+${prefix}:segments/s`]);
      expect(writes[1]?.[0]).to.equal(`+${prefix}:features/f00`);
      expect(writes[3]).to.deep.equal([`-${prefix}:features/old`]);
      expect(writes[4]).to.deep.equal([`+${prefix}:$inited/${prefix}:$inited`]);
      expect((await s.getAll(FEATURES))?.length).to.equal(30);
    });
  });

  describe('get and getAll', () => {
    it('get: an existing item as stored; a missing one undefined; one consistent GetItem each', async () => {
      const s = store(fresh());
      await s.init([{ key: FEATURES, item: [{ key: 'a', item: flag('a', 3) }] }]);
      seen.length = 0;
      expect(shown(await s.get(FEATURES, 'a'))).to.deep.equal(shown(flag('a', 3)));
      expect(await s.get(FEATURES, 'missing')).to.equal(undefined);
      expect(await s.get(SEGMENTS, 'a')).to.equal(undefined);
      expect(seen.map((r) => `${r.operation} ${r.command} ${String(r.method)}`)).to.deep.equal([
        'Get GetItem get',
        'Get GetItem get',
        'Get GetItem get',
      ]);
      for (const r of seen) expect(r.params).to.include({ ConsistentRead: true });
      // A missing flag is an answer, not a failed operation: hooks (and OpenTelemetry spans) see no error.
      expect(ended.slice(-3)).to.deep.equal(['Get ok', 'Get ok', 'Get ok']);
    });

    it('getAll: every item of the kind, tombstones included, kinds kept apart; an empty kind gives none', async () => {
      const s = store(fresh());
      expect(await s.getAll(FEATURES)).to.deep.equal([]);
      await s.upsert(FEATURES, 'first', flag('first', 1));
      await s.upsert(FEATURES, 'second', tombstone('second', 2));
      await s.upsert(SEGMENTS, 'first', flag('first', 1));
      expect((await s.getAll(FEATURES))?.map((i) => ({ key: i.key, item: shown(i.item) }))).to.deep.equal([
        { key: 'first', item: shown(flag('first', 1)) },
        { key: 'second', item: shown(tombstone('second', 2)) },
      ]);
      expect((await s.getAll(SEGMENTS))?.map((i) => i.key)).to.deep.equal(['first']);
    });

    it('reads items in the official layout written raw, keys from the key attribute (a Go tombstone says "$deleted")', async () => {
      const prefix = fresh();
      const goTombstone = JSON.stringify({ key: '$deleted', version: 5, deleted: true });
      await ddb
        .batchWriteItem({
          RequestItems: {
            [tableName]: [
              {
                PutRequest: {
                  Item: {
                    namespace: { S: `${prefix}:features` },
                    key: { S: 'raw' },
                    version: { N: '4' },
                    item: { S: '{"key":"raw","version":4}' },
                  },
                },
              },
              {
                PutRequest: {
                  Item: {
                    namespace: { S: `${prefix}:features` },
                    key: { S: 'gone' },
                    version: { N: '5' },
                    item: { S: goTombstone },
                  },
                },
              },
              { PutRequest: { Item: { namespace: { S: `${prefix}:$inited` }, key: { S: `${prefix}:$inited` } } } },
            ],
          },
        })
        .promise();
      const s = store(prefix);
      expect(await s.initialized()).to.equal(true);
      expect(shown(await s.get(FEATURES, 'raw'))).to.deep.equal({
        version: 4,
        serializedItem: '{"key":"raw","version":4}',
      });
      expect((await s.getAll(FEATURES))?.map((i) => [i.key, i.item.version, i.item.serializedItem])).to.deep.equal([
        ['gone', 5, goTombstone],
        ['raw', 4, '{"key":"raw","version":4}'],
      ]);
    });
  });

  describe('upsert', () => {
    const original = flag('k', 10, { name: 'original' });

    let prefix = '';
    async function seeded(): Promise<Store> {
      prefix = fresh();
      const s = store(prefix);
      await s.init([{ key: FEATURES, item: [{ key: 'k', item: original }] }]);
      seen.length = 0;
      return s;
    }

    it('a newer version wins: one conditional PutItem, answered with the item written', async () => {
      const s = await seeded();
      const newer = flag('k', 11, { name: 'updated' });
      const { err, updated } = await s.upsert(FEATURES, 'k', newer);
      expect(err).to.equal(undefined);
      expect(shown(updated)).to.deep.equal(shown(newer));
      expect(shown(await s.get(FEATURES, 'k'))).to.deep.equal(shown(newer));
      const [put] = seen;
      expect(seen.map((r) => `${r.operation} ${r.command} ${String(r.method)}`)).to.deep.equal([
        'PutIfNewer PutItem upsert',
        'Get GetItem get',
      ]);
      const params = put?.params as DynamoDB.PutItemInput;
      // Every name through a placeholder (`key` and `item` are reserved words); the loser's item comes back with the failure.
      expect(params.ConditionExpression).to.not.match(/\b(version|key|item|namespace)\b/);
      expect(params.ReturnValuesOnConditionCheckFailure).to.equal('ALL_OLD');
      expect(params.Item).to.deep.equal({
        namespace: { S: `${prefix}:features` },
        key: { S: 'k' },
        version: { N: '11' },
        item: { S: newer.serializedItem },
      });
    });

    for (const [name, version] of [
      ['an older version', 9],
      ['the same version', 10],
    ] as const) {
      it(`${name} loses: the stored item stays, and is the answer`, async () => {
        const s = await seeded();
        const { err, updated } = await s.upsert(FEATURES, 'k', flag('k', version, { name: 'updated' }));
        expect(err).to.equal(undefined);
        expect(shown(updated)).to.deep.equal(shown(original));
        expect(shown(await s.get(FEATURES, 'k'))).to.deep.equal(shown(original));
        // The stored item comes with the failed condition; dynalite returns none, so one consistent read.
        expect(seen.map((r) => r.command)).to.deep.equal(
          target.server.returnsOldItem ? ['PutItem', 'GetItem'] : ['PutItem', 'GetItem', 'GetItem'],
        );
      });
    }

    it('a new key is written', async () => {
      const s = await seeded();
      const { updated } = await s.upsert(FEATURES, 'new', flag('new', 1));
      expect(shown(updated)).to.deep.equal(shown(flag('new', 1)));
      expect(shown(await s.get(FEATURES, 'new'))).to.deep.equal(shown(flag('new', 1)));
    });
  });

  describe('delete (a tombstone upsert)', () => {
    const original = flag('k', 10);

    async function seeded(): Promise<Store> {
      const s = store(fresh());
      await s.init([{ key: FEATURES, item: [{ key: 'k', item: original }] }]);
      return s;
    }

    it('a newer version deletes: the tombstone is stored, not removed', async () => {
      const s = await seeded();
      const { updated } = await s.upsert(FEATURES, 'k', tombstone('k', 11));
      expect(shown(updated)).to.deep.equal(shown(tombstone('k', 11)));
      expect(shown(await s.get(FEATURES, 'k'))).to.deep.equal(shown(tombstone('k', 11)));
    });

    for (const [name, version] of [
      ['an older version', 9],
      ['the same version', 10],
    ] as const) {
      it(`${name} does not delete`, async () => {
        const s = await seeded();
        const { updated } = await s.upsert(FEATURES, 'k', tombstone('k', version));
        expect(shown(updated)).to.deep.equal(shown(original));
        expect(shown(await s.get(FEATURES, 'k'))).to.deep.equal(shown(original));
      });
    }

    it('an unknown key: the tombstone is stored', async () => {
      const s = await seeded();
      const { updated } = await s.upsert(FEATURES, 'unknown', tombstone('unknown', 1));
      expect(shown(updated)).to.deep.equal(shown(tombstone('unknown', 1)));
      expect(shown(await s.get(FEATURES, 'unknown'))).to.deep.equal(shown(tombstone('unknown', 1)));
    });

    it('an older upsert after a delete loses', async () => {
      const s = await seeded();
      await s.upsert(FEATURES, 'k', tombstone('k', 11));
      const { updated } = await s.upsert(FEATURES, 'k', flag('k', 10));
      expect(shown(updated)).to.deep.equal(shown(tombstone('k', 11)));
      expect(shown(await s.get(FEATURES, 'k'))).to.deep.equal(shown(tombstone('k', 11)));
    });
  });

  describe('prefixes', () => {
    it('two prefixes and no prefix are independent: init', async () => {
      const [p1, p2] = [fresh(), fresh()];
      const one = store(p1, { table: bareTable });
      const two = store(p2, { table: bareTable });
      const bare = store('', { table: bareTable });
      expect([await one.initialized(), await two.initialized(), await bare.initialized()]).to.deep.equal([
        false,
        false,
        false,
      ]);
      await one.init([
        {
          key: FEATURES,
          item: [
            { key: 'flag-a', item: flag('flag-a', 1) },
            { key: 'flag-b', item: flag('flag-b', 1) },
          ],
        },
      ]);
      expect([await one.initialized(), await two.initialized(), await bare.initialized()]).to.deep.equal([
        true,
        false,
        false,
      ]);
      await two.init([
        {
          key: FEATURES,
          item: [
            { key: 'flag-a', item: flag('flag-a', 2) },
            { key: 'flag-c', item: flag('flag-c', 2) },
          ],
        },
      ]);
      await bare.init([{ key: FEATURES, item: [{ key: 'flag-d', item: flag('flag-d', 3) }] }]);
      expect([await one.initialized(), await two.initialized(), await bare.initialized()]).to.deep.equal([
        true,
        true,
        true,
      ]);
      expect((await one.getAll(FEATURES))?.map((i) => [i.key, i.item.version])).to.deep.equal([
        ['flag-a', 1],
        ['flag-b', 1],
      ]);
      expect((await two.getAll(FEATURES))?.map((i) => [i.key, i.item.version])).to.deep.equal([
        ['flag-a', 2],
        ['flag-c', 2],
      ]);
      expect((await bare.getAll(FEATURES))?.map((i) => [i.key, i.item.version])).to.deep.equal([['flag-d', 3]]);
      expect(shown(await one.get(FEATURES, 'flag-a'))).to.deep.equal(shown(flag('flag-a', 1)));
      expect(shown(await two.get(FEATURES, 'flag-a'))).to.deep.equal(shown(flag('flag-a', 2)));
      expect(await bare.get(FEATURES, 'flag-a')).to.equal(undefined);
      // Without a prefix, the namespaces are the kinds' own, and the marker is `$inited`.
      expect(await rawItem('features', 'flag-d', bareTable)).to.have.keys('namespace', 'key', 'version', 'item');
      expect(await rawItem('$inited', '$inited', bareTable)).to.deep.equal({
        namespace: { S: '$inited' },
        key: { S: '$inited' },
      });
    });

    it('two prefixes are independent: upsert and delete keep the version check inside the namespace', async () => {
      const [p1, p2] = [fresh(), fresh()];
      const one = store(p1);
      const two = store(p2);
      expect(shown((await two.upsert(FEATURES, 'flag', flag('flag', 2))).updated)).to.deep.equal(
        shown(flag('flag', 2)),
      );
      expect(shown((await one.upsert(FEATURES, 'flag', flag('flag', 1))).updated)).to.deep.equal(
        shown(flag('flag', 1)),
      );
      expect(shown(await one.get(FEATURES, 'flag'))).to.deep.equal(shown(flag('flag', 1)));
      expect(shown(await two.get(FEATURES, 'flag'))).to.deep.equal(shown(flag('flag', 2)));
      expect(shown((await one.upsert(FEATURES, 'flag', tombstone('flag', 2))).updated)).to.deep.equal(
        shown(tombstone('flag', 2)),
      );
      expect(shown(await two.get(FEATURES, 'flag'))).to.deep.equal(shown(flag('flag', 2)));
    });
  });

  it('layout: raw reads show exactly the official attribute names and values', async () => {
    const prefix = fresh();
    const s = store(prefix);
    await s.init([
      { key: SEGMENTS, item: [{ key: 'seg', item: flag('seg', 2) }] },
      { key: FEATURES, item: [{ key: 'f', item: flag('f', 7) }] },
    ]);
    await s.upsert(FEATURES, 'gone', tombstone('gone', 3));
    expect(await rawItem(`${prefix}:features`, 'f')).to.deep.equal({
      namespace: { S: `${prefix}:features` },
      key: { S: 'f' },
      version: { N: '7' },
      item: { S: flag('f', 7).serializedItem },
    });
    expect(await rawItem(`${prefix}:segments`, 'seg')).to.deep.equal({
      namespace: { S: `${prefix}:segments` },
      key: { S: 'seg' },
      version: { N: '2' },
      item: { S: flag('seg', 2).serializedItem },
    });
    // A deleted item is a normal item whose JSON says so: no `deleted` attribute (the official JS store would hide it).
    expect(await rawItem(`${prefix}:features`, 'gone')).to.deep.equal({
      namespace: { S: `${prefix}:features` },
      key: { S: 'gone' },
      version: { N: '3' },
      item: { S: tombstone('gone', 3).serializedItem },
    });
    expect(await rawItem(`${prefix}:$inited`, `${prefix}:$inited`)).to.deep.equal({
      namespace: { S: `${prefix}:$inited` },
      key: { S: `${prefix}:$inited` },
    });
  });

  it('an item over 400 KB fails the init, naming it, before its kind is written; no marker', async () => {
    const logger = capturingLogger();
    const prefix = fresh();
    const s = store(prefix, { logger });
    const big = flag('big', 1, { padding: 'x'.repeat(400 * 1024) });
    const err = await s.init([
      { key: SEGMENTS, item: [{ key: 'seg', item: flag('seg', 1) }] },
      {
        key: FEATURES,
        item: [
          { key: 'small', item: flag('small', 1) },
          { key: 'big', item: big },
        ],
      },
    ]);
    expect(err).to.have.property('code', 'INVALID_ARGUMENT');
    expect(err?.message).to.contain('big');
    expect(logger.lines).to.have.length(1);
    expect(logger.lines[0]).to.match(/^error: DynamoDBFeatureStore: init of table .* failed: .*big/);
    expect(await s.get(FEATURES, 'small')).to.equal(undefined);
    expect(await s.initialized()).to.equal(false);
  });

  describe('concurrent modification, through a client whose PutItem lets a competing writer write first', () => {
    /**
     * A client on this target's SDK, given through the `client` option,
     * whose every PutItem first runs `before` to its end.
     */
    function competingClient(before: () => Promise<void>): DynamoDB | DynamoDBClient {
      if (target.sdk === 'v2') {
        const client = new DynamoDB(v2Config(endpoint));
        const putItem = client.putItem.bind(client);
        // The adapter uses a request's promise(), abort() and response.
        (client as unknown as { putItem: unknown }).putItem = (params: DynamoDB.PutItemInput) => {
          let inner: ReturnType<typeof putItem> | undefined;
          return {
            promise: async () => {
              await before();
              inner = putItem(params);
              return inner.promise();
            },
            abort: () => inner?.abort(),
            get response() {
              return (inner as { response?: unknown } | undefined)?.response;
            },
          };
        };
        return client;
      }
      const client = new DynamoDBClient(v3Config(endpoint));
      const send = client.send.bind(client) as (command: object, options?: object) => Promise<unknown>;
      (client as unknown as { send: unknown }).send = async (command: object, options?: object) => {
        if (command.constructor.name === 'PutItemCommand') await before();
        return send(command, options);
      };
      return client;
    }

    /**
     * The store under test through the SDK's wrapper, with a cache, and a
     * second store on the same table and prefix that the hook writes with:
     * the next version of `versions` at each PutItem of the store under test.
     */
    async function race(versions: number[]): Promise<{
      facade: AsyncStoreFacade;
      requests: string[];
      competed: number[];
      close: () => void;
    }> {
      const prefix = fresh();
      const competitor = store(prefix);
      const competed: number[] = [];
      const client = competingClient(async () => {
        const version = versions.shift();
        if (version === undefined) return;
        competed.push(version);
        await competitor.upsert(FEATURES, 'foo', flag('foo', version));
      });
      const requests: string[] = [];
      const options: DynamoDBFeatureStoreOptions = {
        client,
        prefix,
        cacheTTL: 30,
        hooks: { requestBuilt: (ctx) => void requests.push(`${ctx.operation} ${ctx.command}`) },
      };
      const facade = new AsyncStoreFacade(DynamoDBFeatureStore(tableName, options)(clientContext(capturingLogger())));
      await facade.init({ features: { foo: { key: 'foo', version: 1, on: true } } });
      requests.length = 0;
      return {
        facade,
        requests,
        competed,
        close: () => {
          facade.close();
          if (client instanceof DynamoDBClient) client.destroy();
        },
      };
    }

    it('competing 2, 3, 4 against our 10 leaves 10: one PutItem', async () => {
      const { facade, requests, competed, close } = await race([2, 3, 4]);
      try {
        await facade.upsert({ namespace: 'features' }, { key: 'foo', version: 10, on: true });
        // One PutItem per upsert, so the competitor writes once before it: Redis-style retry loops would meet 3 and 4.
        expect(competed).to.deep.equal([2]);
        expect(requests).to.deep.equal(['PutIfNewer PutItem']);
        expect((await facade.get({ namespace: 'features' }, 'foo'))?.version).to.equal(10);
      } finally {
        close();
      }
    });

    it('competing 3 against our 2 leaves 3: the SDK caches the winner the failed write returned', async () => {
      const { facade, requests, competed, close } = await race([3]);
      try {
        await facade.upsert({ namespace: 'features' }, { key: 'foo', version: 2, on: true });
        expect(competed).to.deep.equal([3]);
        // The winner comes with the failed condition; dynalite returns none, so one consistent read.
        expect(requests).to.deep.equal(
          target.server.returnsOldItem ? ['PutIfNewer PutItem'] : ['PutIfNewer PutItem', 'PutIfNewer GetItem'],
        );
        requests.length = 0;
        // Served from the SDK's cache, filled with what upsert answered: no request.
        expect((await facade.get({ namespace: 'features' }, 'foo'))?.version).to.equal(3);
        expect(requests).to.deep.equal([]);
      } finally {
        close();
      }
    });
  });
});
