// Heavy tests are bounded by the work they do, not by mocha's default
// timeout: a 2-core machine that is busy with something else may be several
// times slower than a quiet one, and a test must still pass there.

/**
 * A generous time per request to a local server on a loaded 2-core machine,
 * in milliseconds: about ten times what a quiet one takes (dynalite answers
 * in 1–2 ms, DynamoDB Local in 2–6 ms).
 */
const PER_REQUEST_MS = 25;
/** Start-up slack: a JVM warming up, a first table. */
const SLACK_MS = 15_000;

/** A timeout for a test that makes about `requests` requests one after another. */
export function budget(requests: number, perRequestMs = PER_REQUEST_MS): number {
  return SLACK_MS + Math.ceil(requests * perRequestMs);
}
