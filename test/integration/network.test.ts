// Signals and failures against real sockets on loopback: a server that never
// answers, a port with nobody listening, and a session built from config.
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Session, writeWithString } from '../../lib';
import { rejection } from '../helpers/expect';
import { faultProxy } from '../helpers/proxy';
import { createTable, forEachServer, localConfig, rawClient } from '../helpers/server';

/** How often aws-sdk v2 retries a DynamoDB request by default. */
const DEFAULT_RETRIES = 10;

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('signals and network failures (loopback)', () => {
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

  after(() => {
    silent.closeAllConnections();
    silent.close();
  });

  it('an abort while a request is in flight cancels it: ABORTED with the reason as cause', async () => {
    const session = new Session({ config: { ...localConfig, endpoint: `http://127.0.0.1:${silentPort}` } });
    const controller = new AbortController();
    const before = received;
    const started = Date.now();
    const pending = session.table('agents').get('users', 'user/1', { signal: controller.signal });
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
      const session = new Session({
        config: {
          ...localConfig,
          endpoint: `http://127.0.0.1:${port}`,
          maxRetries: 3,
          retryDelayOptions: { customBackoff: () => 3000 },
        },
      });
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('shutting down')), 300);
      const started = Date.now();
      const err = await rejection(session.table('agents').get('users', 'user/1', { signal: controller.signal }));
      expect(err.code).to.equal('ABORTED');
      expect(Date.now() - started).to.be.below(1500);
      expect(hits).to.equal(1);
    } finally {
      failing.close();
    }
  });

  it('a server that does not answer within the configured timeout: the SDK retries, then REQUEST_FAILED', async () => {
    // The SDK's default retries, with a quick backoff: this case runs them all out.
    const session = new Session({
      config: {
        ...localConfig,
        endpoint: `http://127.0.0.1:${silentPort}`,
        httpOptions: { timeout: 200 },
        retryDelayOptions: { base: 5 },
      },
    });
    const before = received;
    const started = Date.now();
    const err = await rejection(session.table('agents').put('users', 'user/1', writeWithString('x')));
    expect(err.code).to.equal('REQUEST_FAILED');
    expect((err.cause as { code?: string }).code).to.equal('TimeoutError');
    expect(received - before).to.equal(DEFAULT_RETRIES + 1);
    // Each attempt waits out its 200 ms; the backoff adds at most 5 ms × (2^10 − 1); then slack for a busy machine.
    expect(Date.now() - started).to.be.below((DEFAULT_RETRIES + 1) * 200 + 5 * 1023 + 3000);
  });

  it('nobody listening: REQUEST_FAILED with the network error as cause', async () => {
    const closed = createServer();
    const port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    // The SDK's default retries, with a quick backoff: this case runs them all out.
    const session = new Session({
      config: { ...localConfig, endpoint: `http://127.0.0.1:${port}`, retryDelayOptions: { base: 5 } },
    });
    const err = await rejection(session.table('agents').exists('users', 'user/1'));
    expect(err.code).to.equal('REQUEST_FAILED');
    expect((err.cause as { code?: string }).code).to.be.oneOf(['UnknownEndpoint', 'ECONNREFUSED', 'NetworkingError']);
  });
});

forEachServer('a session built from config.endpoint', (server) => {
  it('reuses one connection where the raw SDK, left at its defaults, opens one per request', async () => {
    const endpoint = await server.endpoint();
    const tableName = await createTable(rawClient(endpoint), 'reuse');
    const proxy = await faultProxy(endpoint, () => 'forward');
    try {
      const session = new Session({ config: { ...localConfig, endpoint: proxy.endpoint } });
      for (let i = 0; i < 20; i++)
        await session
          .table(tableName)
          .get('p', `k${i}`)
          .catch(() => undefined);
      expect(proxy.connections).to.equal(1);
      session.close();
      const raw = rawClient(proxy.endpoint);
      for (let i = 0; i < 20; i++)
        await raw.getItem({ TableName: tableName, Key: { id: { S: 'p' }, name: { S: `k${i}` } } }).promise();
      expect(proxy.connections).to.equal(21);
    } finally {
      await proxy.close();
    }
  });

  it('works against the server', async () => {
    const endpoint = await server.endpoint();
    const tableName = await createTable(rawClient(endpoint), 'config');
    const users = new Session({ config: { ...localConfig, endpoint } }).table(tableName).partition('users');
    await users.put('user/1', writeWithString('hi'));
    expect((await users.get('user/1')).stringValue()).to.equal('hi');
  });
});
