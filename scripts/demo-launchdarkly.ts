// npm run demo:launchdarkly: the LaunchDarkly Node.js server SDK on
// dynastore/launchdarkly, on an embedded, in-memory dynalite, with no
// network. One SDK client plays the Relay Proxy: its data source is the
// SDK's TestData, and it writes flags to the table through the store. A
// second client, in daemon mode with the cache off, evaluates them from
// DynamoDB. Every request the hooks saw is printed, with the store method
// that made it.
import '../test/helpers/setup';
import { basicLogger, init, type LDClient } from '@launchdarkly/node-server-sdk';
import { TestData } from '@launchdarkly/node-server-sdk/integrations';
import { operationName, Session, type RequestContext, type RequestParams } from '../lib';
import { DynamoDBFeatureStore } from '../lib/launchdarkly';
import { createTable, localConfig, rawClient, startDynalite, stopServers } from '../test/helpers/server';

/** What a request is about: its keys, or for a batch how many writes of each kind. */
function describeRequest(params: RequestParams): string {
  const p = params as {
    Key?: Record<string, { S?: string }>;
    Item?: Record<string, { S?: string; N?: string }>;
    KeyConditionExpression?: string;
    ExpressionAttributeValues?: Record<string, { S?: string }>;
    RequestItems?: Record<string, unknown>;
  };
  if (p.Key !== undefined) return `${p.Key.namespace?.S}/${p.Key.key?.S}`;
  if (p.Item !== undefined) return `${p.Item.namespace?.S}/${p.Item.key?.S} version ${p.Item.version?.N}`;
  if (p.RequestItems !== undefined) {
    const writes = Object.values(p.RequestItems)[0];
    if (Array.isArray(writes)) {
      const puts = (writes as { PutRequest?: unknown }[]).filter((w) => w.PutRequest !== undefined).length;
      return `${puts} puts, ${writes.length - puts} deletes`;
    }
  }
  const values = Object.values(p.ExpressionAttributeValues ?? {}).flatMap((v) => (v.S === undefined ? [] : [v.S]));
  return values.length > 0 ? `namespace ${values.join(', ')}` : '';
}

async function main(): Promise<void> {
  const endpoint = await startDynalite();
  const ddb = rawClient(endpoint);
  const TABLE = await createTable(ddb, 'launchdarkly', { partitionKey: 'namespace', sortKey: 'key' });
  console.log(`dynalite listening on ${endpoint}; table ${TABLE} created in LaunchDarkly's layout (namespace, key)\n`);

  const session = new Session({
    config: { ...localConfig, endpoint },
    hooks: {
      requestBuilt(ctx: RequestContext, params: RequestParams) {
        console.log(
          `    → ${String(ctx.launchDarkly)}: ${operationName(ctx)} sends ${ctx.command} ${describeRequest(params)}`,
        );
      },
    },
  });
  // The SDKs' own log lines, at warn and error, shown among the steps.
  const logger = basicLogger({
    level: 'warn',
    destination: (line: string) => console.log(`    [LaunchDarkly SDK] ${line}`),
  });
  const clients: LDClient[] = [];

  console.log('1. A client whose data source is TestData writes the flag new-checkout (on for alice) to the table');
  const td = new TestData();
  await td.update(td.flag('new-checkout').booleanFlag().variationForUser('alice', true).fallthroughVariation(false));
  const writer = init('sdk-key-not-used', {
    featureStore: DynamoDBFeatureStore(TABLE, { session, prefix: 'production' }),
    updateProcessor: td.getFactory(),
    sendEvents: false,
    logger,
  });
  clients.push(writer);
  await writer.waitForInitialization({ timeout: 5 });
  const { Items = [] } = await ddb.scan({ TableName: TABLE }).promise();
  console.log('   the table now holds:');
  for (const item of Items) {
    const version = item.version?.N === undefined ? '' : ` version=${item.version.N}`;
    const json = item.item?.S === undefined ? '' : ` item=${item.item.S.slice(0, 60)}…`;
    console.log(`     namespace=${item.namespace?.S} key=${item.key?.S}${version}${json}`);
  }
  console.log();

  console.log('2. A second client in daemon mode (useLdd, cacheTTL 0) evaluates the flag from DynamoDB');
  const reader = init('sdk-key-not-used', {
    featureStore: DynamoDBFeatureStore(TABLE, { session, prefix: 'production', cacheTTL: 0 }),
    useLdd: true,
    sendEvents: false,
    logger,
  });
  clients.push(reader);
  await reader.waitForInitialization({ timeout: 5 });
  for (const key of ['alice', 'bob']) {
    const value: unknown = await reader.variation('new-checkout', { kind: 'user', key }, false);
    console.log(`   new-checkout for ${key}: ${String(value)}\n`);
  }

  console.log('3. The flag is turned on for everyone: one conditional PutItem, which wins as its version is newer');
  await td.update(td.flag('new-checkout').booleanFlag().variationForAll(true));
  const bob: unknown = await reader.variation('new-checkout', { kind: 'user', key: 'bob' }, false);
  console.log(`   new-checkout for bob: ${String(bob)}\n`);

  console.log('4. The flag is deleted: a tombstone, written as one more version');
  await td.usePreconfiguredFlag({ key: 'new-checkout', deleted: true });
  const detail = await reader.variationDetail('new-checkout', { kind: 'user', key: 'bob' }, false);
  console.log(`   new-checkout for bob: ${String(detail.value)} (${JSON.stringify(detail.reason)})\n`);

  for (const c of clients) c.close();
  session.close();
  await stopServers();
  console.log(
    'Done. Nothing was sent to LaunchDarkly: TestData and daemon mode replace streaming and polling, and events are off.',
  );
}

main().catch(async (err: unknown) => {
  console.error(err);
  await stopServers();
  process.exitCode = 1;
});
