import { expect } from 'chai';
import { DynastoreError, Session } from '../../lib';
import { dynamoDBClient } from '../../lib/v3';
import { rejection } from '../helpers/expect';
import { freePort } from '../helpers/server';

describe('dynamoDBClient (dynastore/v3)', () => {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

  it('logs nothing, through a logger without info and error, so v3 formats no input or output for them', () => {
    const client = dynamoDBClient({ region: 'local' });
    try {
      const logger = client.config.logger as unknown as Record<string, unknown>;
      expect(logger.info).to.equal(undefined);
      expect(logger.error).to.equal(undefined);
      for (const level of ['trace', 'debug', 'warn']) expect(logger[level]).to.be.a('function');
      expect(client.config.cacheMiddleware).to.equal(true);
    } finally {
      client.destroy();
    }
  });

  it("keeps the caller's own logger and settings", () => {
    const seen: unknown[] = [];
    const logger = { trace() {}, debug() {}, info: (x: unknown) => seen.push(x), warn() {}, error() {} };
    const client = dynamoDBClient({ region: 'local', logger, cacheMiddleware: false });
    try {
      expect(client.config.logger).to.equal(logger);
      expect(client.config.cacheMiddleware).to.equal(false);
    } finally {
      client.destroy();
    }
  });

  it('a failed request with the quiet logger fails REQUEST_FAILED, not in the logger', async () => {
    const port = await freePort();
    const client = dynamoDBClient({
      region: 'local',
      endpoint: `http://127.0.0.1:${port}`,
      credentials,
      maxAttempts: 1,
    });
    try {
      const err = await rejection(new Session({ client }).table('users').partition('p').get('k'));
      expect(err.code).to.equal('REQUEST_FAILED');
    } finally {
      client.destroy();
    }
  });

  it('takes only a plain object: a Date, Map, ArrayBuffer, AbortSignal, Buffer or class instance is INVALID_ARGUMENT', () => {
    for (const config of [
      null,
      'eu-west-1',
      new Date(),
      new Map([['region', 'local']]),
      new ArrayBuffer(8),
      AbortSignal.abort(),
      Buffer.from('hi'),
      new (class Config {
        region = 'local';
      })(),
      Object.create({ region: 'local' }),
    ]) {
      expect(() => dynamoDBClient(config as never))
        .to.throw(DynastoreError)
        .with.property('code', 'INVALID_ARGUMENT');
    }
  });

  it('a getter, a Proxy, or a setting the SDK reads at once that throws is INVALID_ARGUMENT, with it as cause', () => {
    const boom = new Error('trap');
    const trap = (): never => {
      throw boom;
    };
    for (const config of [
      Object.defineProperty({ region: 'local' }, 'endpoint', { enumerable: true, get: trap }),
      new Proxy({}, { ownKeys: trap }),
      new Proxy({}, { getPrototypeOf: trap }),
      { region: 'local', credentials: new Proxy({}, { get: trap }) },
    ]) {
      let err: unknown;
      try {
        dynamoDBClient(config).destroy();
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(DynastoreError).with.property('code', 'INVALID_ARGUMENT');
      expect((err as DynastoreError).cause).to.equal(boom);
    }
  });
});
