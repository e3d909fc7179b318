// A session on an aws-sdk v3 client, over a stand-in client whose `send`
// answers as v3 does: the commands it is sent, how its errors reach the
// caller (codes, awsCode, the old item, attempts), and abort. The errors are
// v3's own exception classes, or Node's errors as v3 passes them on.
import { expect } from 'chai';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { DynastoreError, Session, writeWithPreviousKV, writeWithString, type Partition } from '../../lib';
import { dynamoDBClient, marshalStruct, unmarshalStruct } from '../../lib/v3';
import { rejection } from '../helpers/expect';

/** What the stand-in was sent. */
interface Sent {
  command: string;
  input: Record<string, unknown>;
  options: unknown;
}

/** An answer: the output, or a function of what was sent that returns or throws. */
type Answer = object | ((sent: Sent) => unknown);

/** A stand-in for a v3 `DynamoDBClient`: the shape a session recognises, answering `answers` in turn. */
function fakeClient(...answers: Answer[]): {
  client: { send: (command: object, options?: object) => Promise<unknown>; config: object; middlewareStack: object };
  sent: Sent[];
} {
  const sent: Sent[] = [];
  const client = {
    config: {},
    middlewareStack: {},
    send: async (command: object, options?: object): Promise<unknown> => {
      await Promise.resolve();
      const s = {
        command: command.constructor.name.replace(/Command$/, ''),
        input: (command as { input: Record<string, unknown> }).input,
        options,
      };
      sent.push(s);
      const answer = answers[Math.min(sent.length - 1, answers.length - 1)];
      return typeof answer === 'function' ? (answer as (s: Sent) => unknown)(s) : answer;
    },
  };
  return { client, sent };
}

const metadata = (attempts: number, httpStatusCode = 400): { $metadata: object } => ({
  $metadata: { httpStatusCode, attempts, totalRetryDelay: 0 },
});

const throws = (err: unknown) => (): never => {
  throw err;
};

/** Node's error for a failure on the wire, as v3 passes it on once its retries are spent. */
function nodeError(code: string, message: string, extra: object = {}): Error {
  return Object.assign(new Error(message), { code, syscall: 'connect', $metadata: { attempts: 4 }, ...extra });
}

const stored = (version: number, value: string): Record<string, unknown> => ({
  id: { S: 'p' },
  name: { S: 'k' },
  version: { N: String(version) },
  payload: { S: value },
});

const on = (client: object): Partition => new Session({ client }).table('agents').partition('p');

