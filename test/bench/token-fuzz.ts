// npm run fuzz:tokens: decodes the 10,000-token hostile corpus once, timing
// every token, and prints how long they took (by kind), how many took 50 ms or
// more, and what memory the run cost. Exits 1 if anything but INVALID_TOKEN
// came out.
import '../helpers/setup';
import { DynastoreError } from '../../lib';
import { decodeToken } from '../../lib/token';
import { hostileTokens } from '../helpers/token-corpus';

const LIMIT_MS = 50;
const gc = (globalThis as { gc?: () => void }).gc;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

const corpus = hostileTokens();
gc?.();
const rssBefore = process.memoryUsage().rss;
const heapBefore = process.memoryUsage().heapUsed;
let rssPeak = rssBefore;
const times = new Map<string, number[]>();
let unexpected = 0;
let n = 0;
const started = process.hrtime.bigint();
for (const { kind, token, scope, secret } of corpus) {
  const t0 = process.hrtime.bigint();
  try {
    decodeToken(token, scope, secret);
  } catch (err) {
    if (!DynastoreError.is(err, 'INVALID_TOKEN')) unexpected++;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const list = times.get(kind) ?? [];
  list.push(ms);
  times.set(kind, list);
  if (++n % 100 === 0) rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
}
const totalMs = Number(process.hrtime.bigint() - started) / 1e6;
gc?.();
const heapAfter = process.memoryUsage().heapUsed;

const rows: string[] = ['| kind | tokens | median ms | p99 ms | max ms |', '|---|---:|---:|---:|---:|'];
const all: number[] = [];
for (const [kind, list] of times) {
  const sorted = [...list].sort((a, b) => a - b);
  all.push(...list);
  rows.push(
    `| ${kind} | ${list.length} | ${quantile(sorted, 0.5).toFixed(3)} | ${quantile(sorted, 0.99).toFixed(2)} | ${(sorted.at(-1) ?? 0).toFixed(2)} |`,
  );
}
const sortedAll = all.sort((a, b) => a - b);
const max = sortedAll.at(-1) ?? 0;
rows.push(
  `| all | ${all.length} | ${quantile(sortedAll, 0.5).toFixed(3)} | ${quantile(sortedAll, 0.99).toFixed(2)} | ${max.toFixed(2)} |`,
);
console.log(rows.join('\n'));
console.log(
  `\n${all.length} tokens in ${(totalMs / 1000).toFixed(1)} s; other errors: ${unexpected}; ` +
    `RSS peak growth ${((rssPeak - rssBefore) / 2 ** 20).toFixed(1)} MiB; heap retained ${((heapAfter - heapBefore) / 2 ** 20).toFixed(1)} MiB` +
    (gc === undefined ? ' (run with --expose-gc for a settled heap figure)' : ''),
);
const slow = [...times]
  .map(([kind, list]) => [kind, list.filter((ms) => ms >= LIMIT_MS).length] as const)
  .filter(([, k]) => k > 0);
console.log(
  slow.length === 0
    ? `every token under ${LIMIT_MS} ms (slowest ${max.toFixed(1)} ms)`
    : `tokens at ${LIMIT_MS} ms or more: ${slow.map(([kind, k]) => `${k} of "${kind}"`).join(', ')}`,
);
if (unexpected > 0) {
  console.error(`FAILED: ${unexpected} tokens gave an error other than INVALID_TOKEN`);
  process.exitCode = 1;
}
