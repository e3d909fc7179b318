// Compare-and-swap under contention, against each real server: many writers
// at once, and nothing lost.
import { expect } from 'chai';
import { DynastoreError, writeWithPreviousKV, writeWithString, type Partition } from '../../lib';
import { budget } from '../helpers/budget';
import { record } from '../helpers/report';
import { forEachTarget } from '../helpers/sdk';
import { createTable, rawClient } from '../helpers/server';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function codes(results: PromiseSettledResult<unknown>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) {
    const code = r.status === 'fulfilled' ? 'ok' : DynastoreError.is(r.reason) ? r.reason.code : String(r.reason);
    counts[code] = (counts[code] ?? 0) + 1;
  }
  return counts;
}

forEachTarget('contention', (target) => {
  let p: Partition;

  before(async () => {
    const endpoint = await target.server.endpoint();
    const tableName = await createTable(rawClient(endpoint), 'contention');
    p = target.session(endpoint).table(tableName).partition('counters');
  });

  it('32 concurrent creates of one key: exactly one succeeds, 31 get KEY_EXISTS', async function () {
    const results = await Promise.allSettled(
      Array.from({ length: 32 }, (_, i) => p.atomicPut('created-once', writeWithString(`writer ${i}`))),
    );
    expect(codes(results)).to.deep.equal({ ok: 1, KEY_EXISTS: 31 });
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    expect((await p.get('created-once')).stringValue()).to.equal(`writer ${winner}`);
    record(
      this,
      `creates-${target.name}`,
      'concurrent creates of one key: succeeded / KEY_EXISTS',
      `${target.name}: 1 / 31 of 32`,
    );
  });

  it('16 workers × 25 compare-and-swap increments with read-retry loops: 400 counted, none lost', async function () {
    const workers = 16;
    const increments = 25;
    // The increments happen one after another, each a read and a write; losing rounds to other workers
    // at most doubles the requests on that path.
    this.timeout(budget(workers * increments * 2 * 2));
    await p.atomicPut('counter', writeWithString('0'));
    let conflicts = 0;
    const worker = async (): Promise<void> => {
      for (let done = 0, misses = 0; done < increments;) {
        const kv = await p.get('counter');
        try {
          await p.atomicPut('counter', writeWithString(String(Number(kv.stringValue()) + 1)), writeWithPreviousKV(kv));
          done++;
          misses = 0;
        } catch (err) {
          if (!DynastoreError.is(err, 'KEY_MODIFIED')) throw err;
          conflicts++;
          // As a real read-modify-write loop does: back off with jitter rather than retry in lockstep.
          await sleep(Math.random() * Math.min(64, 2 ** ++misses));
        }
      }
    };
    await Promise.all(Array.from({ length: workers }, worker));
    const final = await p.get('counter');
    expect(final.stringValue()).to.equal(String(workers * increments));
    expect(final.version).to.equal(workers * increments + 1);
    record(
      this,
      `cas-${target.name}`,
      `${workers} workers × ${increments} CAS increments on ${target.name}: final value / conflicts retried / lost updates`,
      `${final.stringValue()} / ${conflicts} / ${workers * increments - Number(final.stringValue())}`,
    );
  });

  it('16 concurrent atomicDeletes with the same previous: exactly one returns true', async function () {
    const kv = await p.atomicPut('deleted-once', writeWithString('x'));
    const results = await Promise.allSettled(Array.from({ length: 16 }, () => p.atomicDelete('deleted-once', kv)));
    const counts = codes(results);
    expect(counts.ok).to.equal(1);
    expect(results.filter((r) => r.status === 'fulfilled').map((r) => r.value)).to.deep.equal([true]);
    // The losers find the item gone, or (before it went) at no other version: never a second delete.
    expect((counts.KEY_NOT_FOUND ?? 0) + (counts.KEY_MODIFIED ?? 0)).to.equal(15);
    expect(await p.exists('deleted-once')).to.equal(false);
    record(
      this,
      `deletes-${target.name}`,
      'concurrent atomicDeletes with one previous: returned true',
      `${target.name}: 1 of 16`,
    );
  });
});
