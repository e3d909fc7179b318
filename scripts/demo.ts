// npm run demo: the Go dynastore README walkthrough (create with atomicPut and
// an index field, list by the local index, compare-and-swap update,
// compare-and-swap delete) on an embedded, in-memory dynalite, printing each
// step and every request the hooks saw; then locks, and path-style keys
// listed as a tree.
import '../test/helpers/setup';
import {
  DynastoreError,
  operationName,
  readWithLimit,
  readWithLocalIndex,
  Session,
  writeWithFields,
  writeWithPreviousKV,
  writeWithString,
  type RequestParams,
} from '../lib';
import { createTable, localConfig, rawClient, startDynalite, stopServers } from '../test/helpers/server';

interface Customer {
  name: string;
  status?: string;
}

function describeRequest(params: RequestParams): string {
  const shown: Record<string, unknown> = { ...params };
  delete shown.TableName;
  return JSON.stringify(shown);
}

async function main(): Promise<void> {
  const endpoint = await startDynalite();
  const tableName = await createTable(rawClient(endpoint), 'CRMTable');
  console.log(`dynalite listening on ${endpoint}; table ${tableName} created from docs/table.json\n`);

  const session = new Session({
    config: { ...localConfig, endpoint },
    hooks: {
      requestBuilt(ctx, params) {
        console.log(`    → ${operationName(ctx)} sends ${ctx.command} ${describeRequest(params)}`);
      },
    },
  });
  const customers = session.table(tableName).partition('customers');
  const id = '01FCFSDXQ8EYFCNMEA7C2WJG74';
  const customer: Customer = { name: 'welcome' };

  console.log('1. Create the customer with atomicPut; the created field feeds the local index idx_created');
  let kv = await customers.atomicPut(
    id,
    writeWithString(JSON.stringify(customer)),
    writeWithFields({ created: new Date().toISOString() }),
  );
  console.log(`   created: id=${kv.partition} name=${kv.key} version=${kv.version}\n`);

  console.log('2. List the partition through the local index idx_created, ordered by the created field');
  const page = await customers.listPage('', readWithLocalIndex('idx_created', 'created'), readWithLimit(100));
  console.log(`   found ${page.keys.length} record(s): ${page.keys.map((k) => k.stringValue()).join(', ')}\n`);

  console.log('3. Update with compare-and-swap: succeeds only if nobody changed the record since version 1');
  customer.status = 'enabled';
  kv = await customers.atomicPut(id, writeWithString(JSON.stringify(customer)), writeWithPreviousKV(kv));
  console.log(`   updated: version=${kv.version} value=${kv.stringValue()}\n`);

  console.log('   A writer still holding version 1 now loses the race:');
  try {
    await customers.atomicPut(id, writeWithString('{"name":"stale"}'), writeWithPreviousKV({ version: 1 }));
  } catch (err) {
    if (!DynastoreError.is(err, 'KEY_MODIFIED')) throw err;
    console.log(`   ${err.code}: ${err.message}\n`);
  }

  console.log('4. Delete with compare-and-swap on the current version');
  const deleted = await customers.atomicDelete(id, kv);
  console.log(`   deleted: ${deleted}; exists now: ${await customers.exists(id)}\n`);
  session.close();

  console.log('5. Two workers take turns on one lock (hooks quiet for this part)');
  const quiet = new Session({ config: { ...localConfig, endpoint } });
  const jobs = quiet.table(tableName).partition('jobs');
  const worker = async (name: string): Promise<void> => {
    for (let turn = 1; turn <= 3; turn++) {
      const lock = await jobs.lock('reports/nightly', { ttl: 5_000, retry: 2, value: name });
      console.log(`   worker ${name} holds the lock (turn ${turn}, fencing token ${lock.fencingToken})`);
      await new Promise((resolve) => setTimeout(resolve, 30));
      await lock.release();
      // Step aside a moment so the other worker gets its turn.
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  };
  await Promise.all([worker('A'), worker('B')]);
  const lockItem = await jobs.get('reports/nightly');
  console.log(
    `   the lock item afterwards: state ${String(lockItem.decodeFields().state)}, version ${lockItem.version}\n`,
  );

  console.log('6. Path-style keys as a tree: one directory level, then a subtree deleted (hooks quiet)');
  const docs = quiet.table(tableName).partition('docs');
  await docs.putMany(
    ['readme', 'guide/intro', 'guide/setup', 'api/get', 'api/put', 'api/v2/list'].map((key) => ({
      key: `docs/${key}`,
      value: key,
    })),
  );
  const level = await docs.listPage('docs/', { delimiter: '/' });
  console.log(
    `   under docs/: items ${level.keys.map((k) => k.key).join(', ')}; directories ${(level.prefixes ?? []).join(', ')}`,
  );
  const removed = await docs.deleteTree('docs/api/');
  const after = await docs.listPage('docs/', { delimiter: '/' });
  console.log(
    `   deleteTree('docs/api/') deleted ${removed} items; directories now ${(after.prefixes ?? []).join(', ')}\n`,
  );
  quiet.close();
}

main()
  .then(stopServers)
  .catch(async (err: unknown) => {
    console.error(err);
    await stopServers();
    process.exitCode = 1;
  });
