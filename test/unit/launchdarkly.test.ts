// dynastore/launchdarkly without a server: the factory's options, checked
// when it is made; which clients a store releases on close; and what the
// SDK and its logger are told when every request fails (a client whose
// endpoint refuses connections), on both SDKs.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AsyncStoreFacade, type interfaces, type LDClientContext, type LDLogger } from '@launchdarkly/node-server-sdk';
import AWS from 'aws-sdk';
import { expect } from 'chai';
import sinon from 'sinon';
import { DynastoreError, Session } from '../../lib';
import { DynamoDBFeatureStore, type DynamoDBFeatureStoreOptions } from '../../lib/launchdarkly';
import { LAUNCHDARKLY_ATTRIBUTES, LaunchDarklyStore } from '../../lib/launchdarkly-store';
import { sdks } from '../helpers/sdk';

type Kind = interfaces.PersistentStoreDataKind;
const FEATURES: Kind = { namespace: 'features', deserialize: () => undefined };

/** Where nothing listens: connections are refused at once. */
const DEAD = 'http://127.0.0.1:9';
const LOCAL = { region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } };

function capturingLogger(): LDLogger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (message: string) => void lines.push(`${level}: ${message}`);
  return { lines, error: keep('error'), warn: keep('warn'), info: keep('info'), debug: keep('debug') };
}

function clientContext(logger: LDLogger): LDClientContext {
  return { basicConfiguration: { logger } } as unknown as LDClientContext;
}

/** The INVALID_ARGUMENT the factory throws for these options. */
function refusal(options: unknown, tableName = 'launchdarkly'): DynastoreError {
  try {
    DynamoDBFeatureStore(tableName, options as DynamoDBFeatureStoreOptions);
  } catch (err) {
    expect(err).to.be.instanceOf(DynastoreError);
    expect((err as DynastoreError).code).to.equal('INVALID_ARGUMENT');
    return err as DynastoreError;
  }
  expect.fail(`expected ${JSON.stringify(options)} to be refused`);
}

