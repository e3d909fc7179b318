// Figures the reliability tests record as they run, printed as one table at
// the end of the run (the README's Reliability section copies the last one).
// Counts only: speed and memory figures come from scripts, not tests.
//
// A figure belongs to the test that recorded it and is printed only if that
// test passed: a test that timed out may still finish in the background and
// record, and its figures must not read as a pass.

/** The part of mocha's test object the report needs. */
interface TestRef {
  readonly state?: 'failed' | 'passed' | 'pending';
}

/** The mocha context of a test, as `this` inside `it(…, function () {…})`. */
interface TestContext {
  readonly test?: TestRef;
}

interface Figure {
  what: string;
  value: string;
  test: TestRef | undefined;
}

const figures = new Map<string, Figure[]>();

/**
 * Records (or adds to) one figure of the reliability table, on behalf of the
 * test whose context is `ctx`.
 */
export function record(ctx: TestContext, key: string, what: string, value: number | string): void {
  const list = figures.get(key) ?? [];
  list.push({ what, value: String(value), test: ctx.test });
  figures.set(key, list);
}

/** The table, as Markdown: only figures of tests that passed; numbers of one key added up. */
export function reliabilityTable(): string {
  const rows: string[] = [];
  for (const list of figures.values()) {
    const passed = list.filter((f) => f.test?.state === 'passed');
    const last = passed.at(-1);
    if (last === undefined) continue;
    const numeric = passed.every((f) => /^\d+$/.test(f.value));
    const value = numeric ? String(passed.reduce((sum, f) => sum + Number(f.value), 0)) : last.value;
    rows.push(`| ${last.what} | ${value} |`);
  }
  return ['| figure | this run |', '|---|---|', ...rows].join('\n');
}
