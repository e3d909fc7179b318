// The `dynastore` command as a user meets it: the package packed with
// `npm pack`, installed from the tarball into a project of its own (offline,
// from the npm cache), and its bin run as a child process against dynalite.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, rawClient, servers, tableDefinition, type TestServer } from '../helpers/server';

const ROOT = join(__dirname, '..', '..');
/** Under the git-ignored build/: the staged package, its tarball, and a user's project. */
const HOME = join(ROOT, 'build', `cli-test-${process.pid}`);
const STAGE = join(HOME, 'package');
const APP = join(HOME, 'app');
const BIN = join(APP, 'node_modules', '.bin', 'dynastore');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout as bytes, when it was a pipe read here. */
  bytes: Buffer;
}

/**
 * Runs a command. Its stdout is a pipe read here; `'closed'`, a pipe whose
 * reader has gone before the command writes, as `| head` leaves it; or a
 * file descriptor of the test's.
 */
function run(
  command: string,
  args: string[],
  options: { cwd?: string; input?: string | Buffer; stdout?: 'closed' | number } = {},
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    // A user's environment: no AWS credentials, so --endpoint's local ones are used.
    delete env.AWS_ACCESS_KEY_ID;
    delete env.AWS_SECRET_ACCESS_KEY;
    delete env.AWS_PROFILE;
    const out = typeof options.stdout === 'number' ? options.stdout : 'pipe';
    const child = spawn(command, args, { cwd: options.cwd ?? APP, env, stdio: ['pipe', out, 'pipe'] });
    // Decoded once at the end: a chunk may end inside a character.
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    // Closed now, long before the child has started node, let alone written.
    if (options.stdout === 'closed') child.stdout?.destroy();
    else child.stdout?.on('data', (d: Buffer) => stdout.push(d));
    child.stderr?.on('data', (d: Buffer) => stderr.push(d));
    child.once('error', reject);
    child.once('close', (code) => {
      const bytes = Buffer.concat(stdout);
      resolve({ code, stdout: bytes.toString(), stderr: Buffer.concat(stderr).toString(), bytes });
    });
    child.stdin?.end(options.input ?? '');
  });
}

/** Runs the installed bin. */
function cli(args: string[], input?: string | Buffer): Promise<Result> {
  return run(BIN, args, input === undefined ? {} : { input });
}

/**
 * Runs the installed bin with its stdin, stdout and stderr on a terminal: a
 * pseudo-terminal made by script(1) (util-linux; Debian's bsdutils, which is
 * essential, so always installed). What the terminal showed is script's stdout.
 */
async function onTerminal(args: string[]): Promise<Result> {
  const command = [BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  try {
    return await run('script', ['--quiet', '--flush', '--return', '--command', command, '/dev/null']);
  } catch (err) {
    // Not a skip: the terminal path is tested only here.
    throw new Error('this test runs the CLI on a terminal through script(1), from util-linux (Debian: bsdutils)', {
      cause: err,
    });
  }
}

/**
 * The lines a terminal shows for `output`: `\r` returns to the start of the
 * line, where later text overwrites, and `ESC [ K` clears to its end. Text
 * left over from a progress count would show here.
 */
function screen(output: string): string[] {
  const shown: string[] = [];
  let line = '';
  let column = 0;
  for (let i = 0; i < output.length; i++) {
    if (output.startsWith('\x1b[K', i)) {
      line = line.slice(0, column);
      i += 2;
    } else if (output[i] === '\r') {
      column = 0;
    } else if (output[i] === '\n') {
      shown.push(line);
      line = '';
      column = 0;
    } else {
      line = line.slice(0, column) + (output[i] as string) + line.slice(column + 1);
      column++;
    }
  }
  if (line !== '') shown.push(line);
  return shown;
}

/** The JSON lines of an output. */
function lines(stdout: string): unknown[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);
}

