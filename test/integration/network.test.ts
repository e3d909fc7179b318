// Signals and failures against real sockets on loopback: a server that never
// answers, a port with nobody listening, and connection reuse, on each SDK.
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeWithString } from '../../lib';
import { rejection } from '../helpers/expect';
import { faultProxy } from '../helpers/proxy';
import { DEFAULT_ATTEMPTS, forEachTarget, sdkSession, sdks, type Sdk, type TargetSessionOptions } from '../helpers/sdk';
import { createTable, rawClient } from '../helpers/server';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

for (const sdk of sdks) describe(`signals and network failures (loopback) [${sdk}]`, () => signalsAndFailures(sdk));

function signalsAndFailures(sdk: Sdk): void {
  let silent: Server;
  let silentPort: number;
  let received = 0;

  before(async () => {
    // Accepts requests and never answers them.
    silent = createServer(() => {
      received++;
    });
    silentPort = await listen(silent);
  });

  const closers: Array<() => void> = [];
  /** A session on this SDK; closed after the suite. */
  const session = (endpoint: string, options?: TargetSessionOptions): ReturnType<typeof sdkSession>['session'] => {
    const built = sdkSession(sdk, endpoint, options);
    closers.push(built.close);
    return built.session;
  };

  after(() => {
    for (const close of closers) close();
    silent.closeAllConnections();
    silent.close();
  });

  it('an abort while a request is in flight cancels it: ABORTED with the reason as cause', async () => {
    const controller = new AbortController();
    const before = received;
    const started = Date.now();
    const pending = session(`http://127.0.0.1:${silentPort}`)
      .table('agents')
      .get('users', 'user/1', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user gave up')), 100);
    const err = await rejection(pending);
    expect(err.code).to.equal('ABORTED');
    expect((err.cause as Error).message).to.equal('user gave up');
    expect(received).to.equal(before + 1);
    expect(Date.now() - started).to.be.below(2000);
  });

  it("an abort during the SDK's retry backoff settles at once, not when the backoff ends", async () => {
    let hits = 0;
    const failing = createServer((_req, res) => {
      hits++;
      res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'try later' }));
    });
    const port = await listen(failing);
    try {
      const slow = session(`http://127.0.0.1:${port}`, { retries: 3, backoff: () => 3000 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('shutting down')), 300);
      const started = Date.now();
      const err = await rejection(slow.table('agents').get('users', 'user/1', { signal: controller.signal }));
      expect(err.code).to.equal('ABORTED');
      expect(Date.now() - started).to.be.below(1500);
      expect(hits).to.equal(1);
    } finally {
      failing.close();
    }
  });

  it('a server that does not answer within the configured timeout: the SDK retries, then REQUEST_FAILED', async () => {
    // The SDK's default retries, with a quick backoff: this case runs them all out.
    const attempts = DEFAULT_ATTEMPTS[sdk];
    const before = received;
    const started = Date.now();
    const err = await rejection(
      session(`http://127.0.0.1:${silentPort}`, { timeout: 200, backoff: 5 })
        .table('agents')
        .put('users', 'user/1', writeWithString('x')),
    );
    expect(err.code).to.equal('REQUEST_FAILED');
    expect(err.awsCode).to.equal('TimeoutError');
    expect(received - before).to.equal(attempts);
    // Each attempt waits out its 200 ms; the backoff adds at most 5 ms × (2^(retries) − 1); then slack for a busy machine.
    expect(Date.now() - started).to.be.below(attempts * 200 + 5 * (2 ** (attempts - 1) - 1) + 3000);
  });

  it('nobody listening: REQUEST_FAILED with the network error as cause', async () => {
    const closed = createServer();
    const port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    // The SDK's default retries, with a quick backoff: this case runs them all out.
    const err = await rejection(
      session(`http://127.0.0.1:${port}`, { backoff: 5 }).table('agents').exists('users', 'user/1'),
    );
    expect(err.code).to.equal('REQUEST_FAILED');
    // Node's error, as the SDK passed it on (sdk.test.ts compares the awsCode both SDKs give).
    expect(err.cause).to.be.instanceOf(Error);
    expect(err.awsCode).to.be.a('string');
  });
}

forEachTarget('connections', (target) => {
  it(
    target.sdk === 'v2'
      ? 'a session built from config reuses one connection where the raw SDK, left at its defaults, opens one per request'
      : 'a session on a DynamoDBClient at its defaults reuses one connection',
    async () => {
      const endpoint = await target.server.endpoint();
      const tableName = await createTable(rawClient(endpoint), 'reuse');
      const proxy = await faultProxy(endpoint, () => 'forward');
      try {
        const session = target.session(proxy.endpoint);
        for (let i = 0; i < 20; i++)
          await session
            .table(tableName)
            .get('p', `k${i}`)
            .catch(() => undefined);
        expect(proxy.connections).to.equal(1);
        session.close();
        if (target.sdk !== 'v2') return;
        const raw = rawClient(proxy.endpoint);
        for (let i = 0; i < 20; i++)
          await raw.getItem({ TableName: tableName, Key: { id: { S: 'p' }, name: { S: `k${i}` } } }).promise();
        expect(proxy.connections).to.equal(21);
      } finally {
        await proxy.close();
      }
    },
  );

  it('works against the server', async () => {
    const endpoint = await target.server.endpoint();
    const tableName = await createTable(rawClient(endpoint), 'config');
    const users = target.session(endpoint).table(tableName).partition('users');
    await users.put('user/1', writeWithString('hi'));
    expect((await users.get('user/1')).stringValue()).to.equal('hi');
  });
});
