// mocha's spec reporter, plus a table at the end of where the run's time
// went: per server and SDK (read from the `[server, sdk]` suffix that
// forEachTarget gives titles), the tests and the wall time of their suites,
// hooks included. `npm run test:times` uses it, to keep the whole run within
// its budget on a 2-core machine.
import Mocha from 'mocha';

const { EVENT_RUN_END, EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_TEST_FAIL, EVENT_TEST_PASS, EVENT_TEST_PENDING } =
  Mocha.Runner.constants;

interface Row {
  passed: number;
  failed: number;
  pending: number;
  ms: number;
}

/**
 * `dynalite, v3` for a title ending in `[dynalite, v3]` (`[v3]`, `[dynalite]`
 * name one of the two); unit tests together; any other suite by its file.
 */
function groupOf(suite: Mocha.Suite): string {
  const tag = /\[([^\]]+)\]$/.exec(suite.title)?.[1];
  if (tag !== undefined) return tag;
  const file = suite.file?.replace(/^.*\/test\//, 'test/') ?? suite.title;
  return file.startsWith('test/unit/') ? 'unit tests' : file;
}

class TimedReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const rows = new Map<string, Row>();
    const row = (group: string): Row => {
      let r = rows.get(group);
      if (r === undefined) rows.set(group, (r = { passed: 0, failed: 0, pending: 0, ms: 0 }));
      return r;
    };
    const started = new Map<Mocha.Suite, number>();
    /** The top-level suite a runnable belongs to: the one whose parent is the root. */
    const top = (runnable: Mocha.Runnable | Mocha.Suite): Mocha.Suite | undefined => {
      let suite: Mocha.Suite | undefined = runnable instanceof Mocha.Suite ? runnable : runnable.parent;
      while (suite?.parent !== undefined && !suite.parent.root) suite = suite.parent;
      return suite?.root === true ? undefined : suite;
    };
    const count = (test: Mocha.Test, field: 'passed' | 'failed' | 'pending'): void => {
      const suite = top(test);
      if (suite !== undefined) row(groupOf(suite))[field]++;
    };
    runner.on(EVENT_SUITE_BEGIN, (suite: Mocha.Suite) => {
      if (suite.parent?.root === true) started.set(suite, performance.now());
    });
    runner.on(EVENT_SUITE_END, (suite: Mocha.Suite) => {
      const from = started.get(suite);
      if (from !== undefined) row(groupOf(suite)).ms += performance.now() - from;
    });
    runner.on(EVENT_TEST_PASS, (test: Mocha.Test) => count(test, 'passed'));
    runner.on(EVENT_TEST_FAIL, (test: Mocha.Test) => count(test, 'failed'));
    runner.on(EVENT_TEST_PENDING, (test: Mocha.Test) => count(test, 'pending'));
    runner.once(EVENT_RUN_END, () => {
      const lines = ['| where | passed | failed | pending | seconds |', '|---|---:|---:|---:|---:|'];
      const sorted = [...rows.entries()].sort(([a], [b]) => a.localeCompare(b));
      for (const [group, r] of sorted) {
        lines.push(`| ${group} | ${r.passed} | ${r.failed} | ${r.pending} | ${(r.ms / 1000).toFixed(1)} |`);
      }
      Mocha.reporters.Base.consoleLog(`\nTime by server and SDK\n\n${lines.join('\n')}\n`);
    });
  }
}

export = TimedReporter;
