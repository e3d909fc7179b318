// The real LaunchDarkly Node.js server SDK on dynastore/launchdarkly, end to
// end, with no network but the local DynamoDB: daemon mode reading flags the
// Relay Proxy would have written (raw PutItems in the official layout), and
// the write path (the SDK's TestData as data source) read back by a second
// SDK in daemon mode. Ported from LaunchDarkly's Go store suite's LDClient
// end-to-end test.
import {
  basicLogger,
  init,
  type LDClient,
  type LDContext,
  type LDLogger,
  type LDOptions,
} from '@launchdarkly/node-server-sdk';
import { TestData } from '@launchdarkly/node-server-sdk/integrations';
import type DynamoDB from 'aws-sdk/clients/dynamodb';
import { expect } from 'chai';
import net from 'node:net';
import type { Session } from '../../lib';
import { DynamoDBFeatureStore } from '../../lib/launchdarkly';
import { forEachTarget } from '../helpers/sdk';
import { createTable, rawClient } from '../helpers/server';

const USER: LDContext = { kind: 'user', key: 'userkey' };
const OTHER: LDContext = { kind: 'user', key: 'otheruser' };

/** The Go suite's flag: a rule matching segment `segmentkey` gives variation `rule`; others fall through to "bad". */
function goFlag(version: number, rule: number): Record<string, unknown> {
  return {
    key: 'flagkey',
    version,
    on: true,
    variations: ['good', 'better', 'bad'],
    fallthrough: { variation: 2 },
    offVariation: 2,
    targets: [],
    contextTargets: [],
    prerequisites: [],
    rules: [
      {
        id: 'rule-1',
        variation: rule,
        clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['segmentkey'], negate: false }],
        trackEvents: false,
      },
    ],
    salt: 'salt',
    trackEvents: false,
    trackEventsFallthrough: false,
    deleted: false,
  };
}

function goSegment(version: number, included: string[]): Record<string, unknown> {
  return { key: 'segmentkey', version, included, excluded: [], rules: [], salt: 'salt', deleted: false };
}

/** A logger that keeps what the SDK and the store say, at warn and error. */
function capturingLogger(): LDLogger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (message: string) => void lines.push(`${level}: ${message}`);
  const quiet = (): void => undefined;
  return { lines, error: keep('error'), warn: keep('warn'), info: quiet, debug: quiet };
}

/**
 * Watches every outbound connection the process opens while `body` runs, as
 * `host:port`: the SDK's streaming, polling, events and diagnostics all
 * connect through `net.Socket.connect`, as do both AWS SDKs.
 */
async function connections<T>(body: () => Promise<T>): Promise<{ result: T; targets: string[] }> {
  const targets: string[] = [];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back as it was, and called with its socket
  const connect = net.Socket.prototype.connect;
  const watched = function (this: net.Socket, ...args: unknown[]): net.Socket {
    // net.connect() passes its arguments normalized, as one array.
    const given = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
    const [first, second] = given;
    const o = (typeof first === 'object' && first !== null ? first : { port: first, host: second }) as {
      host?: string;
      port?: number | string;
      path?: string;
    };
    targets.push(o.path ?? `${o.host ?? 'localhost'}:${o.port ?? ''}`);
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  };
  net.Socket.prototype.connect = watched;
  try {
    const result = await body();
    // The watch itself works: a connection of our own shows.
    await new Promise<void>((resolve, reject) => {
      const probe = net.connect(9, '127.0.0.1');
      probe.once('error', () => resolve());
      probe.once('connect', () => {
        probe.end();
        reject(new Error('port 9 answered'));
      });
    });
    expect(targets.pop()).to.equal('127.0.0.1:9');
    return { result, targets };
  } finally {
    net.Socket.prototype.connect = connect;
  }
}

