/** @internal Seconds since the epoch, as `expires` compares. */
export function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}