describe('DynamoDBFeatureStore options', () => {
  const v3 = new DynamoDBClient(LOCAL);
  const v2 = new AWS.DynamoDB(LOCAL);
  after(() => v3.destroy());

  it("takes LaunchDarkly's options and dynastore's, and returns a factory of stores the SDK takes", () => {
    const logger = capturingLogger();
    for (const options of [
      undefined,
      {},
      { prefix: 'p', cacheTTL: 0 },
      { prefix: null, cacheTTL: null },
      { prefix: '', cacheTTL: 2.5, logger },
      { dynamoDBClient: v3 },
      { clientOptions: { ...LOCAL, endpoint: DEAD } },
      { client: v2, hooks: { requestCompleted: () => undefined } },
      { client: v3 },
      { session: new Session({ client: v2 }) },
    ] as (DynamoDBFeatureStoreOptions | undefined)[]) {
      const factory = DynamoDBFeatureStore('launchdarkly', options);
      const store = factory(clientContext(logger));
      expect(store.getDescription?.()).to.equal('DynamoDB');
      store.close();
    }
    expect(logger.lines).to.deep.equal([]);
  });

  it('refuses a bad table name', () => {
    expect(refusal({}, 'no').message).to.contain('table name');
    expect(refusal({}, 'a table').message).to.contain('"a table"');
  });

  it('refuses options that are not a plain object, and unknown names, naming them', () => {
    expect(refusal([]).message).to.contain('plain object');
    expect(refusal('prefix').message).to.contain('plain object');
    expect(refusal({ ttl: 5 }).message).to.match(
      /unknown DynamoDBFeatureStore option "ttl": the options are prefix, cacheTTL/,
    );
    expect(refusal({ region: 'eu-west-1' }).message).to.contain('"region"');
    expect(refusal({ [Symbol('x')]: 1 }).message).to.contain('a symbol');
  });

  it('refuses a value of the wrong type, naming the option and the value', () => {
    expect(refusal({ prefix: 5 }).message).to.match(/^prefix must be a string, got 5/);
    expect(refusal({ prefix: 'x'.repeat(3000) }).message).to.contain('prefix');
    expect(refusal({ prefix: '\uD800' }).message).to.contain('prefix');
    for (const ttl of [-1, Number.NaN, Infinity, '15', true]) {
      expect(refusal({ cacheTTL: ttl }).message).to.match(/^cacheTTL must be a number of seconds/);
    }
    expect(refusal({ logger: { error: () => undefined } }).message).to.match(/^logger must be an LDLogger/);
    expect(refusal({ session: {} }).message).to.match(/^session must be a dynastore Session/);
    expect(refusal({ session: Object.create(Session.prototype) as Session }).message).to.match(
      /^session must be a dynastore Session/,
    );
    expect(refusal({ client: {} }).message).to.match(/^DynamoDBFeatureStore: client must be an AWS.DynamoDB/);
    expect(refusal({ client: 'ddb' }).message).to.match(/^client must be an object/);
    expect(refusal({ dynamoDBClient: v2 }).message).to.match(
      /^dynamoDBClient must be a DynamoDBClient from aws-sdk v3/,
    );
    expect(refusal({ clientOptions: [] }).message).to.match(/^clientOptions must be a plain object/);
    expect(refusal({ hooks: { requestSent: () => undefined } }).message).to.contain('unknown hook "requestSent"');
    expect(refusal({ hooks: { requestBuilt: 1 } }).message).to.contain('hooks.requestBuilt must be a function');
  });

  it('refuses two sources of connection, and hooks beside a session', () => {
    expect(refusal({ client: v2, dynamoDBClient: v3 }).message).to.contain('got client and dynamoDBClient');
    expect(refusal({ session: new Session({ client: v2 }), clientOptions: {} }).message).to.contain(
      'got session and clientOptions',
    );
    expect(refusal({ dynamoDBClient: v3, clientOptions: {} }).message).to.contain(
      'got dynamoDBClient and clientOptions',
    );
    expect(refusal({ session: new Session({ client: v2 }), hooks: {} }).message).to.contain('hooks or session');
  });

  it('reads no option from a polluted Object.prototype', () => {
    Object.defineProperty(Object.prototype, 'client', { value: 'toString', configurable: true, writable: true });
    try {
      expect(DynamoDBFeatureStore('launchdarkly', {})).to.be.a('function');
      expect(DynamoDBFeatureStore('launchdarkly')).to.be.a('function');
    } finally {
      Reflect.deleteProperty(Object.prototype, 'client');
    }
  });

  it('a logger whose methods cannot be read: INVALID_ARGUMENT, with the error as cause', () => {
    const boom = new Error('boom');
    const logger = new Proxy(
      {},
      {
        get() {
          throw boom;
        },
      },
    );
    const err = refusal({ logger });
    expect(err.message).to.contain('logger could not be read');
    expect(err.cause).to.equal(boom);
  });

  it('an option whose getter throws: INVALID_ARGUMENT naming it, with the error as cause', () => {
    const boom = new Error('boom');
    const err = refusal({
      get prefix(): string {
        throw boom;
      },
    });
    expect(err.message).to.contain('option prefix could not be read');
    expect(err.cause).to.equal(boom);
  });

  it('options, or clientOptions, behind a Proxy whose getPrototypeOf throws: INVALID_ARGUMENT with the error as cause', () => {
    const boom = new Error('boom');
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw boom;
        },
      },
    );
    expect(refusal(hostile).cause).to.equal(boom);
    expect(refusal({ clientOptions: hostile }).cause).to.equal(boom);
  });
});

describe('DynamoDBFeatureStore close', () => {
  afterEach(() => sinon.restore());

  it('destroys the client each store built from clientOptions, once; leaves a given client or session alone', () => {
    const destroy = sinon.spy(DynamoDBClient.prototype, 'destroy');
    const factory = DynamoDBFeatureStore('launchdarkly', { clientOptions: { ...LOCAL, endpoint: DEAD } });
    const context = clientContext(capturingLogger());
    const [one, two] = [factory(context), factory(context)];
    one.close();
    one.close();
    expect(destroy.callCount).to.equal(1);
    two.close();
    expect(destroy.callCount).to.equal(2);
    expect(destroy.thisValues[0]).to.not.equal(destroy.thisValues[1]);

    destroy.resetHistory();
    const given = new DynamoDBClient(LOCAL);
    DynamoDBFeatureStore('launchdarkly', { dynamoDBClient: given })(context).close();
    DynamoDBFeatureStore('launchdarkly', { client: given })(context).close();
    expect(destroy.callCount).to.equal(0);

    const session = new Session({ client: given });
    const sessionClose = sinon.spy(session, 'close');
    DynamoDBFeatureStore('launchdarkly', { session })(context).close();
    expect(sessionClose.callCount).to.equal(0);
    given.destroy();
  });
});

