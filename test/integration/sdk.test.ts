// aws-sdk v3 beside v2, against each real server: a write whose reply is
// lost, and which v3 retries, is answered exactly (v3 reports the attempts
// on the error); REQUEST_FAILED names what failed alike on both SDKs; what
// one SDK writes, the other reads the same. The v3 parts run when
// DYNASTORE_TEST_SDKS includes v3, the comparisons when it includes both.
import { expect } from 'chai';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  marshalStruct as marshalStructV2,
  Session,
  unmarshalStruct as unmarshalStructV2,
  writeWithAttributeValue,
  writeWithFields,
  writeWithPreviousKV,
  writeWithString,
  writeWithTTL,
  type DynastoreError,
  type KVPair,
  type Partition,
} from '../../lib';
import { dynamoDBClient, marshalStruct, unmarshalStruct } from '../../lib/v3';
import { codeOf, rejection } from '../helpers/expect';
import { faultProxy, type Fault, type FaultProxy, type Plan } from '../helpers/proxy';
import { record } from '../helpers/report';
import { sdkSession, sdks, v3Config, type Sdk, type TargetSessionOptions } from '../helpers/sdk';
import { createTable, rawClient, servers } from '../helpers/server';

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);
const withV3 = sdks.includes('v3') ? describe : describe.skip;
const withBoth = sdks.includes('v2') && sdks.includes('v3') ? describe : describe.skip;
const throttled: Fault = { status: 400, type: 'ProvisionedThroughputExceededException', message: 'slow down' };
const internal: Fault = { status: 500, type: 'InternalServerError', message: 'try later' };

/** Bytes as an array of numbers, whichever class holds them, so pairs read on either SDK compare. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: [...value] };
  if (value instanceof Set) return { set: [...(value as Set<unknown>)].map(plain) };
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** A pair as a plain object. */
function view(kv: KVPair | undefined): unknown {
  if (kv === undefined) return undefined;
  const { partition, key, version, expires, value, fields } = kv;
  return plain({ partition, key, version, expires, value, fields });
}

/** The DynastoreError each SDK fails with, running the same operation. */
async function onBoth(run: (sdk: Sdk) => Promise<unknown>): Promise<Record<Sdk, DynastoreError>> {
  return { v2: await rejection(run('v2')), v3: await rejection(run('v3')) };
}

/** What an SDK's own error calls itself: v2's `code`, v3's `name`. */
function ownName(sdk: Sdk, err: DynastoreError): unknown {
  const cause = err.cause as { code?: unknown; name?: unknown };
  return sdk === 'v2' ? cause.code : cause.name;
}

/** Sessions a suite builds, each closed after it. */
class Sessions {
  private readonly closers: Array<() => void> = [];

  /** A partition of `tableName` on `sdk` against `endpoint`. */
  partition(sdk: Sdk, endpoint: string, tableName: string, options?: TargetSessionOptions): Partition {
    const { session, close } = sdkSession(sdk, endpoint, options);
    this.closers.push(close);
    return session.table(tableName).partition('p');
  }

  /** A partition of `tableName` on a v3 client the test made. */
  onClient(client: DynamoDBClient, tableName: string): Partition {
    this.closers.push(() => client.destroy());
    return new Session({ client }).table(tableName).partition('p');
  }

  close(): void {
    for (const close of this.closers.splice(0)) close();
  }
}