describe('a session on an aws-sdk v3 client', () => {
  it('keeps the client it was given, and sends v3 commands with the request, without options unless a signal is given', async () => {
    const { client, sent } = fakeClient({ Item: stored(3, 'v'), ...metadata(1, 200) });
    const session = new Session({ client });
    expect(session.client).to.equal(client);
    const p = session.table('agents').partition('p');
    const kv = await p.get('k');
    expect(kv).to.include({ key: 'k', version: 3 });
    expect(kv.stringValue()).to.equal('v');
    const signal = new AbortController().signal;
    await p.get('k', { signal });
    expect(sent.map((s) => s.command)).to.deep.equal(['GetItem', 'GetItem']);
    expect(sent[0]?.input).to.deep.include({ TableName: 'agents', Key: { id: { S: 'p' }, name: { S: 'k' } } });
    // No options at all: a client with cacheMiddleware reuses its middleware only then.
    expect(sent[0]?.options).to.equal(undefined);
    expect(sent[1]?.options).to.deep.equal({ abortSignal: signal });
  });

  it('an output without $metadata counts as one attempt', async () => {
    const { client } = fakeClient({ Item: stored(1, 'v') });
    expect((await on(client).get('k')).version).to.equal(1);
  });

  describe('a failed condition', () => {
    it('with the old item (DynamoDB): KEY_MODIFIED from the item, no read', async () => {
      const err = new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        Item: stored(5, 'theirs') as never,
        ...metadata(1),
      });
      const { client, sent } = fakeClient(throws(err));
      const failed = await rejection(
        on(client).atomicPut('k', writeWithString('x'), writeWithPreviousKV({ version: 4 })),
      );
      expect(failed.code).to.equal('KEY_MODIFIED');
      expect(sent.map((s) => s.command)).to.deep.equal(['UpdateItem']);
    });

    it('without an item (dynalite, or no item): one consistent read tells', async () => {
      const err = new ConditionalCheckFailedException({ message: 'failed', ...metadata(1) });
      const { client, sent } = fakeClient(throws(err), { ...metadata(1, 200) });
      const failed = await rejection(
        on(client).atomicPut('k', writeWithString('x'), writeWithPreviousKV({ version: 4 })),
      );
      expect(failed.code).to.equal('KEY_NOT_FOUND');
      expect(sent.map((s) => s.command)).to.deep.equal(['UpdateItem', 'GetItem']);
      expect(sent[1]?.input).to.include({ ConsistentRead: true });
    });

    it('after v3 retried a create (2 attempts), the item the retry met is recognised as its own write', async () => {
      const own = { ...stored(1, 'mine') };
      const retried = new ConditionalCheckFailedException({
        message: 'failed',
        Item: own as never,
        ...metadata(2),
      });
      const { client } = fakeClient(throws(retried));
      const kv = await on(client).atomicPut('k', writeWithString('mine'));
      expect(kv).to.include({ key: 'k', version: 1 });
      // The same failure on a first attempt is somebody else's item.
      const first = new ConditionalCheckFailedException({
        message: 'failed',
        Item: own as never,
        ...metadata(1),
      });
      const { client: other } = fakeClient(throws(first));
      expect((await rejection(on(other).atomicPut('k', writeWithString('mine')))).code).to.equal('KEY_EXISTS');
    });

    it('a failed condition with no $metadata counts as one attempt', async () => {
      const bare = Object.assign(new Error('failed'), { name: 'ConditionalCheckFailedException' });
      const { client } = fakeClient(throws(bare), {});
      expect((await rejection(on(client).atomicPut('k', writeWithString('mine')))).code).to.equal('KEY_EXISTS');
    });
  });

  describe('REQUEST_FAILED: the SDK error as cause, the name both SDKs give as awsCode', () => {
    const cases: Array<[string, unknown, string | undefined]> = [
      [
        "a service error: v3's name",
        new ProvisionedThroughputExceededException({ message: 'slow down', ...metadata(4) }),
        'ProvisionedThroughputExceededException',
      ],
      [
        'a missing table',
        new ResourceNotFoundException({ message: 'Requested resource not found', ...metadata(1) }),
        'ResourceNotFoundException',
      ],
      [
        'a service error v3 has no class for, by its status',
        Object.assign(new Error('boom'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }),
        'InternalServerError',
      ],
      [
        "v3's own timeout",
        Object.assign(new Error('socket timed out'), { name: 'TimeoutError', $metadata: { attempts: 4 } }),
        'TimeoutError',
      ],
      [
        'a reset connection v3 did not rename',
        nodeError('ECONNRESET', 'socket hang up', { syscall: undefined }),
        'TimeoutError',
      ],
      ['a broken pipe', nodeError('EPIPE', 'write EPIPE'), 'TimeoutError'],
      ['nobody listening', nodeError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'), 'NetworkingError'],
      ['an unknown host', nodeError('ENOTFOUND', 'getaddrinfo ENOTFOUND nowhere'), 'NetworkingError'],
      [
        'a client-side error of the SDK: its name',
        Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }),
        'CredentialsProviderError',
      ],
      ['a DNS failure that may pass', nodeError('EAI_AGAIN', 'getaddrinfo EAI_AGAIN nowhere'), 'NetworkingError'],
      [
        "Node's own error, not the network's: its code",
        Object.assign(new Error('Invalid character in header content'), { code: 'ERR_INVALID_CHAR' }),
        'ERR_INVALID_CHAR',
      ],
      ['a plain Error', new Error('something broke'), undefined],
      ['something thrown that is not an error', 'a string', undefined],
    ];
    for (const [what, thrown, awsCode] of cases) {
      it(`${what}: ${awsCode ?? 'no awsCode'}`, async () => {
        const { client } = fakeClient(throws(thrown));
        const err = await rejection(on(client).get('k'));
        expect(err.code).to.equal('REQUEST_FAILED');
        expect(err.cause).to.equal(thrown);
        expect(err.awsCode).to.equal(awsCode);
        expect(err.message).to.contain('DynamoDB GetItem failed');
      });
    }

    it('a client whose send throws at once fails the same way', async () => {
      const client = {
        config: {},
        middlewareStack: {},
        send: (): never => {
          throw new ResourceNotFoundException({ message: 'gone', ...metadata(1) });
        },
      };
      expect(await rejection(on(client).get('k'))).to.include({
        code: 'REQUEST_FAILED',
        awsCode: 'ResourceNotFoundException',
      });
    });
  });

  describe('abort', () => {
    it('an already-aborted signal sends nothing', async () => {
      const { client, sent } = fakeClient({});
      const controller = new AbortController();
      controller.abort(new Error('not now'));
      const err = await rejection(on(client).get('k', { signal: controller.signal }));
      expect(err.code).to.equal('ABORTED');
      expect(sent).to.have.length(0);
    });

    for (const [who, sdkFirst] of [
      ['ABORTED at once, however late the SDK settles', false],
      ["ABORTED, not the SDK's AbortError, when the SDK rejects first", true],
    ] as const) {
      it(`an abort in flight: ${who}`, async () => {
        let sdkAbortError: Error | undefined;
        const client = {
          config: {},
          middlewareStack: {},
          send: (_command: object, options?: { abortSignal?: AbortSignal }): Promise<unknown> =>
            new Promise((_, reject) => {
              const rejectAsV3 = (): void => {
                sdkAbortError = Object.assign(new Error('Request aborted'), { name: 'AbortError' });
                reject(sdkAbortError);
              };
              // v3 listens from inside send, before the adapter does; or it settles only later (its backoff).
              if (sdkFirst) options?.abortSignal?.addEventListener('abort', rejectAsV3);
              else options?.abortSignal?.addEventListener('abort', () => setTimeout(rejectAsV3, 20));
            }),
        };
        const controller = new AbortController();
        const pending = on(client).get('k', { signal: controller.signal });
        setTimeout(() => controller.abort(new Error('gave up')), 5);
        const err = await rejection(pending);
        expect(err.code).to.equal('ABORTED');
        expect((err.cause as Error).message).to.equal('gave up');
        // Settled by the abort itself, not by the SDK's rejection: none had come yet, when it comes later.
        if (!sdkFirst) expect(sdkAbortError).to.equal(undefined);
        await new Promise((r) => setTimeout(r, 40));
        expect(sdkAbortError?.name).to.equal('AbortError');
      });
    }
  });
});

