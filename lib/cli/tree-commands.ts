import type { Partition } from '../partition';
import { itemLine, prefixLine, Progress, type Streams } from './output';

// `ls`, `tree` and `rm -r`: the directory listing and subtree delete of
// Partition (iterateChildren, deleteTree), printed.

/** The global options these commands read. */
interface Format {
  json?: boolean;
}

/**
 * `ls`: what is directly under `prefix`, items and child directories, in key
 * order; a directory ends in the delimiter.
 *
 * @internal
 */
export async function listChildren(
  out: Streams,
  p: Partition,
  prefix: string,
  delimiter: string,
  format: Format,
): Promise<void> {
  for await (const entry of p.iterateChildren(prefix, { delimiter })) {
    if (entry.type === 'item') out.stdout.write(format.json === true ? itemLine(entry.pair) : entry.pair.key + '\n');
    else out.stdout.write(format.json === true ? prefixLine(entry.prefix) : entry.prefix + '\n');
  }
}

/**
 * `tree`: every item and directory under `prefix`, depth first, drawn as
 * `tree(1)` draws a file system; with `--json`, one line per entry with its
 * full path. Reads each directory once, through iterateChildren.
 *
 * A prefix that does not end in the delimiter (`docs`, `user/12`) is a
 * prefix of names, not a directory: its entries are drawn by their names
 * after its last delimiter (`docs/`, `docs.txt`; `123`, `124/`), as a shell
 * draws `tree docs*`.
 *
 * @internal
 */
export async function printTree(
  out: Streams,
  p: Partition,
  prefix: string,
  delimiter: string,
  format: Format,
): Promise<void> {
  const progress = new Progress(out.stderr, 'read');
  const lines: string[] = [];
  let items = 0;
  let dirs = 0;
  const walk = async (dir: string, parent: string, indent: string): Promise<void> => {
    // One entry of look-ahead: the last child of a directory is drawn with └──.
    let pending: { name: string; prefix?: string; line: string } | undefined;
    const flush = async (last: boolean): Promise<void> => {
      if (pending === undefined) return;
      const entry = pending;
      pending = undefined;
      if (format.json === true) {
        // On one terminal, a line written over the count would keep its tail.
        progress.clear();
        out.stdout.write(entry.line);
      } else {
        lines.push(`${indent}${last ? '└── ' : '├── '}${entry.name}`);
      }
      if (entry.prefix !== undefined) await walk(entry.prefix, entry.prefix, indent + (last ? '    ' : '│   '));
    };
    for await (const entry of p.iterateChildren(dir, { delimiter })) {
      await flush(false);
      progress.tick();
      if (entry.type === 'item') {
        items++;
        pending = { name: entry.pair.key.slice(parent.length), line: itemLine(entry.pair) };
      } else {
        dirs++;
        pending = { name: entry.prefix.slice(parent.length), prefix: entry.prefix, line: prefixLine(entry.prefix) };
      }
    }
    await flush(true);
  };
  try {
    // The directory the prefix's names are in: up to its last delimiter.
    const last = prefix.lastIndexOf(delimiter);
    await walk(prefix, last < 0 ? '' : prefix.slice(0, last + delimiter.length), '');
  } finally {
    progress.done();
  }
  if (format.json === true) return;
  out.stdout.write(
    [
      prefix === '' ? '.' : prefix,
      ...lines,
      '',
      `${dirs} ${dirs === 1 ? 'directory' : 'directories'}, ${items} ${items === 1 ? 'item' : 'items'}`,
    ].join('\n') + '\n',
  );
}

/**
 * `rm -r`: deletes every item under `prefix`, expired ones too, and prints
 * how many; the empty prefix is refused by the library (INVALID_ARGUMENT).
 * Ctrl-C stops it between batches (ABORTED).
 *
 * @internal
 */
export async function removeTree(out: Streams, p: Partition, prefix: string, format: Format): Promise<void> {
  const progress = new Progress(out.stderr, 'deleted');
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  let deleted: number;
  try {
    deleted = await p.deleteTree(prefix, {
      signal: controller.signal,
      onProgress: (n: number) => progress.tick(n, true),
    });
  } finally {
    process.removeListener('SIGINT', stop);
    progress.done();
  }
  out.stdout.write(
    format.json === true
      ? JSON.stringify({ deleted }) + '\n'
      : `deleted ${deleted} ${deleted === 1 ? 'item' : 'items'}\n`,
  );
}