for (const server of servers) {
  describe(`aws-sdk v3 beside v2 [${server.name}]`, () => {
    let endpoint: string;
    let tableName: string;
    let proxy: FaultProxy;
    /** The plan of the test under way; the proxy asks it. */
    let plan: Plan = () => 'forward';
    const sessions = new Sessions();
    let n = 0;
    const fresh = (): string => `k${++n}`;
    const direct = (sdk: Sdk): Partition => sessions.partition(sdk, endpoint, tableName);

    before(async () => {
      endpoint = await server.endpoint();
      tableName = await createTable(rawClient(endpoint), 'sdk');
      proxy = await faultProxy(endpoint, (i, request) => plan(i, request));
    });

    after(async () => {
      sessions.close();
      await proxy.close();
    });

    afterEach(() => {
      plan = () => 'forward';
    });

    /**
     * Loses the replies of the next `times` writes, each forwarded and
     * applied first; `other` runs before the first of them reaches the server.
     */
    const loseWrites = (times: number, other?: () => Promise<unknown>): { lost: number } => {
      const losses = { lost: 0 };
      let first = other;
      plan = async (_, { command }) => {
        if (!WRITES.has(command) || losses.lost === times) return 'forward';
        losses.lost++;
        const run = first;
        first = undefined;
        if (run !== undefined) await run();
        return 'lose-reply';
      };
      return losses;
    };

    withV3('lost replies on v3, at its default retry settings', () => {
      for (const times of [1, 2]) {
        it(`v3 reports ${times + 1} attempts on the ConditionalCheckFailedException of a create whose reply was lost ${times === 1 ? 'once' : 'twice'}`, async function () {
          const client = new DynamoDBClient(v3Config(proxy.endpoint));
          try {
            const losses = loseWrites(times);
            const failure: unknown = await client
              .send(
                new PutItemCommand({
                  TableName: tableName,
                  Item: { id: { S: 'p' }, name: { S: fresh() }, version: { N: '1' }, payload: { B: Buffer.from('b') } },
                  ConditionExpression: 'attribute_not_exists(id)',
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                }),
              )
              .then(
                () => expect.fail('the retry meets the first attempt, so its condition fails'),
                (err: unknown) => err,
              );
            const err = failure as {
              name?: string;
              $metadata?: { attempts?: number };
              Item?: Record<string, { B?: Uint8Array }>;
            };
            expect(losses.lost).to.equal(times);
            expect(err.name).to.equal('ConditionalCheckFailedException');
            expect(err.$metadata?.attempts).to.equal(times + 1);
            if (server.returnsOldItem) {
              // Parsed like any output: bytes as a Uint8Array, not base64 text as v2 leaves them on its error.
              expect(err.Item?.payload?.B).to.be.instanceOf(Uint8Array);
              expect(Buffer.from(err.Item?.payload?.B ?? []).toString()).to.equal('b');
            } else {
              expect(err.Item).to.equal(undefined);
            }
            record(
              this,
              `v3-attempts-${server.name}`,
              `v3 ConditionalCheckFailedExceptions after lost replies that report every attempt, on ${server.name}`,
              1,
            );
          } finally {
            client.destroy();
          }
        });
      }

      const clients: Array<[string, () => DynamoDBClient]> = [
        ['a DynamoDBClient', () => new DynamoDBClient(v3Config(proxy.endpoint))],
        ['dynamoDBClient() (middleware cached)', () => dynamoDBClient(v3Config(proxy.endpoint))],
      ];
      for (const [clientName, client] of clients) {
        for (const times of [1, 2]) {
          const lost = times === 1 ? 'once' : 'twice';

          it(`atomicPut create on ${clientName}, its reply lost ${lost}: the created pair, as stored`, async function () {
            const through = sessions.onClient(client(), tableName);
            const k = fresh();
            const losses = loseWrites(times);
            const created = await through.atomicPut(k, writeWithString('new'), writeWithFields({ f: 'x' }));
            expect(losses.lost).to.equal(times);
            expect(created).to.include({ key: k, version: 1 });
            expect(view(created)).to.deep.equal(view(await direct('v2').get(k)));
            record(
              this,
              `v3-exact-${server.name}`,
              `v3 writes retried after a lost reply, answered exactly, on ${server.name}`,
              1,
            );
          });

          it(`atomicPut with previous on ${clientName}, its reply lost ${lost}: the new pair, as stored`, async function () {
            const through = sessions.onClient(client(), tableName);
            const k = fresh();
            const previous = await direct('v2').atomicPut(k, writeWithString('old'));
            const losses = loseWrites(times);
            const updated = await through.atomicPut(k, writeWithString('new'), writeWithPreviousKV(previous));
            expect(losses.lost).to.equal(times);
            expect(updated).to.include({ version: 2 });
            expect(updated.stringValue()).to.equal('new');
            expect(view(updated)).to.deep.equal(view(await direct('v2').get(k)));
            record(
              this,
              `v3-exact-${server.name}`,
              `v3 writes retried after a lost reply, answered exactly, on ${server.name}`,
              1,
            );
          });

          it(`atomicDelete with previous on ${clientName}, its reply lost ${lost}: true, and the item is gone`, async function () {
            const through = sessions.onClient(client(), tableName);
            const k = fresh();
            const previous = await direct('v2').atomicPut(k, writeWithString('old'));
            const losses = loseWrites(times);
            expect(await through.atomicDelete(k, previous)).to.equal(true);
            expect(losses.lost).to.equal(times);
            expect(await direct('v2').exists(k)).to.equal(false);
            record(
              this,
              `v3-exact-${server.name}`,
              `v3 writes retried after a lost reply, answered exactly, on ${server.name}`,
              1,
            );
          });
        }
      }

      it('control: another writer created the key first, our reply lost once: KEY_EXISTS, theirs stays', async () => {
        const through = sessions.onClient(new DynamoDBClient(v3Config(proxy.endpoint)), tableName);
        const k = fresh();
        const losses = loseWrites(1, () => direct('v2').atomicPut(k, writeWithString('theirs')));
        expect(await codeOf(through.atomicPut(k, writeWithString('ours')))).to.equal('KEY_EXISTS');
        expect(losses.lost).to.equal(1);
        expect((await direct('v2').get(k)).stringValue()).to.equal('theirs');
      });
    });

    withBoth('awsCode: the same from both SDKs', () => {
      it('ProvisionedThroughputExceededException through the proxy, once the retries run out', async () => {
        plan = () => throttled;
        const errs = await onBoth((sdk) =>
          sessions.partition(sdk, proxy.endpoint, tableName, { retries: 1, backoff: 1 }).get(fresh()),
        );
        for (const sdk of ['v2', 'v3'] as const) {
          expect(errs[sdk]).to.include({ code: 'REQUEST_FAILED', awsCode: 'ProvisionedThroughputExceededException' });
          expect(ownName(sdk, errs[sdk])).to.equal('ProvisionedThroughputExceededException');
          expect((errs[sdk].cause as Error).message).to.equal('slow down');
        }
      });

      it('InternalServerError through the proxy', async () => {
        plan = () => internal;
        const errs = await onBoth((sdk) =>
          sessions.partition(sdk, proxy.endpoint, tableName, { retries: 0 }).put(fresh(), writeWithString('x')),
        );
        expect(errs.v2.awsCode).to.equal('InternalServerError');
        expect(errs.v3.awsCode).to.equal('InternalServerError');
      });

      it('ResourceNotFoundException on a table the server does not have, from the server itself', async () => {
        const errs = await onBoth((sdk) => {
          const { session, close } = sdkSession(sdk, proxy.endpoint);
          return session.table('no-such-table').partition('p').get('k').finally(close);
        });
        expect(errs.v2).to.include({ code: 'REQUEST_FAILED', awsCode: 'ResourceNotFoundException' });
        expect(errs.v3).to.include({ code: 'REQUEST_FAILED', awsCode: 'ResourceNotFoundException' });
        expect(ownName('v2', errs.v2)).to.equal('ResourceNotFoundException');
        expect(ownName('v3', errs.v3)).to.equal('ResourceNotFoundException');
      });

      it('a connection dropped before any answer, on every attempt: TimeoutError', async () => {
        // A plan that throws makes the proxy drop the connection.
        plan = () => {
          throw new Error('drop');
        };
        const errs = await onBoth((sdk) =>
          sessions.partition(sdk, proxy.endpoint, tableName, { retries: 1, backoff: 1 }).get(fresh()),
        );
        expect(errs.v2.awsCode).to.equal('TimeoutError');
        expect(errs.v3.awsCode).to.equal('TimeoutError');
        // Node's "socket hang up" underneath both.
        expect((errs.v2.cause as Error).message).to.equal('socket hang up');
        expect((errs.v3.cause as Error).message).to.equal('socket hang up');
      });
    });

    withBoth('what one SDK writes, the other reads the same', () => {
      it('a pair with a binary payload, fields of each kind and a TTL', async () => {
        const fields = { s: 'text', n: 12.5, b: true, bytes: new Uint8Array([0, 1, 254, 255]) };
        for (const [writer, reader] of [
          ['v2', 'v3'],
          ['v3', 'v2'],
        ] as const) {
          const k = fresh();
          const written = await direct(writer).atomicPut(
            k,
            writeWithAttributeValue({ B: Buffer.from([9, 8, 7]) }),
            writeWithFields(fields),
            writeWithTTL(3_600_000),
          );
          const read = await direct(reader).get(k);
          expect(view(read), `${writer} → ${reader}`).to.deep.equal(view(written));
          expect([...(read.bytesValue() ?? [])]).to.deep.equal([9, 8, 7]);
          expect(plain(read.decodeFields())).to.deep.equal(plain(fields));
          const listed = (await direct(reader).listPage(k)).keys[0];
          expect(view(listed)).to.deep.equal(view(written));
          expect(view((await direct(reader).getMany([k]))[0])).to.deep.equal(view(written));
        }
      });

      it('a compare-and-swap on one SDK with the pair the other read', async () => {
        const k = fresh();
        const v1 = await direct('v3').atomicPut(k, writeWithString('1'));
        const v2 = await direct('v2').atomicPut(
          k,
          writeWithString('2'),
          writeWithPreviousKV(await direct('v2').get(k)),
        );
        const v3 = await direct('v3').atomicPut(k, writeWithString('3'), writeWithPreviousKV(v2));
        expect([v1.version, v2.version, v3.version]).to.deep.equal([1, 2, 3]);
        expect(await codeOf(direct('v2').atomicPut(k, writeWithString('x'), writeWithPreviousKV(v2)))).to.equal(
          'KEY_MODIFIED',
        );
        expect(await direct('v2').atomicDelete(k, v3)).to.equal(true);
      });

      it("dynastore/v3's marshalStruct stores what the root one stores, and reads back with v3's types", async () => {
        const doc = { name: 'welcome', tags: ['a', 'b'], visits: 2, nested: { ok: true, none: null }, gone: undefined };
        expect(marshalStruct(doc)).to.deep.equal(marshalStructV2(doc));
        const k = fresh();
        const rich = { ...doc, labels: new Set(['x', 'y']), big: 2n ** 60n, bytes: new Uint8Array([1, 2]) };
        await direct('v3').put(k, writeWithAttributeValue(marshalStruct(rich)));
        const read = await direct('v3').get(k);
        const expected = { name: 'welcome', tags: ['a', 'b'], visits: 2, nested: { ok: true, none: null } };
        expect(unmarshalStruct(read.value)).to.deep.equal({
          ...expected,
          labels: rich.labels,
          big: rich.big,
          bytes: rich.bytes,
        });
        expect(read.decodeValue()).to.deep.equal(unmarshalStruct(read.value));
        // The root entry's unmarshalStruct is the very same function: the same types.
        expect(unmarshalStructV2(read.value)).to.deep.equal(unmarshalStruct(read.value));
      });
    });

    withV3('dynamoDBClient()', () => {
      it('resolves its middleware once, and answers a concurrent mix of operations, with and without signals, exactly', async function () {
        const client = dynamoDBClient(v3Config(endpoint));
        expect(client.config.cacheMiddleware).to.equal(true);
        const p = sessions.onClient(client, tableName);
        const base = fresh();
        await Promise.all(
          Array.from({ length: 24 }, async (_, i) => {
            const k = `${base}/${String(i).padStart(2, '0')}`;
            const signal = i % 3 === 0 ? new AbortController().signal : undefined;
            const created = await p.atomicPut(k, writeWithString(String(i)), { signal });
            expect(view(await p.get(k, { signal }))).to.deep.equal(view(created));
            const updated = await p.atomicPut(k, writeWithString(`${i}!`), writeWithPreviousKV(created));
            expect(view((await p.listPage(k)).keys[0])).to.deep.equal(view(updated));
            expect(view((await p.getMany([k]))[0])).to.deep.equal(view(updated));
            expect(await codeOf(p.atomicPut(k, writeWithPreviousKV(created)))).to.equal('KEY_MODIFIED');
            expect(await p.atomicDelete(k, updated, { signal })).to.equal(true);
            expect(await p.exists(k)).to.equal(false);
          }),
        );
        record(
          this,
          `v3-cached-${server.name}`,
          `operations through a v3 client with cached middleware on ${server.name}, all exact`,
          24 * 8,
        );
      });
    });
  });
}

