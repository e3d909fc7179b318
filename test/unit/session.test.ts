import { expect } from 'chai';
import AWS from 'aws-sdk';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import sinon from 'sinon';
import { DynastoreError, Partition, Session, Table } from '../../lib';
import { rejection } from '../helpers/expect';
import { mockedSession, restoreMocks } from '../helpers/mock';

describe('Session', () => {
  it('builds its own client from config', () => {
    const session = new Session({ config: { region: 'eu-west-1', endpoint: 'http://127.0.0.1:8000' } });
    expect(session.client).to.be.instanceOf(AWS.DynamoDB);
    expect(session.client.config.region).to.equal('eu-west-1');
    expect(session.client.endpoint.href).to.equal('http://127.0.0.1:8000/');
  });

  describe('connection reuse', () => {
    it('gives a client built from config a keep-alive agent for its protocol', () => {
      const local = new Session({ config: { region: 'us-east-1', endpoint: 'http://127.0.0.1:8000' } });
      const agent = local.client.config.httpOptions?.agent as HttpAgent;
      expect(agent).to.be.instanceOf(HttpAgent).and.not.instanceOf(HttpsAgent);
      expect(agent).to.include({ keepAlive: true, maxSockets: 50 });
      const aws = new Session({ config: { region: 'eu-west-1', httpOptions: { timeout: 1234 } } });
      expect(aws.client.config.httpOptions?.agent).to.be.instanceOf(HttpsAgent);
      expect(aws.client.config.httpOptions?.timeout).to.equal(1234);
    });

    it("leaves a user's agent and an injected client alone, and close() does not touch them", () => {
      const agent = new HttpAgent();
      const destroy = sinon.spy(agent, 'destroy');
      const session = new Session({ config: { region: 'us-east-1', httpOptions: { agent } } });
      expect(session.client.config.httpOptions?.agent).to.equal(agent);
      session.close();
      const client = new AWS.DynamoDB({ region: 'us-east-1' });
      const injected = new Session({ client });
      expect(client.config.httpOptions?.agent).to.equal(undefined);
      injected.close();
      expect(destroy.called).to.equal(false);
    });

    it('close() destroys the agent the session made', () => {
      const session = new Session({ config: { region: 'us-east-1', endpoint: 'http://127.0.0.1:8000' } });
      const destroy = sinon.spy(session.client.config.httpOptions?.agent as HttpAgent, 'destroy');
      session.close();
      expect(destroy.calledOnce).to.equal(true);
    });
  });

  it('uses an injected client as is', () => {
    const client = new AWS.DynamoDB({ region: 'us-west-2' });
    expect(new Session({ client }).client).to.equal(client);
  });

  it('builds a default client when given nothing', () => {
    expect(new Session().client).to.be.instanceOf(AWS.DynamoDB);
  });

  it('hands out tables and partitions', () => {
    const session = new Session({ config: { region: 'us-east-1' } });
    const table = session.table('agents');
    expect(table).to.be.instanceOf(Table);
    expect(table.tableName).to.equal('agents');
    const users = table.partition('users');
    expect(users).to.be.instanceOf(Partition);
    expect(users).to.include({ tableName: 'agents', partitionName: 'users', table });
    expect(new Table(session, 'agents').tableName).to.equal('agents');
    expect(new Partition(table, 'users').partitionName).to.equal('users');
  });

  describe('refuses bad options with INVALID_ARGUMENT', () => {
    const client = new AWS.DynamoDB({ region: 'us-east-1' });
    const cases: Array<[string, unknown, string]> = [
      ['client and config', { client, config: {} }, 'not both'],
      ['a client that is not a DynamoDB client', { client: {} }, 'client'],
      ['hooks that are not an object', { hooks: 5 }, 'hooks'],
      ['requestBuilt that is not a function', { hooks: { requestBuilt: 'x' } }, 'requestBuilt'],
      ['a clock that is not a function', { clock: 5 }, 'clock'],
      ['a tokenSecret shorter than 16 bytes', { tokenSecret: 'short' }, 'tokenSecret'],
      ['a tokenSecret that is not a string or bytes', { tokenSecret: 5 }, 'tokenSecret'],
      ['options that are not an object', null, 'object'],
      ['config that is a string', { config: 'x' }, 'config must be a plain object'],
      ['config that is a number', { config: 5 }, 'config must be a plain object'],
      ['config that is null', { config: null }, 'config must be a plain object'],
      ['config that is an array', { config: [] }, 'config must be a plain object'],
      ['config of another class', { config: new Map() }, 'config must be a plain object'],
      ['options of another class', new URLSearchParams(), 'plain object'],
      ['options that are an array', [], 'plain object'],
    ];
    for (const [what, options, mention] of cases) {
      it(what, () => {
        expect(() => new Session(options as never))
          .to.throw(DynastoreError, mention)
          .with.property('code', 'INVALID_ARGUMENT');
      });
    }

    it('a table name outside DynamoDB rules', () => {
      const session = new Session({ client });
      for (const name of ['ab', 'has space', 'x'.repeat(256), 5]) {
        expect(() => session.table(name as never)).to.throw(DynastoreError, 'table name');
      }
    });
  });

  describe('refuses unknown options, naming them', () => {
    for (const key of ['region', 'endpoint', 'credentials', 'maxRetries', 'httpOptions']) {
      it(`${key}: a client setting, which goes in config`, () => {
        const err = thrown(() => new Session({ [key]: 'eu-west-1' }));
        expect(err.code).to.equal('INVALID_ARGUMENT');
        expect(err.message).to.contain(`"${key}" is a client setting`).and.contain(`{ config: { ${key} } }`);
        expect(err.value).to.equal(key);
      });
    }

    it('a typo, with the names a session takes', () => {
      const err = thrown(() => new Session({ regoin: 'eu-west-1' } as never));
      expect(err.message).to.equal(
        'unknown session option "regoin": session options are client, config, hooks, returnConsumedCapacity, clock, tokenSecret',
      );
    });

    it('a symbol key, and a huge name cut short', () => {
      expect(thrown(() => new Session({ [Symbol('x')]: 1 })).message).to.contain('a symbol');
      const err = thrown(() => new Session({ ['k'.repeat(400_000)]: 1 }));
      expect(err.message.length).to.be.below(400);
    });

    it('a region beside a client too', () => {
      const client = new AWS.DynamoDB({ region: 'us-east-1' });
      expect(thrown(() => new Session({ client, region: 'eu-west-1' } as never)).message).to.contain('config');
    });

    it('accepts a known option given as undefined, as if it were not given', () => {
      const session = new Session({ client: undefined, config: undefined, hooks: undefined, clock: undefined });
      expect(session.client).to.be.instanceOf(AWS.DynamoDB);
    });
  });

  describe('reads only own properties', () => {
    afterEach(restoreMocks);
    const LIVE = { id: { S: 'users' }, name: { S: 'user/1' }, version: { N: '1' } };

    /** Runs `body` while Object.prototype carries `key`, as a prototype-pollution bug would leave it. */
    async function polluted(key: string, value: unknown, body: () => Promise<void>): Promise<void> {
      (Object.prototype as Record<string, unknown>)[key] = value;
      try {
        await body();
      } finally {
        Reflect.deleteProperty(Object.prototype, key);
      }
    }

    it('an inherited hooks, clock, config or tokenSecret is no option', async () => {
      const requestBuilt = sinon.spy();
      const clock = sinon.spy(() => 5);
      const { session: base, calls } = mockedSession({ getItem: { Item: LIVE } });
      await polluted('hooks', { requestBuilt }, () =>
        polluted('clock', clock, () =>
          polluted('config', { region: 'eu-west-1' }, () =>
            polluted('tokenSecret', 'short', async () => {
              const session = new Session({ client: base.client });
              expect((await session.table('agents').get('users', 'user/1')).version).to.equal(1);
            }),
          ),
        ),
      );
      expect([calls.length, requestBuilt.callCount, clock.callCount]).to.deep.equal([1, 0, 0]);
    });

    it('an inherited hook is no hook', async () => {
      const requestBuilt = sinon.spy();
      const { session: base, calls } = mockedSession({ getItem: { Item: LIVE } });
      await polluted('requestBuilt', requestBuilt, async () => {
        const session = new Session({ client: base.client, hooks: {} });
        await session.table('agents').get('users', 'user/1');
      });
      expect([calls.length, requestBuilt.callCount]).to.deep.equal([1, 0]);
    });

    it('an object whose prototype carries options or hooks is refused, not half read', () => {
      const requestBuilt = (): void => undefined;
      expect(thrown(() => new Session(Object.create({ clock: Date.now }) as never)).message).to.contain('plain object');
      class MyHooks {
        requestBuilt(): void {}
      }
      for (const hooks of [Object.create({ requestBuilt }), new MyHooks()]) {
        expect(thrown(() => new Session({ hooks: hooks as never })).message).to.contain('hooks must be a plain object');
      }
    });

    it('accepts objects without a prototype', () => {
      const hooks = Object.assign(Object.create(null) as object, { requestBuilt: () => undefined });
      const options = Object.assign(Object.create(null) as object, { hooks, config: { region: 'us-east-1' } });
      expect(new Session(options).client).to.be.instanceOf(AWS.DynamoDB);
    });

    it('hooks are read once: a hook replaced after the session was made is not called', async () => {
      const calledHooks: string[] = [];
      const hooks = { requestBuilt: (): void => void calledHooks.push('first') };
      const { session: base } = mockedSession({ getItem: { Item: LIVE } });
      const session = new Session({ client: base.client, hooks });
      hooks.requestBuilt = (): void => void calledHooks.push('second');
      await session.table('agents').get('users', 'user/1');
      expect(calledHooks).to.deep.equal(['first']);
    });
  });

  describe('hostile option objects: INVALID_ARGUMENT with what they threw as cause, never a raw error', () => {
    const boom = new TypeError('getter failed');
    const throwing = (key: string): object =>
      Object.defineProperty({}, key, {
        enumerable: true,
        get() {
          throw boom;
        },
      });
    const trap = new Proxy(
      {},
      {
        ownKeys() {
          throw boom;
        },
        get() {
          throw boom;
        },
      },
    );
    const client = new AWS.DynamoDB({ region: 'us-east-1' });
    const cases: Array<[string, () => unknown]> = [
      ['options with a throwing getter', () => new Session(throwing('hooks'))],
      ['options that are a throwing Proxy', () => new Session(trap)],
      ['hooks with a throwing getter', () => new Session({ hooks: throwing('requestBuilt') })],
      ['hooks that are a throwing Proxy', () => new Session({ hooks: trap })],
      ['config with a throwing getter', () => new Session({ config: throwing('region') })],
      ['config that is a throwing Proxy', () => new Session({ config: trap })],
      ['a client with a throwing getter', () => new Session({ client: throwing('getItem') })],
      ['a client that is a throwing Proxy', () => new Session({ client: trap })],
      [
        'a v3 lookalike whose config getter throws',
        () =>
          new Session({ client: Object.assign(throwing('config'), { send: () => undefined, middlewareStack: {} }) }),
      ],
      ['a tokenSecret that is a throwing Proxy of bytes', () => new Session({ client, tokenSecret: proxyBytes() })],
    ];
    for (const [what, make] of cases) {
      it(what, () => {
        const err = thrown(make);
        expect(err.code).to.equal('INVALID_ARGUMENT');
        expect(err.cause).to.equal(boom);
      });
    }

    function proxyBytes(): Uint8Array {
      return new Proxy(new Uint8Array(32), {
        get(target, key) {
          if (key === 'length' || key === 'byteLength' || key === 'buffer') throw boom;
          return Reflect.get(target, key) as unknown;
        },
      });
    }

    it('a config aws-sdk v2 cannot take: INVALID_ARGUMENT with the SDK error as cause', () => {
      const err = thrown(() => new Session({ config: { region: {} as never } }));
      expect(err.code).to.equal('INVALID_ARGUMENT');
      expect(err.cause).to.be.instanceOf(TypeError);
    });

    it('a v2 lookalike that throws when sending: REQUEST_FAILED with what it threw as cause', async () => {
      for (const failure of ['boom', Object.create(null) as object, boom]) {
        const lookalike = {
          getItem(): never {
            // eslint-disable-next-line @typescript-eslint/only-throw-error -- what a lookalike client may do
            throw failure;
          },
        };
        const err = await rejection(new Session({ client: lookalike }).table('agents').get('users', 'user/1'));
        expect(err.code).to.equal('REQUEST_FAILED');
        expect(err.cause).to.equal(failure);
      }
    });
  });

  describe('tokenSecret errors never show the secret', () => {
    const client = new AWS.DynamoDB({ region: 'us-east-1' });
    const secret = 'hunter2-SECRET';
    for (const [what, tokenSecret, shown] of [
      ['a string too short', secret, 'a string of 14 bytes'],
      ['bytes too short', Buffer.from(secret), '14 bytes'],
      ['a number', 123456789012345, 'a number'],
      ['a bigint', 123456789012345678901234567890n, 'a bigint'],
      ['an array', Array.from(Buffer.from(secret)), 'an array'],
    ] as const) {
      it(what, () => {
        const err = thrown(() => new Session({ client, tokenSecret: tokenSecret as never }));
        expect(err.code).to.equal('INVALID_ARGUMENT');
        expect(err.message).to.equal(`tokenSecret must be a string or bytes of at least 16 bytes, got ${shown}`);
        const everything = `${err.message} ${String(err.stack)} ${String(err.value)} ${String(err.cause)}`;
        expect(everything).not.to.contain('hunter').and.not.contain('12345678');
      });
    }

    it('nor does any other error of a session given a secret', () => {
      const err = thrown(() => new Session({ client, config: {}, tokenSecret: 'hunter2-a-long-enough-secret' }));
      expect(err.message).to.contain('not both');
      expect(JSON.stringify(err.value) ?? '').not.to.contain('hunter2');
    });
  });
});

/** The DynastoreError `make` throws; fails the test if it throws anything else or nothing. */
function thrown(make: () => unknown): DynastoreError {
  try {
    make();
  } catch (err) {
    expect(err).to.be.instanceOf(DynastoreError);
    return err as DynastoreError;
  }
  expect.fail('expected a DynastoreError');
}