describe('dynastore/v3', () => {
  describe("marshalStruct and unmarshalStruct (dynastore's own, the same as the root entry's)", () => {
    it('convert as v3 did: sets, bytes, bigint, classes as maps, undefined left out', () => {
      class Point {
        constructor(
          readonly x: number,
          readonly y: number,
        ) {}
      }
      const value = marshalStruct({
        s: 'a',
        n: 1.5,
        set: new Set(['x']),
        bytes: new Uint8Array([1]),
        big: 2n ** 60n,
        at: new Point(1, 2),
        gone: undefined,
      });
      expect(value).to.deep.equal({
        M: {
          s: { S: 'a' },
          n: { N: '1.5' },
          set: { SS: ['x'] },
          bytes: { B: new Uint8Array([1]) },
          big: { N: String(2n ** 60n) },
          at: { M: { x: { N: '1' }, y: { N: '2' } } },
        },
      });
      expect(unmarshalStruct(value)).to.deep.equal({
        s: 'a',
        n: 1.5,
        set: new Set(['x']),
        bytes: new Uint8Array([1]),
        big: 2n ** 60n,
        at: { x: 1, y: 2 },
      });
    });

    it('refuse what is not an object or a map attribute value: INVALID_ARGUMENT', () => {
      for (const bad of [null, 5, 'x', [1]]) {
        expect(() => marshalStruct(bad as never))
          .to.throw(DynastoreError)
          .with.property('code', 'INVALID_ARGUMENT');
      }
      for (const bad of [undefined, { S: 'x' }, { M: null }, { M: [] }]) {
        expect(() => unmarshalStruct(bad as never))
          .to.throw(DynastoreError)
          .with.property('code', 'INVALID_ARGUMENT');
      }
    });

    it('refuse NaN, an unsafe integer and a fraction no number holds with INVALID_ARGUMENT naming the path', () => {
      for (const bad of [{ n: Number.NaN }, { n: 2 ** 60 }]) {
        const err = (() => {
          try {
            marshalStruct(bad);
          } catch (e) {
            return e as DynastoreError;
          }
          return expect.fail('marshalStruct should refuse it');
        })();
        expect(err.code).to.equal('INVALID_ARGUMENT');
        expect(err.message).to.include('value.n');
      }
      expect(() => unmarshalStruct({ M: { n: { N: '12345678901234567890.5' } } }))
        .to.throw(DynastoreError)
        .with.property('code', 'INVALID_ARGUMENT');
    });
  });

  describe('dynamoDBClient', () => {
    it('builds a DynamoDBClient with cached middleware, which the config can turn off', async () => {
      const client = dynamoDBClient({ region: 'eu-west-1' });
      const plain = dynamoDBClient({ region: 'eu-west-1', cacheMiddleware: false });
      const empty = dynamoDBClient();
      try {
        expect(client).to.be.instanceOf(DynamoDBClient);
        expect(client.config.cacheMiddleware).to.equal(true);
        expect(await client.config.region()).to.equal('eu-west-1');
        expect(plain.config.cacheMiddleware).to.equal(false);
        expect(empty.config.cacheMiddleware).to.equal(true);
      } finally {
        client.destroy();
        plain.destroy();
        empty.destroy();
      }
    });

    it('refuses a config that is not an object', () => {
      for (const bad of [null, 'eu-west-1', 5, []]) {
        expect(() => dynamoDBClient(bad as never))
          .to.throw(DynastoreError)
          .with.property('code', 'INVALID_ARGUMENT');
      }
    });
  });
});
