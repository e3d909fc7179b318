import type { KVPair } from '../kvpair';

/** A stream a command writes to, and whether it is a terminal. @internal */
export interface Sink {
  write(chunk: string | Uint8Array): unknown;
  readonly isTTY?: boolean | undefined;
}

/** Where a command writes: stdout for results, stderr for notes and progress. @internal */
export interface Streams {
  readonly stdout: Sink;
  readonly stderr: Sink;
}

/**
 * Thrown by a write to stdout after an earlier write failed, so the command
 * stops there. EPIPE means the reader has gone (`dynastore ls -r … | head`
 * has read enough): the command then ends quietly, with exit code 0.
 *
 * @internal
 */
export class OutputFailed extends Error {
  constructor(readonly failure: Error) {
    super(`could not write to standard output: ${failure.message}`, { cause: failure });
    this.name = 'OutputFailed';
  }

  /** Whether the reader went away (EPIPE), rather than the write failing. */
  get readerGone(): boolean {
    return (this.failure as NodeJS.ErrnoException).code === 'EPIPE';
  }
}

/**
 * `stream` as a command's stdout. Node reports a failed write (EPIPE once
 * the reader has gone, ENOSPC on a full disk) by an 'error' event after the
 * write has returned; unheard, that event ends the process with a stack
 * trace and exit code 1. Heard here, it makes each later write throw
 * {@link OutputFailed}, so a listing stops at its next page instead of
 * asking for the rest; {@link Stdout.settled} finds a failure of the last
 * writes.
 *
 * @internal
 */
export class Stdout implements Sink {
  readonly isTTY: boolean | undefined;
  private failure: Error | undefined;

  constructor(private readonly stream: NodeJS.WritableStream & { isTTY?: boolean }) {
    this.isTTY = stream.isTTY;
    stream.on('error', (err: Error) => (this.failure ??= err));
  }

  write(chunk: string | Uint8Array): boolean {
    if (this.failure !== undefined) throw new OutputFailed(this.failure);
    return this.stream.write(chunk);
  }

  /** Once every write so far has gone out or failed: the failure, if one did. */
  settled(): Promise<OutputFailed | undefined> {
    return new Promise((resolve) => {
      // The callback of an empty write runs after those before it, with an error if the stream has failed.
      this.stream.write('', (err?: Error | null) => {
        const failure = this.failure ?? err ?? undefined;
        resolve(failure === undefined ? undefined : new OutputFailed(failure));
      });
    });
  }
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
