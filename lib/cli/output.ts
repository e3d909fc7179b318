import type { KVPair } from '../kvpair';

/** Where a command writes: stdout for results, stderr for notes and progress. @internal */
export interface Streams {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * A pair's payload as a JSON value: a string payload as the string, a
 * binary one as base64, anything else (a map from marshalStruct, a number)
 * decoded; null when the item has none.
 */
function jsonValue(kv: KVPair): unknown {
  const value = kv.value;
  if (value === undefined) return null;
  if (typeof value.S === 'string') return value.S;
  if (value.B !== undefined) return kv.bytesValue()?.toString('base64') ?? null;
  return kv.decodeValue() ?? null;
}

/**
 * One item as a `--json` line: the full key, version, expiry in unix
 * seconds (0: never) and value.
 *
 * @internal
 */
export function itemLine(kv: KVPair): string {
  return JSON.stringify({ key: kv.key, version: kv.version, expires: kv.expires, value: jsonValue(kv) }) + '\n';
}

/**
 * One directory as a `--json` line: its full path, ending in the delimiter.
 *
 * @internal
 */
export function prefixLine(prefix: string): string {
  return JSON.stringify({ prefix }) + '\n';
}

/**
 * The payload as `get` prints it: a string or binary payload byte for byte,
 * anything else as JSON.
 *
 * @internal
 */
export function rawValue(kv: KVPair): string | Buffer {
  const value = kv.value;
  if (value === undefined) return '';
  if (typeof value.S === 'string') return value.S;
  if (value.B !== undefined) return kv.bytesValue() ?? Buffer.alloc(0);
  return JSON.stringify(kv.decodeValue() ?? null);
}

/**
 * A count on stderr, redrawn in place with `\r` at most ten times a second,
 * for long work; silent unless stderr is a terminal, so logs and pipes never
 * see it.
 *
 * @internal
 */
export class Progress {
  private count = 0;
  private last = 0;
  private drawn = false;

  constructor(
    private readonly stream: Streams['stderr'],
    private readonly label: string,
  ) {}

  /** Adds to the count (or sets it, with `absolute`), redrawing when due. */
  tick(n = 1, absolute = false): void {
    this.count = absolute ? n : this.count + n;
    if (this.stream.isTTY !== true) return;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    this.drawn = true;
    this.stream.write(`\r${this.label}: ${this.count}`);
  }

  /**
   * Clears the count's line, so that what is written next starts clean; the
   * next tick due draws it again.
   */
  clear(): void {
    if (!this.drawn) return;
    this.stream.write('\r\x1b[K');
    this.drawn = false;
  }

  /** Clears the line, so the results and the prompt start clean. */
  done(): void {
    this.clear();
  }
}