describe('the dynastore CLI, installed from a packed tarball', function () {
  /** The server the suite runs on: the first of DYNASTORE_TEST_SERVERS. */
  let first: TestServer;
  let endpoint: string;
  let table: string;
  let tables = 0;
  /** --endpoint and --retries for the test server, placed where a test wants them. */
  let server: string[];

  before(async function () {
    // A TypeScript build, a pack and an offline install: many seconds on a loaded machine.
    this.timeout(300_000);
    rmSync(HOME, { recursive: true, force: true });
    mkdirSync(STAGE, { recursive: true });
    mkdirSync(APP, { recursive: true });
    const tsc = require.resolve('typescript/bin/tsc');
    const built = await run(
      process.execPath,
      [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(STAGE, 'dist')],
      { cwd: ROOT },
    );
    expect(built.code, built.stdout + built.stderr).to.equal(0);
    // What `files` ships, beside the build: package.json, the sources the maps name, docs/table.json.
    cpSync(join(ROOT, 'package.json'), join(STAGE, 'package.json'));
    cpSync(join(ROOT, 'lib'), join(STAGE, 'lib'), { recursive: true });
    cpSync(join(ROOT, 'docs', 'table.json'), join(STAGE, 'docs', 'table.json'));
    // --ignore-scripts: prepack would build into the repository's dist/; the build above is the one packed.
    const packed = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', HOME], { cwd: STAGE });
    expect(packed.code, packed.stdout + packed.stderr).to.equal(0);
    const tarball = readdirSync(HOME).find((f) => f.endsWith('.tgz')) ?? expect.fail('no tarball');
    writeFileSync(join(APP, 'package.json'), JSON.stringify({ name: 'a-user', private: true }));
    // Offline: the dependencies (aws-sdk, bs58, commander) come from the npm cache this repository's install filled.
    const installed = await run(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(HOME, tarball)],
      { cwd: APP },
    );
    expect(installed.code, installed.stdout + installed.stderr).to.equal(0);
    expect(existsSync(BIN), 'node_modules/.bin/dynastore').to.be.true;
    first = servers[0] ?? expect.fail('no server');
    endpoint = await first.endpoint();
    server = ['--endpoint', endpoint, '--retries', '2'];
  });

  after(() => rmSync(HOME, { recursive: true, force: true }));

  beforeEach(async function () {
    this.timeout(30_000);
    table = `cli-${process.pid}-${++tables}`;
    const created = await cli([...server, 'create-table', table]);
    expect(created.code, created.stderr).to.equal(0);
  });

  it('npx dynastore --help works in the project that installed the tarball', async function () {
    this.timeout(60_000);
    const help = await run('npx', ['--offline', 'dynastore', '--help']);
    expect(help.code, help.stderr).to.equal(0);
    for (const command of ['ls', 'tree', 'get', 'put', 'rm', 'create-table']) {
      expect(help.stdout).to.match(new RegExp(`^  ${command} `, 'm'));
    }
    expect(help.stdout).to.include('--endpoint').and.include('--json');
    // aws-sdk v2's maintenance notice is not the user's business (npm's own warnings about this machine's config are not ours).
    expect(help.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('npm warn'))).to.deep.equal([]);
  });

  it('create-table makes the documented table; where the server has no TTL API (dynalite) it says so on stderr', async function () {
    this.timeout(30_000);
    const name = `cli-indexed-${process.pid}`;
    const created = await cli(['create-table', name, '--indexes', ...server]);
    expect(created.code, created.stderr).to.equal(0);
    expect(created.stdout).to.equal(`created table ${name}\n`);
    if (first.name === 'dynalite') {
      expect(created.stderr).to.match(/^dynastore: note: .*no TTL API.*created without TTL/);
    } else {
      // DynamoDB Local first (DYNASTORE_TEST_SERVERS=dynamodb-local): it has the TTL API.
      expect(created.stderr).to.equal('');
    }
    const { Table } = await rawClient(endpoint).describeTable({ TableName: name }).promise();
    expect(Table?.KeySchema).to.deep.equal(tableDefinition.KeySchema);
    expect(Table?.AttributeDefinitions).to.have.deep.members(tableDefinition.AttributeDefinitions);
    expect(Table?.LocalSecondaryIndexes?.map((i) => i.IndexName)).to.deep.equal(['idx_created']);
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).to.deep.equal(['idx_global_1']);
    const again = await cli([...server, 'create-table', name]);
    expect(again.code).to.equal(5);
    expect(again.stderr).to.match(/^dynastore: REQUEST_FAILED \(ResourceInUseException\): /);
    // A name DynamoDB would refuse is refused before any request, as every other command refuses it.
    const badName = await cli([...server, 'create-table', 'x']);
    expect(badName.code).to.equal(4);
    expect(badName.stderr).to.match(/^dynastore: INVALID_ARGUMENT: table name/);
  });

  it('put then get prints the value byte for byte; --json prints the item', async function () {
    this.timeout(30_000);
    const put = await cli([...server, 'put', table, 'p', 'docs/a.txt', 'hello, world']);
    expect(put).to.deep.include({ code: 0, stdout: '', stderr: '' });
    const got = await cli([...server, 'get', table, 'p', 'docs/a.txt']);
    expect(got).to.deep.include({ code: 0, stdout: 'hello, world', stderr: '' });
    const json = await cli([...server, '--json', 'get', table, 'p', 'docs/a.txt']);
    expect(json.code, json.stderr).to.equal(0);
    expect(lines(json.stdout)).to.deep.equal([{ key: 'docs/a.txt', version: 1, expires: 0, value: 'hello, world' }]);
  });

  it('put reads the value from standard input when none is given', async function () {
    this.timeout(30_000);
    const value = 'line one\nline two\n\u00e9\n';
    const put = await cli([...server, 'put', table, 'p', 'stdin-key'], value);
    expect(put.code, put.stderr).to.equal(0);
    const got = await cli([...server, 'get', table, 'p', 'stdin-key']);
    expect(got.stdout).to.equal(value);
    // A byte order mark is a character of the value, kept as given.
    const bom = '\ufeffmarked';
    expect((await cli([...server, 'put', table, 'p', 'bom-key'], bom)).code).to.equal(0);
    expect((await cli([...server, 'get', table, 'p', 'bom-key'])).stdout).to.equal(bom);
  });

  it('put refuses standard input that is not UTF-8 (exit 4, nothing written); --bytes stores it byte for byte', async function () {
    this.timeout(30_000);
    const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0xc3]);
    const refused = await cli([...server, 'put', table, 'p', 'blob'], binary);
    expect(refused.code).to.equal(4);
    expect(refused.stderr).to.equal(
      'dynastore: INVALID_ARGUMENT: standard input is not UTF-8 text: give --bytes to store it as a binary value\n',
    );
    expect((await cli([...server, 'get', table, 'p', 'blob'])).code).to.equal(2);
    const put = await cli([...server, 'put', '--bytes', table, 'p', 'blob'], binary);
    expect(put.code, put.stderr).to.equal(0);
    const got = await cli([...server, 'get', table, 'p', 'blob']);
    expect(got.code, got.stderr).to.equal(0);
    expect(got.bytes.equals(binary)).to.equal(true);
    const json = await cli([...server, '--json', 'get', table, 'p', 'blob']);
    expect(lines(json.stdout)).to.deep.equal([
      { key: 'blob', version: 1, expires: 0, value: binary.toString('base64') },
    ]);
    // A value given as an argument, with --bytes, is stored as its UTF-8 bytes.
    expect((await cli([...server, 'put', '--bytes', table, 'p', 'arg', 'h\u00e9'])).code).to.equal(0);
    expect((await cli([...server, 'get', table, 'p', 'arg'])).bytes).to.deep.equal(Buffer.from('h\u00e9'));
  });

  it('options may come after the positional arguments', async function () {
    this.timeout(30_000);
    const put = await cli(['put', table, 'p', 'k', 'v', '--ttl', '1h', ...server]);
    expect(put.code, put.stderr).to.equal(0);
    const got = await cli(['get', table, 'p', 'k', '--json', '--endpoint', endpoint]);
    expect(got.code, got.stderr).to.equal(0);
    const [item] = lines(got.stdout) as { expires: number }[];
    const inAnHour = Date.now() / 1000 + 3600;
    expect(item?.expires).to.be.within(inAnHour - 60, inAnHour + 60);
  });

  it('put --json prints the item as stored; --keep-ttl keeps its expiry, which a plain put removes', async function () {
    this.timeout(30_000);
    const first = await cli([...server, '--json', 'put', table, 'p', 'k', 'one', '--ttl', '1h']);
    const [written] = lines(first.stdout) as { version: number; expires: number }[];
    expect(written?.version).to.equal(1);
    expect(written?.expires).to.be.within(Date.now() / 1000 + 3500, Date.now() / 1000 + 3700);
    const kept = await cli([...server, '--json', 'put', table, 'p', 'k', 'two', '--keep-ttl']);
    expect(lines(kept.stdout)).to.deep.equal([{ key: 'k', version: 2, expires: written?.expires, value: 'two' }]);
    const removed = await cli([...server, '--json', 'put', table, 'p', 'k', 'three']);
    expect(lines(removed.stdout)).to.deep.equal([{ key: 'k', version: 3, expires: 0, value: 'three' }]);
    const both = await cli([...server, 'put', table, 'p', 'k', 'four', '--ttl', '1h', '--keep-ttl']);
    expect(both.code).to.equal(1);
  });

  it('put --create is atomicPut create: KEY_EXISTS (exit 3) when the key is live', async function () {
    this.timeout(30_000);
    const first = await cli([...server, '--json', 'put', '--create', table, 'p', 'k', 'one']);
    expect(first.code, first.stderr).to.equal(0);
    expect(lines(first.stdout)).to.deep.equal([{ key: 'k', version: 1, expires: 0, value: 'one' }]);
    const second = await cli([...server, 'put', '--create', table, 'p', 'k', 'two']);
    expect(second.code).to.equal(3);
    expect(second.stderr).to.match(/^dynastore: KEY_EXISTS: /);
    expect((await cli([...server, 'get', table, 'p', 'k'])).stdout).to.equal('one');
  });

  it('put --if-version N is compare-and-swap: KEY_MODIFIED (exit 3) on another version', async function () {
    this.timeout(30_000);
    await cli([...server, 'put', table, 'p', 'k', 'one']);
    const stale = await cli([...server, 'put', table, 'p', 'k', 'two', '--if-version', '7']);
    expect(stale.code).to.equal(3);
    expect(stale.stderr).to.match(/^dynastore: KEY_MODIFIED: /);
    // A version is decimal digits: 0x1, 1e0, ' 1' and 1.0 are usage errors, and nothing is written.
    for (const spelled of ['0x1', '1e0', ' 1', '1.0', '-1', '']) {
      const refused = await cli([...server, 'put', table, 'p', 'k', 'two', '--if-version', spelled]);
      expect(refused.code, spelled).to.equal(1);
      expect(refused.stderr, spelled).to.include('expected a whole number, at least 0');
    }
    expect((await cli([...server, 'get', table, 'p', 'k'])).stdout).to.equal('one');
    const swapped = await cli([...server, 'put', table, 'p', 'k', 'two', '--if-version', '1', '--json']);
    expect(swapped.code, swapped.stderr).to.equal(0);
    expect(lines(swapped.stdout)).to.deep.equal([{ key: 'k', version: 2, expires: 0, value: 'two' }]);
  });

  it('a missing key (exit 2) is not a refused connection (exit 5)', async function () {
    this.timeout(60_000);
    const missing = await cli([...server, 'get', table, 'p', 'nope']);
    expect(missing.code).to.equal(2);
    expect(missing.stdout).to.equal('');
    expect(missing.stderr).to.match(/^dynastore: KEY_NOT_FOUND: /);
    const port = await freePort();
    const refused = await cli(['--endpoint', `http://127.0.0.1:${port}`, '--retries', '0', 'get', table, 'p', 'k']);
    expect(refused.code).to.equal(5);
    expect(refused.stderr).to.match(/^dynastore: REQUEST_FAILED/);
  });

  it('usage errors exit 1; arguments the library refuses exit 4', async function () {
    this.timeout(30_000);
    const usage = await cli(['get', table, 'p']);
    expect(usage.code).to.equal(1);
    expect(usage.stderr).to.include("missing required argument 'key'");
    const badTtl = await cli([...server, 'put', table, 'p', 'k', 'v', '--ttl', 'soon']);
    expect(badTtl.code).to.equal(1);
    const badTable = await cli([...server, 'get', 'x', 'p', 'k']);
    expect(badTable.code).to.equal(4);
    expect(badTable.stderr).to.match(/^dynastore: INVALID_ARGUMENT: table name/);
  });

  it('rm deletes one key', async function () {
    this.timeout(30_000);
    await cli([...server, 'put', table, 'p', 'k', 'v']);
    const rm = await cli(['rm', table, 'p', 'k', ...server]);
    expect(rm).to.deep.include({ code: 0, stdout: '', stderr: '' });
    expect((await cli([...server, 'get', table, 'p', 'k'])).code).to.equal(2);
  });

  it('ls -r lists every item under the prefix, as keys or as JSON lines', async function () {
    this.timeout(30_000);
    for (const key of ['docs/a', 'docs/sub/b', 'docs/sub/deeper/c', 'other']) {
      expect((await cli([...server, 'put', table, 'p', key, `v:${key}`])).code).to.equal(0);
    }
    const text = await cli([...server, 'ls', '-r', table, 'p', 'docs/']);
    expect(text.code, text.stderr).to.equal(0);
    expect(text.stdout).to.equal('docs/a\ndocs/sub/b\ndocs/sub/deeper/c\n');
    const json = await cli([...server, 'ls', table, 'p', 'docs/', '--recursive', '--json']);
    expect(lines(json.stdout)).to.deep.equal(
      ['docs/a', 'docs/sub/b', 'docs/sub/deeper/c'].map((key) => ({ key, version: 1, expires: 0, value: `v:${key}` })),
    );
  });

  describe('over a tree of keys', () => {
    const KEYS = ['docs/a', 'docs/api/v1/x', 'docs/api/v1/y', 'docs/api/z', 'docs/b', 'docs/img/p.png', 'other'];
    /** What `tree` draws of KEYS under docs/, line by line. */
    const DOCS_TREE = [
      'docs/',
      '├── a',
      '├── api/',
      '│   ├── v1/',
      '│   │   ├── x',
      '│   │   └── y',
      '│   └── z',
      '├── b',
      '└── img/',
      '    └── p.png',
      '',
      '3 directories, 6 items',
    ];

    beforeEach(async function () {
      this.timeout(30_000);
      for (const key of KEYS) expect((await cli([...server, 'put', table, 'p', key, `v:${key}`])).code).to.equal(0);
    });

    it('ls lists the direct children: items and directories with their full paths', async function () {
      this.timeout(30_000);
      const text = await cli([...server, 'ls', table, 'p', 'docs/']);
      expect(text.code, text.stderr).to.equal(0);
      expect(text.stdout).to.equal('docs/a\ndocs/api/\ndocs/b\ndocs/img/\n');
      const json = await cli(['ls', table, 'p', 'docs/', '--json', ...server]);
      expect(lines(json.stdout)).to.deep.equal([
        { key: 'docs/a', version: 1, expires: 0, value: 'v:docs/a' },
        { prefix: 'docs/api/' },
        { key: 'docs/b', version: 1, expires: 0, value: 'v:docs/b' },
        { prefix: 'docs/img/' },
      ]);
      const root = await cli([...server, 'ls', table, 'p']);
      expect(root.stdout).to.equal('docs/\nother\n');
    });

    it('tree draws the subtree; --json gives every entry with its full path; no progress off a terminal', async function () {
      this.timeout(30_000);
      const text = await cli([...server, 'tree', table, 'p', 'docs/']);
      expect(text).to.deep.include({ code: 0, stderr: '' });
      expect(text.stdout).to.equal([...DOCS_TREE, ''].join('\n'));
      const json = await cli([...server, '--json', 'tree', table, 'p', 'docs/api/']);
      expect(lines(json.stdout)).to.deep.equal([
        { prefix: 'docs/api/v1/' },
        { key: 'docs/api/v1/x', version: 1, expires: 0, value: 'v:docs/api/v1/x' },
        { key: 'docs/api/v1/y', version: 1, expires: 0, value: 'v:docs/api/v1/y' },
        { key: 'docs/api/z', version: 1, expires: 0, value: 'v:docs/api/z' },
      ]);
    });

    it('tree of a prefix that is not a directory draws its entries by their names in the directory they are in', async function () {
      this.timeout(30_000);
      const docs = await cli([...server, 'tree', table, 'p', 'docs']);
      expect(docs).to.deep.include({ code: 0, stderr: '' });
      expect(docs.stdout).to.equal(
        ['docs', '└── docs/', ...DOCS_TREE.slice(1, -2).map((l) => `    ${l}`), '', '4 directories, 6 items', ''].join(
          '\n',
        ),
      );
      const partial = await cli([...server, 'tree', table, 'p', 'docs/a']);
      expect(partial.stdout).to.equal(
        [
          'docs/a',
          '├── a',
          '└── api/',
          '    ├── v1/',
          '    │   ├── x',
          '    │   └── y',
          '    └── z',
          '',
          '2 directories, 4 items',
          '',
        ].join('\n'),
      );
    });

    it('on a terminal, tree and rm -r draw a count on stderr and clear it: the screen shows only the results', async function () {
      this.timeout(30_000);
      const tree = await onTerminal([...server, 'tree', table, 'p', 'docs/']);
      expect(tree.code, tree.stdout).to.equal(0);
      expect(tree.stdout).to.match(/\rread: \d+/);
      expect(screen(tree.stdout)).to.deep.equal(DOCS_TREE);
      // JSON lines stream while the count runs: each starts on a clean line.
      const json = await onTerminal([...server, '--json', 'tree', table, 'p', 'docs/']);
      expect(json.code, json.stdout).to.equal(0);
      expect(json.stdout).to.match(/\rread: \d+/);
      // The count is cleared before a JSON line is written, not written over.
      expect(json.stdout).to.include('\r\x1b[K{');
      expect(screen(json.stdout).map((l) => JSON.parse(l) as unknown)).to.have.length(9);
      const rm = await onTerminal([...server, 'rm', '-r', table, 'p', 'docs/']);
      expect(rm.code, rm.stdout).to.equal(0);
      expect(rm.stdout).to.match(/\rdeleted: 6/);
      expect(screen(rm.stdout)).to.deep.equal(['deleted 6 items']);
    });

    it('rm -r deletes the subtree and says how many; the whole partition is refused (exit 4)', async function () {
      this.timeout(30_000);
      const rm = await cli([...server, 'rm', '-r', table, 'p', 'docs/api/']);
      expect(rm).to.deep.include({ code: 0, stdout: 'deleted 3 items\n', stderr: '' });
      const left = await cli([...server, 'ls', '-r', table, 'p', '']);
      expect(left.stdout).to.equal('docs/a\ndocs/b\ndocs/img/p.png\nother\n');
      const one = await cli([...server, 'rm', '-r', table, 'p', 'docs/img/']);
      expect(one).to.deep.include({ code: 0, stdout: 'deleted 1 item\n', stderr: '' });
      const json = await cli([...server, 'rm', table, 'p', 'docs/', '--recursive', '--json']);
      expect(lines(json.stdout)).to.deep.equal([{ deleted: 2 }]);
      const all = await cli([...server, 'rm', '-r', table, 'p', '']);
      expect(all.code).to.equal(4);
      expect(all.stderr).to.match(/^dynastore: INVALID_ARGUMENT: /);
      expect((await cli([...server, 'get', table, 'p', 'other'])).stdout).to.equal('v:other');
    });

    it('a reader that has gone (| head) ends a command quietly, exit 0; a write that fails (a full disk) is exit 5', async function () {
      this.timeout(30_000);
      // Before: an unheard EPIPE 'error' event, a stack trace on stderr, and exit 1 (usage).
      for (const args of [
        ['ls', '-r', table, 'p', 'docs/'],
        ['--json', 'tree', table, 'p', 'docs/'],
        ['get', table, 'p', 'other'],
      ]) {
        const gone = await run(BIN, [...server, ...args], { stdout: 'closed' });
        expect(gone, args.join(' ')).to.deep.include({ code: 0, stderr: '' });
      }
      const full = openSync('/dev/full', 'w');
      try {
        // The whole listing is one write's worth: it fails after the command is done, and is still a failure.
        const failed = await run(BIN, [...server, 'ls', '-r', table, 'p', 'docs/'], { stdout: full });
        expect(failed.code).to.equal(5);
        expect(failed.stderr).to.match(/^dynastore: could not write to standard output: ENOSPC/);
      } finally {
        closeSync(full);
      }
    });
  });
  // The suite above runs on the first server; the same commands on DynamoDB Local, which has the TTL API.
  for (const other of servers.filter((s) => s.name === 'dynamodb-local' && s !== servers[0])) {
    it(`on ${other.name}: create-table enables TTL on expires; put, get, ls, tree and rm -r as on dynalite`, async function () {
      this.timeout(120_000);
      const local = ['--endpoint', await other.endpoint(), '--retries', '2'];
      const name = `cli-local-${process.pid}`;
      const created = await cli([...local, 'create-table', name]);
      expect(created).to.deep.include({ code: 0, stdout: `created table ${name}\n`, stderr: '' });
      const ttl = await rawClient(await other.endpoint())
        .describeTimeToLive({ TableName: name })
        .promise();
      expect(ttl.TimeToLiveDescription).to.deep.include({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expires' });

      const create = await cli([...local, '--json', 'put', '--create', name, 'p', 'k', 'one']);
      expect(lines(create.stdout)).to.deep.equal([{ key: 'k', version: 1, expires: 0, value: 'one' }]);
      expect((await cli([...local, 'put', '--create', name, 'p', 'k', 'two'])).code).to.equal(3);
      expect((await cli([...local, 'put', name, 'p', 'k', 'two', '--if-version', '7'])).code).to.equal(3);
      const swapped = await cli([...local, 'put', name, 'p', 'k', 'two', '--if-version', '1', '--ttl', '1h', '--json']);
      const [item] = lines(swapped.stdout) as { version: number; expires: number }[];
      expect(item?.version).to.equal(2);
      expect(item?.expires).to.be.within(Date.now() / 1000 + 3500, Date.now() / 1000 + 3700);
      expect(await cli([...local, 'get', name, 'p', 'k'])).to.deep.include({ code: 0, stdout: 'two' });
      expect((await cli([...local, 'get', name, 'p', 'nope'])).code).to.equal(2);

      for (const key of ['docs/a', 'docs/sub/b', 'docs/sub/deeper/c']) {
        expect((await cli([...local, 'put', name, 'p', key, `v:${key}`])).code).to.equal(0);
      }
      expect((await cli([...local, 'ls', name, 'p', 'docs/'])).stdout).to.equal('docs/a\ndocs/sub/\n');
      expect((await cli([...local, 'ls', '-r', name, 'p', 'docs/'])).stdout).to.equal(
        'docs/a\ndocs/sub/b\ndocs/sub/deeper/c\n',
      );
      expect((await cli([...local, 'tree', name, 'p', 'docs/sub/'])).stdout).to.equal(
        ['docs/sub/', '├── b', '└── deeper/', '    └── c', '', '1 directory, 2 items', ''].join('\n'),
      );
      expect(await cli([...local, 'rm', '-r', name, 'p', 'docs/'])).to.deep.include({
        code: 0,
        stdout: 'deleted 3 items\n',
      });
      expect((await cli([...local, 'rm', name, 'p', 'k'])).code).to.equal(0);
      expect((await cli([...local, 'ls', '-r', name, 'p', ''])).stdout).to.equal('');
    });
  }
});
