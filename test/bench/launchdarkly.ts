// npm run bench:launchdarkly: what dynastore/launchdarkly sends, counted with
// the session's hooks against an embedded dynalite, with the real
// LaunchDarkly SDK and no network. Two rows:
// - an evaluation with cacheTTL 0 (daemon mode) costs one GetItem;
// - init of 1,000 flags costs ⌈1,000 / 25⌉ = 40 BatchWriteItem for the flags,
//   one for the `$inited` marker (written last, after everything else has
//   landed), and a Query per kind for the keys stored before.
// Prints one table and exits; not part of npm test. The times are dynalite's
// in this process, for orientation only.
import '../helpers/setup';
import { basicLogger, init, type LDClient } from '@launchdarkly/node-server-sdk';
import { TestData } from '@launchdarkly/node-server-sdk/integrations';
import { performance } from 'node:perf_hooks';
import { Session } from '../../lib';
import { DynamoDBFeatureStore } from '../../lib/launchdarkly';
import { createTable, localConfig, rawClient, startDynalite, stopServers } from '../helpers/server';

const FLAGS = 1000;
const EVALUATIONS = 200;

interface Row {
  measure: string;
  requests: string;
  expected: string;
  time: string;
  met: string;
}

/** The requests the hooks saw, by command, as `2 Query + 41 BatchWriteItem`. */
function tally(commands: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const c of commands) counts.set(c, (counts.get(c) ?? 0) + 1);
  return [...counts].map(([c, n]) => `${n} ${c}`).join(' + ');
}

async function main(): Promise<void> {
  const endpoint = await startDynalite();
  const TABLE = await createTable(rawClient(endpoint), 'launchdarkly', { partitionKey: 'namespace', sortKey: 'key' });
  const commands: string[] = [];
  const session = new Session({
    config: { ...localConfig, endpoint },
    hooks: { requestBuilt: (ctx) => void commands.push(ctx.command) },
  });
  const logger = basicLogger({ level: 'warn' });
  const clients: LDClient[] = [];
  const rows: Row[] = [];

  // init of 1,000 flags: the SDK's TestData hands them to the store's init when the client starts.
  const td = new TestData();
  for (let i = 0; i < FLAGS; i++) {
    await td.update(
      td
        .flag(`flag-${i}`)
        .booleanFlag()
        .variationForAll(i % 2 === 0),
    );
  }
  commands.length = 0;
  let started = performance.now();
  const writer = init('sdk-key-not-used', {
    featureStore: DynamoDBFeatureStore(TABLE, { session, prefix: 'bench' }),
    updateProcessor: td.getFactory(),
    sendEvents: false,
    logger,
  });
  clients.push(writer);
  await writer.waitForInitialization({ timeout: 30 });
  const initMs = performance.now() - started;
  const batches = Math.ceil(FLAGS / 25) + 1;
  const expectedInit = `2 Query + ${batches} BatchWriteItem`;
  rows.push({
    measure: `init of ${FLAGS} flags (empty table)`,
    requests: tally(commands),
    expected: expectedInit,
    time: `${initMs.toFixed(0)} ms`,
    met: tally(commands) === expectedInit ? 'yes' : 'NO',
  });

  // Evaluations in daemon mode with the cache off: each reads its flag.
  const reader = init('sdk-key-not-used', {
    featureStore: DynamoDBFeatureStore(TABLE, { session, prefix: 'bench', cacheTTL: 0 }),
    useLdd: true,
    sendEvents: false,
    logger,
  });
  clients.push(reader);
  await reader.waitForInitialization({ timeout: 5 });
  commands.length = 0;
  started = performance.now();
  for (let i = 0; i < EVALUATIONS; i++) {
    await reader.variation(`flag-${i % FLAGS}`, { kind: 'user', key: `user-${i}` }, false);
  }
  const evalMs = (performance.now() - started) / EVALUATIONS;
  const perEvaluation = commands.length / EVALUATIONS;
  const allGetItem = commands.every((c) => c === 'GetItem');
  rows.push({
    measure: 'an evaluation, cacheTTL 0 (daemon mode)',
    requests: `${perEvaluation} ${allGetItem ? 'GetItem' : `(${tally(commands)} over ${EVALUATIONS})`}`,
    expected: '1 GetItem',
    time: `${evalMs.toFixed(2)} ms`,
    met: perEvaluation === 1 && allGetItem ? 'yes' : 'NO',
  });

  for (const c of clients) c.close();
  session.close();
  await stopServers();

  const header: Row = { measure: 'measure', requests: 'requests', expected: 'expected', time: 'time', met: 'met' };
  const keys = Object.keys(header) as (keyof Row)[];
  const width = (k: keyof Row): number => Math.max(...[header, ...rows].map((r) => r[k].length));
  const line = (r: Row): string => `| ${keys.map((k) => r[k].padEnd(width(k))).join(' | ')} |`;
  console.log(line(header));
  console.log(`| ${keys.map((k) => '-'.repeat(width(k))).join(' | ')} |`);
  for (const r of rows) console.log(line(r));
  if (rows.some((r) => r.met !== 'yes')) process.exitCode = 1;
}

main().catch(async (err: unknown) => {
  console.error(err);
  await stopServers();
  process.exitCode = 1;
});
