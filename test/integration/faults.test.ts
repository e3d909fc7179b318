// Faults injected between the library and a real server: throttling and
// server errors from a loopback proxy, and a writer process killed with
// SIGKILL while the server itself crashes and restarts from disk.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { Session, writeWithString } from '../../lib';
import { rejection } from '../helpers/expect';
import { faultProxy, type Fault } from '../helpers/proxy';
import { record } from '../helpers/report';
import { forEachTarget, sdks } from '../helpers/sdk';
import { createTable, freePort, rawClient, waitUntilServing } from '../helpers/server';

const throttled: Fault = { status: 400, type: 'ProvisionedThroughputExceededException' };
const throttling: Fault = {
  status: 400,
  type: 'ThrottlingException',
  message: 'Rate of requests exceeds the allowed throughput.',
};
const internal: Fault = { status: 500, type: 'InternalServerError' };

forEachTarget('faults from a proxy', (target) => {
  let endpoint: string;
  let tableName: string;

  before(async () => {
    endpoint = await target.server.endpoint();
    tableName = await createTable(rawClient(endpoint), 'faults');
  });

  /** A session through a proxy, with the SDK's retries on and quick. */
  const through = (proxyEndpoint: string, retries = 3): Session<object> =>
    target.session(proxyEndpoint, { retries, backoff: 5 });

  for (const fault of [throttled, throttling]) {
    const { type, message = 'injected' } = fault as { type: string; message?: string };
    it(`${type} on every attempt: the SDK retries with backoff, then REQUEST_FAILED carries the code and the SDK's error`, async function () {
      const proxy = await faultProxy(endpoint, () => fault);
      try {
        const started = Date.now();
        const err = await rejection(through(proxy.endpoint).table(tableName).put('p', 'k', writeWithString('x')));
        expect(err.code).to.equal('REQUEST_FAILED');
        expect(err.awsCode).to.equal(type);
        expect((err.cause as Error).message).to.equal(message);
        expect(proxy.seen).to.equal(4); // the first try and three retries
        expect(Date.now() - started).to.be.below(5000);
        record(this, `faults-${target.name}`, `faults injected on ${target.name}`, proxy.injected);
        record(
          this,
          `failed-${target.name}`,
          `operations whose faults outlasted the SDK's retries on ${target.name} (REQUEST_FAILED with the code)`,
          1,
        );
      } finally {
        await proxy.close();
      }
    });
  }

  it('throttling and server errors that clear up within the retries: every operation succeeds, each write applied once', async function () {
    // Every third request fails, alternating the kinds of fault.
    const kinds = [throttled, internal, throttling];
    const proxy = await faultProxy(endpoint, (n) => (n % 3 === 0 ? (kinds[(n / 3) % 3] as Fault) : 'forward'));
    try {
      const p = through(proxy.endpoint, 5).table(tableName).partition('survivor');
      await p.atomicPut('counter', writeWithString('0'));
      for (let i = 1; i <= 30; i++) {
        const kv = await p.get('counter');
        await p.atomicPut('counter', writeWithString(String(i)), { previous: kv });
      }
      const final = await p.get('counter');
      expect(final.stringValue()).to.equal('30');
      expect(final.version).to.equal(31);
      expect(proxy.injected).to.be.greaterThan(20);
      record(this, `faults-${target.name}`, `faults injected on ${target.name}`, proxy.injected);
      record(
        this,
        `survived-${target.name}`,
        `faults retried by the SDK and survived on ${target.name}`,
        proxy.injected,
      );
    } finally {
      await proxy.close();
    }
  });
});

for (const sdk of sdks) {
  describe(`a writer on ${sdk} killed with SIGKILL while the server crashes (dynalite on disk, separate processes)`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'dynastore-crash-'));
    let port: number;
    let dynaliteProcess: ChildProcess | undefined;

    const startServer = async (): Promise<string> => {
      const child = spawn(
        process.execPath,
        [
          require.resolve('dynalite/cli.js'),
          '--port',
          String(port),
          '--host',
          '127.0.0.1',
          '--path',
          dir,
          '--createTableMs',
          '0',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      dynaliteProcess = child;
      const endpoint = `http://127.0.0.1:${port}`;
      await waitUntilServing(endpoint, child, () => output);
      return endpoint;
    };

    const kill = async (child: ChildProcess): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    };

    before(async () => {
      port = await freePort();
    });

    after(async () => {
      if (dynaliteProcess) await kill(dynaliteProcess);
      rmSync(dir, { recursive: true, force: true });
    });

    it('keeps every acknowledged write, and none half-applied, over 3 crashes', async function () {
      this.timeout(120_000);
      let endpoint = await startServer();
      const ddb = rawClient(endpoint);
      const tableName = await createTable(ddb, 'crash');
      const counter = new Session({ client: ddb }).table(tableName).partition('crash');
      await counter.atomicPut('counter', writeWithString('0'));
      let acknowledged = 0;
      let inFlightApplied = 0;

      for (let crash = 1; crash <= 3; crash++) {
        const writer = spawn(
          process.execPath,
          ['-r', 'ts-node/register', join(__dirname, '..', 'helpers', 'crash-writer.ts'), endpoint, tableName, sdk],
          {
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let lastAck = acknowledged;
        let errors = '';
        writer.stderr.on('data', (d: Buffer) => (errors += d.toString()));
        const firstAck = new Promise<void>((resolve, reject) => {
          writer.stdout.on('data', (d: Buffer) => {
            for (const m of d.toString().matchAll(/ACK (\d+)/g)) lastAck = Number(m[1]);
            resolve();
          });
          writer.once('exit', (code) => reject(new Error(`the writer exited (${code}) before writing: ${errors}`)));
        });
        await firstAck;
        // A random moment while writes are flowing; then the writer and the server die at once.
        await new Promise((r) => setTimeout(r, randomInt(50, 600)));
        await Promise.all([kill(writer), dynaliteProcess && kill(dynaliteProcess)]);
        expect(lastAck).to.be.greaterThan(acknowledged);

        endpoint = await startServer();
        const after = await new Session({ client: rawClient(endpoint) })
          .table(tableName)
          .partition('crash')
          .get('counter');
        const value = Number(after.stringValue());
        // Every acknowledged write is there; the one in flight at the kill may or may not have landed.
        expect(value).to.be.oneOf([lastAck, lastAck + 1]);
        // Never half-applied: the value and the version moved together.
        expect(after.version).to.equal(value + 1);
        inFlightApplied += value - lastAck;
        acknowledged = value;
      }
      record(
        this,
        `crash-${sdk}`,
        `writer on ${sdk} and server killed with SIGKILL mid-write: crashes / acknowledged writes / lost / half-applied`,
        `3 / ${acknowledged - inFlightApplied} / 0 / 0`,
      );
    });
  });
}
