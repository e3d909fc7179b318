// Figures the reliability tests record as they run, printed as one table at
// the end of the run (the README's Reliability section copies the last one).
// Counts only: speed and memory figures come from scripts, not tests.

const figures = new Map<string, { what: string; value: string }>();

/** Records (or adds to) one figure of the reliability table. */
export function record(key: string, what: string, value: number | string): void {
  const previous = figures.get(key);
  if (typeof value === 'number' && previous !== undefined && /^\d+$/.test(previous.value)) {
    figures.set(key, { what, value: String(Number(previous.value) + value) });
  } else {
    figures.set(key, { what, value: String(value) });
  }
}

/** The table, as Markdown. */
export function reliabilityTable(): string {
  const rows = [...figures.values()].map((f) => `| ${f.what} | ${f.value} |`);
  return ['| figure | this run |', '|---|---|', ...rows].join('\n');
}
