// What the benchmark scripts share: the stub endpoint in another process,
// and rounds that measure throughput and the client's own CPU per operation.
// CPU per operation is process.cpuUsage() over a round divided by its
// operations: the stub runs in its own process, so it counts only the
// client's work, and it holds steady on a shared 2-core machine where
// ops/s drift with whatever else runs.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

export const CONCURRENCY = 16;

/**
 * Pins a process (all its threads) to one CPU with taskset, where there is
 * one and more than one CPU. Left to the scheduler, the client and the
 * endpoint sometimes share a core and sometimes not, and the client's CPU
 * per operation jumps by a third between rounds; pinned, the client to the
 * first CPU and the endpoints to the last, it holds within a few percent.
 * `any` undoes it. Returns whether it pinned.
 */
export function pin(pid: number, cpu: 'client' | 'server' | 'any'): boolean {
  const cpus = availableParallelism();
  if (cpus < 2 || process.env.BENCH_PIN === '0') return false;
  const list = cpu === 'client' ? '0' : cpu === 'server' ? String(cpus - 1) : `0-${cpus - 1}`;
  try {
    execFileSync('taskset', ['-a', '-cp', list, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** A TypeScript script of this folder in a child process, its stdout piped. */
export function node(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--expose-gc', '-r', 'ts-node/register', join(__dirname, script), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

export function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const at = out.indexOf('\n');
      if (at >= 0) resolve(out.slice(0, at));
    });
    child.once('exit', (code) => reject(new Error(`${String(child.spawnargs[3])} exited ${code}`)));
  });
}

/** The canned DynamoDB endpoint (stub-server.ts) in a process of its own. */
export async function startStub(): Promise<{ endpoint: string; pid: number; stop: () => void }> {
  const child = node('stub-server.ts', []);
  const port = await firstLine(child);
  pin(child.pid as number, 'server');
  return { endpoint: `http://127.0.0.1:${port}`, pid: child.pid as number, stop: () => child.kill() };
}

/**
 * What is collected before each round, so that the last round's garbage is
 * not charged to this one: `full` (the default, `global.gc()`), `minor` (the
 * young generation only) or `none`. A forced full collection also throws
 * away nearly all optimized code (V8 deoptimizes it: "weak objects"), so
 * each round then pays for optimizing it again, about 450 ms of CPU per
 * round of aws-sdk v2 gets on this machine, two thirds of the round: `minor`
 * and `none` measure steady state (docs/performance.md).
 */
const GC = process.env.BENCH_GC ?? 'full';

function collect(): void {
  if (GC === 'none') return;
  (global.gc as ((o?: object) => void) | undefined)?.(GC === 'minor' ? { type: 'minor' } : undefined);
}

/** One round: its throughput and the process's CPU per operation. */
export interface Round {
  opsPerSec: number;
  /** User plus system CPU of this process per operation, in microseconds. */
  cpuUs: number;
}

/** `total` operations with {@link CONCURRENCY} in flight. */
export async function round(total: number, op: (i: number) => Promise<unknown>): Promise<Round> {
  // Garbage left by the previous round is collected here, not charged to this one.
  collect();
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await run(total, op);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  return { opsPerSec: total / seconds, cpuUs: (used.user + used.system) / total };
}

async function run(total: number, op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) await op(next++);
    }),
  );
}

/**
 * Rounds of every contender in turn, the order reversed every other round so
 * that none always follows the same one; a warm-up round of each first, not
 * counted. Returns each contender's rounds, index i of each from the same pass.
 * Alternate contenders on one SDK only: a round right after an aws-sdk v3
 * round costs several percent more CPU than after a v2 one (measured; a
 * lead-in of untimed operations does not remove it).
 */
export async function alternate<K extends string>(
  total: number,
  rounds: number,
  contenders: Record<K, (i: number) => Promise<unknown>>,
): Promise<Record<K, Round[]>> {
  const names = Object.keys(contenders) as K[];
  const out = Object.fromEntries(names.map((n) => [n, [] as Round[]])) as Record<K, Round[]>;
  for (const n of names) await round(total, contenders[n]);
  for (let r = 0; r < rounds; r++) {
    for (const n of r % 2 === 0 ? names : [...names].reverse()) out[n].push(await round(total, contenders[n]));
  }
  return out;
}

/** Median over rounds of a's figure over b's, each round's pair taken together. */
export function ratio(a: readonly Round[], b: readonly Round[], figure: (r: Round) => number): number {
  return median(a.map((x, i) => figure(x) / figure(b[i] as Round)));
}

/**
 * How a contender compares with a baseline: throughput ratio (higher is
 * better) and CPU efficiency, the baseline's CPU per operation over the
 * contender's (higher is better; 0.95 means it costs 1/0.95 of the baseline's CPU).
 */
export function compareRounds(
  contender: readonly Round[],
  baseline: readonly Round[],
): { ops: number; cpu: number; cpuRounds: number[] } {
  return {
    ops: ratio(contender, baseline, (r) => r.opsPerSec),
    cpu: ratio(baseline, contender, (r) => r.cpuUs),
    cpuRounds: baseline.map((b, i) => b.cpuUs / (contender[i] as Round).cpuUs),
  };
}
