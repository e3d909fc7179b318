import type { AttributeMap } from './attribute';

/** @internal The primary key of the item at `key` in `partition`: hash key `id`, range key `name`. */
export function itemKey(partition: string, key: string): AttributeMap {
  return { id: { S: partition }, name: { S: key } };
}

/** @internal Seconds since the epoch, as `expires` compares. */
export function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}
