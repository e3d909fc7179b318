// A writer process for the crash test: compare-and-swap increments of one
// counter, forever, printing "ACK n" once the server has acknowledged n.
// The test kills it with SIGKILL at a random moment. Its third argument
// names the SDK it writes on (v2 unless given).
import './setup';
import { writeWithPreviousKV, writeWithString } from '../../lib';
import { sdkSession, type Sdk } from './sdk';

const [endpoint, tableName, sdk = 'v2'] = process.argv.slice(2);
const counter = sdkSession(sdk as Sdk, String(endpoint))
  .session.table(String(tableName))
  .partition('crash');

async function main(): Promise<never> {
  for (;;) {
    const kv = await counter.get('counter');
    const next = Number(kv.stringValue()) + 1;
    await counter.atomicPut('counter', writeWithString(String(next)), writeWithPreviousKV(kv));
    // Synchronous on a pipe: once printed, the acknowledgement is the parent's.
    process.stdout.write(`ACK ${next}\n`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