forEachTarget('LaunchDarkly SDK on the DynamoDB feature store', (target) => {
  let endpoint: string;
  let ddb: DynamoDB;
  let tableName: string;
  let session: Session<object>;
  let commands: string[];
  const clients: LDClient[] = [];

  before(async () => {
    endpoint = await target.server.endpoint();
    ddb = rawClient(endpoint);
    tableName = await createTable(ddb, `ld-sdk-${target.sdk}`, { partitionKey: 'namespace', sortKey: 'key' });
    session = target.session(endpoint, {
      hooks: { requestBuilt: (ctx) => void commands.push(ctx.command) },
    });
  });
  beforeEach(() => {
    commands = [];
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  /** An SDK client, closed after the test; events off, so nothing is sent to LaunchDarkly. */
  async function client(options: LDOptions): Promise<LDClient> {
    const c = init('sdk-key-not-used', { sendEvents: false, ...options });
    clients.push(c);
    await c.waitForInitialization({ timeout: 5 });
    return c;
  }

  /** A client in daemon mode: it only reads the table, uncached. */
  function daemon(prefix: string, logger: LDLogger): Promise<LDClient> {
    return client({
      featureStore: DynamoDBFeatureStore(tableName, { session, prefix, cacheTTL: 0 }),
      useLdd: true,
      logger,
    });
  }

  /** The only host:port the process may connect to: the local DynamoDB. */
  const dynamoDB = (): string => new URL(endpoint).host;

  it('daemon mode: flags the Relay Proxy wrote (raw PutItems) evaluate; one GetItem a flag uncached; no other connection', async () => {
    const prefix = 'relay';
    const put = (namespace: string, item: Record<string, unknown>): Promise<unknown> =>
      ddb
        .putItem({
          TableName: tableName,
          Item: {
            namespace: { S: `${prefix}:${namespace}` },
            key: { S: String(item.key) },
            version: { N: String(item.version) },
            item: { S: JSON.stringify(item) },
          },
        })
        .promise();
    await put('segments', goSegment(1, ['userkey']));
    await put('features', goFlag(1, 0));
    await put('features', { ...goFlag(1, 0), key: 'plain', rules: [], fallthrough: { variation: 1 } });
    await ddb
      .putItem({
        TableName: tableName,
        Item: { namespace: { S: `${prefix}:$inited` }, key: { S: `${prefix}:$inited` } },
      })
      .promise();

    const logger = capturingLogger();
    const { result, targets } = await connections(async () => {
      const c = await daemon(prefix, logger);
      commands.length = 0;
      const plain: unknown = await c.variation('plain', USER, 'default');
      const plainCommands = [...commands];
      return {
        plain,
        plainCommands,
        user: (await c.variation('flagkey', USER, 'default')) as unknown,
        other: (await c.variation('flagkey', OTHER, 'default')) as unknown,
        missing: await c.variationDetail('missing', USER, 'default'),
      };
    });
    expect(result.plain).to.equal('better');
    expect(result.plainCommands).to.deep.equal(['GetItem']);
    expect(result.user).to.equal('good');
    expect(result.other).to.equal('bad');
    expect(result.missing).to.deep.include({
      value: 'default',
      reason: { kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' },
    });
    expect(targets.filter((t) => t !== dynamoDB())).to.deep.equal([]);
    expect(logger.lines.filter((l) => !l.includes('Unknown feature flag "missing"'))).to.deep.equal([]);
  });

  it('the write path: TestData writes through the store; a second SDK in daemon mode sees flags, updates and deletions', async () => {
    const prefix = 'written';
    const td = new TestData();
    await td.usePreconfiguredSegment(goSegment(1, ['userkey']));
    await td.usePreconfiguredFlag(goFlag(1, 0));
    const logger = capturingLogger();
    const { targets } = await connections(async () => {
      await client({
        featureStore: DynamoDBFeatureStore(tableName, { session, prefix }),
        updateProcessor: td.getFactory(),
        logger,
      });
      const reader = await daemon(prefix, logger);

      expect(await reader.variation('flagkey', USER, 'default')).to.equal('good');
      expect(await reader.variation('flagkey', OTHER, 'default')).to.equal('bad');
      expect((await reader.allFlagsState(USER)).allValues()).to.deep.equal({ flagkey: 'good' });

      await td.usePreconfiguredFlag(goFlag(2, 1));
      expect(await reader.variation('flagkey', USER, 'default')).to.equal('better');

      await td.usePreconfiguredSegment(goSegment(2, ['userkey', 'otheruser']));
      expect(await reader.variation('flagkey', OTHER, 'default')).to.equal('better');

      await td.usePreconfiguredSegment({ key: 'segmentkey', version: 3, deleted: true });
      expect(await reader.variation('flagkey', USER, 'default')).to.equal('bad');

      await td.update(td.flag('added').booleanFlag().variationForAll(true));
      expect(await reader.variation('added', USER, false)).to.equal(true);

      await td.usePreconfiguredFlag({ key: 'flagkey', version: 3, deleted: true });
      expect(await reader.variationDetail('flagkey', USER, 'default')).to.deep.include({
        value: 'default',
        reason: { kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' },
      });
    });
    expect(targets.filter((t) => t !== dynamoDB())).to.deep.equal([]);
    expect(logger.lines.filter((l) => !l.includes('Unknown feature flag "flagkey"'))).to.deep.equal([]);
    // The deletion is a tombstone in the table, as LaunchDarkly's stores keep it.
    const { Item } = await ddb
      .getItem({
        TableName: tableName,
        Key: { namespace: { S: `${prefix}:features` }, key: { S: 'flagkey' } },
        ConsistentRead: true,
      })
      .promise();
    expect(JSON.parse(Item?.item?.S ?? '{}')).to.include({ key: 'flagkey', deleted: true });
  });

  it('a table that does not exist: the SDK is ready all the same, flags evaluate to their defaults, and every failure is logged', async () => {
    const missing = `ld-missing-${process.pid}`;
    const logger = capturingLogger();
    const td = new TestData();
    await td.update(td.flag('f').booleanFlag().variationForAll(true));
    // The SDK 9.13 ignores the error its store's init reports: the client becomes ready, serving what TestData gave from its cache.
    const writer = await client({
      featureStore: DynamoDBFeatureStore(missing, { session }),
      updateProcessor: td.getFactory(),
      logger,
    });
    expect(writer.initialized()).to.equal(true);
    await td.update(td.flag('f').booleanFlag().variationForAll(false));
    const reader = await client({
      featureStore: DynamoDBFeatureStore(missing, { session, cacheTTL: 0 }),
      useLdd: true,
      logger,
    });
    expect(await reader.variationDetail('f', USER, 'default')).to.deep.include({
      value: 'default',
      reason: { kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' },
    });
    const failed = (l: string): string =>
      l.replace(/ failed: DynamoDB \w+ failed: ResourceNotFoundException.*/, ' failed');
    expect(logger.lines.map(failed)).to.include.members([
      `error: DynamoDBFeatureStore: init of table ${missing} (reading the keys stored in "segments") failed`,
      `error: DynamoDBFeatureStore: upsert of "f" of "features" in table ${missing} at version 2 failed`,
      `error: DynamoDBFeatureStore: get of "f" of "features" in table ${missing} failed`,
    ]);
    // The upsert's error is logged once more by the SDK's wrapper.
    expect(
      logger.lines.some((l) => l.startsWith('error: Persistent store returned error: DynamoDB PutItem failed')),
    ).to.equal(true);
  });

  it('cacheTTL: the default caches a flag once read; 0 reads DynamoDB at every evaluation', async () => {
    const td = new TestData();
    await td.update(td.flag('cached').booleanFlag().variationForAll(true));
    const logger = basicLogger({ level: 'none' });
    const cached = await client({
      featureStore: DynamoDBFeatureStore(tableName, { session, prefix: 'cache' }),
      updateProcessor: td.getFactory(),
      logger,
    });
    const uncached = await daemon('cache', logger);
    commands.length = 0;
    await cached.variation('cached', USER, false);
    await cached.variation('cached', USER, false);
    expect(commands).to.deep.equal([]);
    await uncached.variation('cached', USER, false);
    await uncached.variation('cached', USER, false);
    expect(commands).to.deep.equal(['GetItem', 'GetItem']);
  });
});