withBoth('awsCode of network failures: the same from both SDKs', () => {
  const listen = (s: Server): Promise<number> =>
    new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));
  const sessions = new Sessions();

  after(() => sessions.close());

  it('nobody listening: NetworkingError', async () => {
    const closed = createServer();
    const port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const errs = await onBoth((sdk) =>
      sessions.partition(sdk, `http://127.0.0.1:${port}`, 'agents', { retries: 1, backoff: 1 }).get('k'),
    );
    expect(errs.v2).to.include({ code: 'REQUEST_FAILED', awsCode: 'NetworkingError' });
    expect(errs.v3).to.include({ code: 'REQUEST_FAILED', awsCode: 'NetworkingError' });
    // What each SDK says underneath: v2 calls it UnknownEndpoint, v3 passes Node's error on.
    expect(ownName('v2', errs.v2)).to.equal('UnknownEndpoint');
    expect((errs.v3.cause as { code?: string }).code).to.equal('ECONNREFUSED');
  });

  it('a server that does not answer within the timeout: TimeoutError', async () => {
    const silent = createServer(() => undefined);
    const port = await listen(silent);
    try {
      const errs = await onBoth((sdk) =>
        sessions
          .partition(sdk, `http://127.0.0.1:${port}`, 'agents', { retries: 1, backoff: 1, timeout: 100 })
          .get('k'),
      );
      expect(errs.v2).to.include({ code: 'REQUEST_FAILED', awsCode: 'TimeoutError' });
      expect(errs.v3).to.include({ code: 'REQUEST_FAILED', awsCode: 'TimeoutError' });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
