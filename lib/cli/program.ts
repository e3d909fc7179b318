import type DynamoDB from 'aws-sdk/clients/dynamodb';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DynastoreError } from '../errors';
import type { PutOptions, WriteOptions } from '../options';
import type { KVPair } from '../kvpair';
import { Session } from '../session';
import { describeFailure, EXIT } from './exit';
import { itemLine, rawValue, Stdout, type Streams } from './output';
import { createTable } from './create-table';
import { listChildren, printTree, removeTree } from './tree-commands';

// The `dynastore` command line, on commander. Each action builds one Session
// from the global options and closes it when done; errors reach stderr with
// their DynastoreError code and leave by the exit code docs/cli.md lists.

/** The global options, as commander gives them to every command. */
interface GlobalOptions {
  endpoint?: string;
  region?: string;
  json?: boolean;
  retries?: number;
}

/** The process's standard streams and environment, as `main` is given them. @internal */
export interface ProcessIO {
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}

/** What a command runs with: where it writes, standard input, the environment. @internal */
export interface CliContext extends Streams {
  readonly stdin: ProcessIO['stdin'];
  readonly env: NodeJS.ProcessEnv;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--ttl`: milliseconds, or a number with a unit (`500ms`, `30s`, `5m`, `2h`, `1d`). */
function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  const ms = match === null ? NaN : Number(match[1]) * (UNIT_MS[match[2] ?? 'ms'] ?? NaN);
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new InvalidArgumentError('expected a positive duration: milliseconds, or a number with ms, s, m, h or d');
  }
  return ms;
}

/** A whole number at least `min`, for `--if-version` and `--retries`. */
function wholeNumber(min: number): (text: string) => number {
  return (text) => {
    // Decimal digits only: Number() would also read ' 7', '0x10', '1e3' and '0b1'.
    const n = /^[0-9]+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`expected a whole number, at least ${min}`);
    }
    return n;
  };
}

/**
 * The aws-sdk v2 configuration for the global options. With `--endpoint`
 * (DynamoDB Local, dynalite) a region is needed though unused, and, when the
 * environment names no credentials, dummy ones are used: a local server
 * accepts any.
 */
function clientConfig(options: GlobalOptions, env: NodeJS.ProcessEnv): DynamoDB.ClientConfiguration {
  const config: DynamoDB.ClientConfiguration = {};
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (region !== undefined) config.region = region;
  if (options.retries !== undefined) config.maxRetries = options.retries;
  if (options.endpoint !== undefined) {
    config.endpoint = options.endpoint;
    config.region ??= 'us-east-1';
    if (env.AWS_ACCESS_KEY_ID === undefined && env.AWS_PROFILE === undefined) {
      config.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    }
  }
  return config;
}

/** Reads all of standard input, byte for byte. */
async function readAll(stdin: CliContext['stdin']): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** UTF-8 that refuses what is not UTF-8, and keeps a byte order mark as the character it is. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Standard input as a string payload. Bytes that are not UTF-8 are refused
 * rather than stored as U+FFFD: that would change the value without a word.
 */
function stdinText(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new DynastoreError(
      'INVALID_ARGUMENT',
      'standard input is not UTF-8 text: give --bytes to store it as a binary value',
    );
  }
}

/**
 * Builds the `dynastore` program: its commands write to `ctx`, and a
 * finished or failed run sets `exitCode` through `onExit`.
 *
 * @internal
 */
export function buildProgram(ctx: CliContext, onExit: (code: number) => void): Command {
  const program = new Command('dynastore')
    .description('Read and write a dynastore table in Amazon DynamoDB (or DynamoDB Local, dynalite).')
    .option('--endpoint <url>', 'the DynamoDB endpoint, e.g. http://localhost:8000 for DynamoDB Local')
    .option('--region <region>', 'the AWS region (default: AWS_REGION; us-east-1 with --endpoint)')
    .option('--json', 'print one JSON object per line')
    .addOption(
      new Option('--retries <n>', "the SDK's retries per request (default: aws-sdk's, 10)").argParser(wholeNumber(0)),
    )
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    })
    .exitOverride();

  /** Runs an action with a session, mapping what it throws to an exit code. */
  const run =
    <A extends unknown[]>(action: (session: Session, global: GlobalOptions, ...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      const command = args[args.length - 1] as Command;
      const global = command.optsWithGlobals<GlobalOptions>();
      let session: Session | undefined;
      try {
        session = new Session({ config: clientConfig(global, ctx.env) });
        await action(session, global, ...args);
        onExit(EXIT.ok);
      } catch (err) {
        const failure = describeFailure(err);
        if (failure.message !== undefined) ctx.stderr.write(failure.message + '\n');
        onExit(failure.exitCode);
      } finally {
        session?.close();
      }
    };

  program
    .command('get')
    .description('print the value at a key (a string as is; --json: the item)')
    .argument('<table>')
    .argument('<partition>')
    .argument('<key>')
    .action(
      run(async (session, global, table: string, partition: string, key: string) => {
        const kv = await session.table(table).partition(partition).get(key);
        if (global.json === true) {
          ctx.stdout.write(itemLine(kv));
          return;
        }
        ctx.stdout.write(rawValue(kv));
        // A newline for a person at a terminal; a pipe gets the value byte for byte.
        if (ctx.stdout.isTTY === true) ctx.stdout.write('\n');
      }),
    );

  program
    .command('put')
    .description('write a value at a key; without [value], standard input is the value')
    .argument('<table>')
    .argument('<partition>')
    .argument('<key>')
    .argument('[value]')
    .addOption(
      new Option('--ttl <duration>', 'expire after milliseconds, or e.g. 30s, 5m, 2h, 1d').argParser(parseDuration),
    )
    .addOption(
      new Option('--keep-ttl', "keep the item's expiry (without it, a put with no --ttl removes it)").conflicts('ttl'),
    )
    .option('--bytes', 'store the value as a binary payload, byte for byte (get prints it back as it was)')
    .addOption(new Option('--create', 'only create: KEY_EXISTS when a live item is there').conflicts('ifVersion'))
    .addOption(
      new Option('--if-version <n>', 'compare-and-swap: KEY_MODIFIED unless the item has version n').argParser(
        wholeNumber(0),
      ),
    )
    .action(
      run(
        async (
          session,
          global,
          table: string,
          partition: string,
          key: string,
          value: string | undefined,
          opts: { ttl?: number; keepTtl?: boolean; create?: boolean; ifVersion?: number; bytes?: boolean },
        ) => {
          if (value === undefined && ctx.stdin.isTTY === true) {
            throw new DynastoreError('INVALID_ARGUMENT', 'give a value, or pipe one to standard input');
          }
          const bytes = value === undefined ? await readAll(ctx.stdin) : Buffer.from(value, 'utf8');
          const put: PutOptions =
            opts.bytes === true ? { attributeValue: { B: bytes } } : { value: value ?? stdinText(bytes) };
          if (opts.ttl !== undefined) put.ttl = opts.ttl;
          if (opts.keepTtl === true) put.keepTtl = true;
          const p = session.table(table).partition(partition);
          let kv: KVPair;
          if (opts.create !== true && opts.ifVersion === undefined) {
            kv = await p.put(key, put);
          } else {
            const write: WriteOptions = { ...put };
            if (opts.ifVersion !== undefined) write.previous = { version: opts.ifVersion };
            kv = await p.atomicPut(key, write);
          }
          if (global.json === true) ctx.stdout.write(itemLine(kv));
        },
      ),
    );

  program
    .command('rm')
    .description('delete a key; with -r, every item under a prefix')
    .argument('<table>')
    .argument('<partition>')
    .argument('<key>', 'the key, or with -r the prefix')
    .option('-r, --recursive', 'delete every item under the prefix')
    .action(
      run(async (session, global, table: string, partition: string, key: string, opts: { recursive?: boolean }) => {
        const p = session.table(table).partition(partition);
        if (opts.recursive === true) {
          await removeTree(ctx, p, key, global);
          return;
        }
        await p.delete(key);
      }),
    );

  program
    .command('ls')
    .description('list what is directly under a prefix; with -r, every item under it')
    .argument('<table>')
    .argument('<partition>')
    .argument('[prefix]', 'the prefix', '')
    .option('-r, --recursive', 'list every item under the prefix')
    .option('-d, --delimiter <string>', 'what separates path segments', '/')
    .action(
      run(
        async (
          session,
          global,
          table: string,
          partition: string,
          prefix: string,
          opts: { recursive?: boolean; delimiter: string },
        ) => {
          const p = session.table(table).partition(partition);
          if (opts.recursive === true) {
            for await (const kv of p.iterate(prefix))
              ctx.stdout.write(global.json === true ? itemLine(kv) : kv.key + '\n');
            return;
          }
          await listChildren(ctx, p, prefix, opts.delimiter, global);
        },
      ),
    );

  program
    .command('tree')
    .description('print the keys under a prefix as a tree')
    .argument('<table>')
    .argument('<partition>')
    .argument('[prefix]', 'the prefix', '')
    .option('-d, --delimiter <string>', 'what separates path segments', '/')
    .action(
      run(async (session, global, table: string, partition: string, prefix: string, opts: { delimiter: string }) => {
        await printTree(ctx, session.table(table).partition(partition), prefix, opts.delimiter, global);
      }),
    );

  program
    .command('create-table')
    .description("create a table laid out as dynastore expects (hash key id, range key name), with TTL on 'expires'")
    .argument('<table>')
    .option('--indexes', 'also create the indexes of docs/table.json: idx_created (local) and idx_global_1 (global)')
    .action(
      run(async (session, _global, table: string, opts: { indexes?: boolean }) => {
        // session.table checks the name, so a bad one is INVALID_ARGUMENT before any request, as for the other commands.
        await createTable(session.client, session.table(table).tableName, opts.indexes === true, ctx);
      }),
    );

  return program;
}

/**
 * Runs the program on `argv` (as `process.argv`) and resolves to the exit code.
 *
 * @internal
 */
export async function main(argv: readonly string[], io: ProcessIO): Promise<number> {
  // A note or error that cannot reach stderr has nowhere else to go; the command goes on.
  io.stderr.on('error', () => undefined);
  const stdout = new Stdout(io.stdout);
  let exitCode: number = EXIT.ok;
  const program = buildProgram(
    { stdin: io.stdin, stdout, stderr: io.stderr, env: io.env },
    (code) => (exitCode = code),
  );
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // --help and --version end by throwing with exit code 0; usage errors with 1.
    exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  // The last writes can fail after the command is done (stdout on a full disk): that is a failure too.
  const failure = await stdout.settled();
  if (exitCode !== EXIT.ok || failure === undefined) return exitCode;
  const { exitCode: code, message } = describeFailure(failure);
  if (message !== undefined) io.stderr.write(message + '\n');
  return code;
}
