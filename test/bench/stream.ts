// One streaming measurement in a process of its own, so each starts from the
// same memory: iterate (or the deprecated list) over the stub's 100,000-item
// listing, sampling RSS as items arrive. Prints one JSON line.
import '../helpers/setup';
import { Agent } from 'node:http';
import { Session } from '../../lib';
import { localConfig } from '../helpers/server';

const [mode, endpoint, count] = process.argv.slice(2);

async function main(): Promise<void> {
  const session = new Session({
    config: { ...localConfig, endpoint, httpOptions: { agent: new Agent({ keepAlive: true }) } },
  });
  const listing = session.table(`stream-${count}`).partition('bench');
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  let items = 0;
  const started = process.hrtime.bigint();
  if (mode === 'iterate') {
    for await (const kv of listing.iterate('item/')) {
      if (kv.version > 0) items++;
      if (items % 1000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
  } else {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- measured beside iterate on purpose
    const all = await listing.list('item/');
    items = all.length;
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  peak = Math.max(peak, process.memoryUsage().rss);
  process.stdout.write(`${JSON.stringify({ mode, items, ms, peakGrowthMiB: (peak - base) / 2 ** 20 })}\n`);
}

void main();
