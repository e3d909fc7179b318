// putMany and deleteMany against real servers, on both SDKs: 60 items in
// three requests, version 0 as no attribute, and writes the server leaves
// unprocessed retried until they land.
import { expect } from 'chai';
import type DynamoDB from 'aws-sdk/clients/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import AWS from 'aws-sdk';
import { Session, type PutManyItem, type RequestParams } from '../../lib';
import { forEachTarget, v2Config, v3Config } from '../helpers/sdk';
import { createTable, rawClient } from '../helpers/server';

const items = (n: number): PutManyItem[] =>
  Array.from({ length: n }, (_, i) => ({ key: `k${String(i).padStart(2, '0')}`, version: i + 1, value: `v${i}` }));

type Writes = Record<string, unknown[]>;

/**
 * Leaves all but the first `keep` writes of each of the first `times`
 * BatchWriteItem requests unprocessed: sends only those `keep` on to the
 * server, and answers the rest as UnprocessedItems.
 */
function unprocessing(
  keep: number,
  times: number,
): (input: { RequestItems: Writes }) => {
  input: { RequestItems: Writes };
  left: Writes;
} {
  let n = 0;
  return (input) => {
    if (++n > times) return { input, left: {} };
    const sent: Writes = {};
    const left: Writes = {};
    for (const [table, writes] of Object.entries(input.RequestItems)) {
      sent[table] = writes.slice(0, keep);
      if (writes.length > keep) left[table] = writes.slice(keep);
    }
    return { input: { ...input, RequestItems: sent }, left };
  };
}

forEachTarget('putMany and deleteMany', (target) => {
  let ddb: DynamoDB;
  let endpoint: string;
  let tableName: string;
  let n = 0;
  const sent: RequestParams[] = [];

  before(async () => {
    endpoint = await target.server.endpoint();
    ddb = rawClient(endpoint);
    tableName = await createTable(ddb, 'batch-write');
  });

  beforeEach(() => {
    sent.length = 0;
  });

  const partition = (session: Session<object>): ReturnType<ReturnType<Session<object>['table']>['partition']> =>
    session.table(tableName).partition(`p${++n}`);

  it('writes 60 items in three requests and deletes them in three more', async () => {
    const p = partition(target.session(endpoint, { hooks: { requestBuilt: (_c, params) => void sent.push(params) } }));
    expect(await p.putMany(items(60))).to.equal(60);
    expect(sent).to.have.length(3);
    const stored = [];
    for await (const kv of p.iterate('')) stored.push([kv.key, kv.version, kv.stringValue()]);
    expect(stored).to.deep.equal(items(60).map((i) => [i.key, i.version, i.value]));
    expect(await p.deleteMany(items(60).map((i) => i.key))).to.equal(60);
    expect(sent.filter((params) => 'RequestItems' in params)).to.have.length(6);
    expect((await p.listPage('')).keys).to.deep.equal([]);
  });

  it('version 0 writes no version attribute; an item replaces what was stored', async () => {
    const p = partition(target.session(endpoint));
    await p.put('m', writeFields());
    await p.putMany([{ key: 'm', version: 0 }]);
    const { Item } = await ddb
      .getItem({ TableName: tableName, Key: { id: { S: p.partitionName }, name: { S: 'm' } }, ConsistentRead: true })
      .promise();
    expect(Item).to.deep.equal({ id: { S: p.partitionName }, name: { S: 'm' } });
    expect((await p.get('m')).version).to.equal(0);
  });

  it('retries writes the server left unprocessed until all land, in order', async () => {
    const leave = unprocessing(10, 3);
    let session: Session<object>;
    if (target.sdk === 'v2') {
      const client = new AWS.DynamoDB(v2Config(endpoint));
      const original = client.batchWriteItem.bind(client);
      client.batchWriteItem = ((params: { RequestItems: Writes }) => {
        const { input, left } = leave(params);
        const request = original(input as never);
        const promise = request.promise.bind(request);
        return Object.assign(request, {
          promise: async () => ({ ...(await promise()), UnprocessedItems: left }),
        });
      }) as never;
      session = new Session({ client });
    } else {
      const client = new DynamoDBClient(v3Config(endpoint));
      const send = client.send.bind(client);
      client.send = (async (command: { input: { RequestItems: Writes } }, options?: unknown) => {
        if (command.constructor.name !== 'BatchWriteItemCommand') return send(command as never, options as never);
        const { input, left } = leave(command.input);
        command.input = input;
        return { ...(await send(command as never, options as never)), UnprocessedItems: left };
      }) as never;
      session = new Session({ client });
    }
    const progress: number[] = [];
    const p = partition(session);
    expect(await p.putMany(items(60), { onProgress: (done) => void progress.push(done) })).to.equal(60);
    // 10 of 25, 10 of the 15 left, the last 5; then the next chunks whole.
    expect(progress).to.deep.equal([10, 20, 25, 50, 60]);
    const stored = [];
    for await (const kv of p.iterate('')) stored.push(kv.key);
    expect(stored).to.deep.equal(items(60).map((i) => i.key));
  });
});

function writeFields(): { value: string; fields: Record<string, string> } {
  return { value: 'old', fields: { f: 'x' } };
}