for (const sdk of sdks) {
  describe(`DynamoDBFeatureStore when every request fails [${sdk}]`, () => {
    let client: AWS.DynamoDB | DynamoDBClient;
    let logger: LDLogger & { lines: string[] };
    before(() => {
      client =
        sdk === 'v2'
          ? new AWS.DynamoDB({ ...LOCAL, endpoint: DEAD, maxRetries: 0 })
          : new DynamoDBClient({ ...LOCAL, endpoint: DEAD, maxAttempts: 1 });
    });
    after(() => {
      if (client instanceof DynamoDBClient) client.destroy();
    });
    beforeEach(() => {
      logger = capturingLogger();
    });

    function core(): LaunchDarklyStore {
      return new LaunchDarklyStore({
        table: new Session({ client }).table('launchdarkly', { attributes: LAUNCHDARKLY_ATTRIBUTES }),
        prefix: 'p',
        logger,
        release: () => undefined,
      });
    }

    /** Calls `method` with a callback, and resolves with every call's arguments once the store has settled. */
    async function calls(method: (callback: (...args: unknown[]) => void) => void): Promise<unknown[][]> {
      const made: unknown[][] = [];
      await new Promise<void>((resolve) => {
        method((...args) => {
          made.push(args);
          setTimeout(resolve, 20);
        });
      });
      return made;
    }

    it('init and upsert: the error to the callback, once, and logged', async () => {
      const s = core();
      const [init, ...moreInit] = await calls((cb) => s.init([{ key: FEATURES, item: [] }], cb));
      expect(moreInit).to.deep.equal([]);
      expect(init?.[0]).to.be.instanceOf(DynastoreError).with.property('code', 'REQUEST_FAILED');
      const [upsert, ...moreUpsert] = await calls((cb) =>
        s.upsert(FEATURES, 'flag', { version: 1, serializedItem: '{}' }, cb),
      );
      expect(moreUpsert).to.deep.equal([]);
      expect(upsert?.[0]).to.be.instanceOf(DynastoreError).with.property('code', 'REQUEST_FAILED');
      expect(upsert?.[1]).to.equal(undefined);
      expect(logger.lines).to.have.length(2);
      expect(logger.lines[0]).to.match(
        /^error: DynamoDBFeatureStore: init of table launchdarkly \(reading the keys stored in "p:features"\) failed: /,
      );
      expect(logger.lines[1]).to.match(
        /^error: DynamoDBFeatureStore: upsert of "flag" of "p:features" in table launchdarkly at version 1 failed: /,
      );
    });

    it('get, getAll, initialized, isStoreAvailable: nothing (undefined, false), once, and logged', async () => {
      const s = core();
      expect(await calls((cb) => s.get(FEATURES, 'flag', cb))).to.deep.equal([[undefined]]);
      expect(await calls((cb) => s.getAll(FEATURES, cb))).to.deep.equal([[undefined]]);
      expect(await calls((cb) => s.initialized(cb))).to.deep.equal([[false]]);
      expect(await calls((cb) => s.isStoreAvailable(cb))).to.deep.equal([[false]]);
      expect(logger.lines.map((l) => l.replace(/ failed: .*/, ''))).to.deep.equal([
        'error: DynamoDBFeatureStore: get of "flag" of "p:features" in table launchdarkly',
        'error: DynamoDBFeatureStore: getAll of "p:features" in table launchdarkly',
        'error: DynamoDBFeatureStore: initialized',
        'error: DynamoDBFeatureStore: isStoreAvailable',
      ]);
    });

    it('a callback that throws is called once, and its throw logged, not thrown', async () => {
      const s = core();
      let called = 0;
      await new Promise<void>((resolve) => {
        s.get(FEATURES, 'flag', () => {
          called++;
          setTimeout(resolve, 20);
          throw new Error('the SDK broke');
        });
      });
      expect(called).to.equal(1);
      expect(logger.lines[1]).to.equal(
        'error: DynamoDBFeatureStore: the SDK\'s callback for get of "flag" of "p:features" in table launchdarkly threw: Error: the SDK broke',
      );
    });

    it("through the SDK's wrapper: reads answer nothing, writes settle, everything is logged", async () => {
      const store = DynamoDBFeatureStore('launchdarkly', { client, cacheTTL: 0 })(clientContext(logger));
      const facade = new AsyncStoreFacade(store);
      expect(await facade.get({ namespace: 'features' }, 'flag')).to.equal(null);
      expect(await facade.all({ namespace: 'features' })).to.deep.equal({});
      expect(await facade.initialized()).to.equal(false);
      await facade.upsert({ namespace: 'features' }, { key: 'flag', version: 2 });
      await facade.init({ features: {} });
      facade.close();
      expect(logger.lines.map((l) => l.replace(/ failed: .*| error: .*/, ''))).to.deep.equal([
        'error: DynamoDBFeatureStore: get of "flag" of "features" in table launchdarkly',
        'error: DynamoDBFeatureStore: getAll of "features" in table launchdarkly',
        'error: DynamoDBFeatureStore: initialized',
        'error: DynamoDBFeatureStore: upsert of "flag" of "features" in table launchdarkly at version 2',
        // The SDK's wrapper logs an upsert's error again (9.13.3 and later), and ignores an init's.
        'error: Persistent store returned',
        'error: DynamoDBFeatureStore: init of table launchdarkly (reading the keys stored in "features")',
      ]);
    });
  });
}
