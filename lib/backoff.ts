import { abortedError } from './client';

/**
 * @internal A "full jitter" backoff delay: random between 0 and
 * `min(cap, base × 2^attempt)` milliseconds, so retrying callers spread out
 * instead of retrying in lockstep.
 */
export function fullJitter(attempt: number, base: number, cap: number): number {
  return Math.random() * Math.min(cap, base * 2 ** attempt);
}

/** @internal Waits `ms`, or rejects with ABORTED as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined, what: string): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortedError(what, signal));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortedError(what, signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    // A null-prototype bag: Node reads `signal` from it, and must not find a polluted Object.prototype's.
    signal?.addEventListener('abort', onAbort, Object.assign(Object.create(null) as object, { once: true }));
  });
}
