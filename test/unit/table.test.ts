import { expect } from 'chai';
import { EventEmitter } from 'node:events';
import {
  DynastoreError,
  KVPair,
  Partition,
  Session,
  Table,
  operationName,
  readConsistentDisable,
  readScanIndexForwardDisable,
  readWithGlobalIndex,
  readWithLimit,
  readWithLocalIndex,
  writeWithAttributeValue,
  writeWithBytes,
  writeWithFields,
  writeWithPreviousKV,
  writeWithString,
  writeWithTTL,
  type RequestContext,
  type RequestParams,
} from '../../lib';
import { rejection } from '../helpers/expect';
import { awsError, mockedSession, restoreMocks } from '../helpers/mock';

const NOW = 1_700_000_000_123; // ms
const NOW_S = '1700000000';
const clock = (): number => NOW;
const T = 'agents';
const KEY = { id: { S: 'users' }, name: { S: 'user/1' } };

describe('Table requests (mocked DynamoDB)', () => {
  afterEach(restoreMocks);

  describe('put', () => {
    it('is one UpdateItem: SET payload and fields, SET expires from ttl, ADD version, unless expired', async () => {
      const { session, calls } = mockedSession({ updateItem: {} }, { clock });
      await session
        .table(T)
        .partition('users')
        .put(
          'user/1',
          writeWithString('hello'),
          writeWithFields({ created: '2020', n: 5, ok: true }),
          writeWithTTL(1500),
        );
      expect(calls).to.deep.equal([
        {
          command: 'updateItem',
          params: {
            TableName: T,
            Key: KEY,
            UpdateExpression: 'SET #n0 = :v0, #n1 = :v1, #n2 = :v2, #n3 = :v3, #n4 = :v4 ADD #n5 :v5',
            ConditionExpression: 'NOT (#n4 <= :v6)',
            ExpressionAttributeNames: {
              '#n0': 'payload',
              '#n1': 'created',
              '#n2': 'n',
              '#n3': 'ok',
              '#n4': 'expires',
              '#n5': 'version',
            },
            ExpressionAttributeValues: {
              ':v0': { S: 'hello' },
              ':v1': { S: '2020' },
              ':v2': { N: '5' },
              ':v3': { BOOL: true },
              // 1700000000.123 s + 1.5 s, rounded up: never earlier than asked
              ':v4': { N: '1700000002' },
              ':v5': { N: '1' },
              ':v6': { N: NOW_S },
            },
            ReturnValues: 'ALL_NEW',
          },
        },
      ]);
    });

    it('removes expires when no ttl is given, and leaves an unset payload alone', async () => {
      const { session, calls } = mockedSession({ updateItem: {} }, { clock });
      await session.table(T).put('users', 'user/1');
      expect(calls[0]?.params).to.include({
        UpdateExpression: 'REMOVE #n0 ADD #n1 :v0',
        ConditionExpression: 'NOT (#n0 <= :v1)',
      });
      expect(calls[0]?.params.ExpressionAttributeNames).to.deep.equal({
        '#n0': 'expires',
        '#n1': 'version',
      });
    });

    it('with keepTtl neither sets nor removes expires, which the condition still reads', async () => {
      const { session, calls } = mockedSession({ updateItem: {} }, { clock });
      await session.table(T).put('users', 'user/1', writeWithString('v'), { keepTtl: true });
      expect(calls[0]?.params).to.include({
        UpdateExpression: 'SET #n0 = :v0 ADD #n1 :v1',
        ConditionExpression: 'NOT (#n2 <= :v2)',
        ReturnValues: 'ALL_NEW',
      });
      expect(calls[0]?.params.ExpressionAttributeNames).to.deep.equal({
        '#n0': 'payload',
        '#n1': 'version',
        '#n2': 'expires',
      });
    });

    it('stores bytes as standard base64 in S, as Go does', async () => {
      const { session, calls } = mockedSession({ updateItem: {} }, { clock });
      await session.table(T).put('users', 'user/1', writeWithBytes(Buffer.from([0xfb, 0xff, 0x00])));
      expect((calls[0]?.params.ExpressionAttributeValues as Record<string, unknown>)[':v0']).to.deep.equal({
        S: '+/8A',
      });
    });

    it('replaces an expired item whole with a conditional PutItem (version 1)', async () => {
      const { session, calls } = mockedSession(
        {
          updateItem: () => {
            throw awsError('ConditionalCheckFailedException', 'expired');
          },
          putItem: {},
        },
        { clock },
      );
      await session.table(T).put('users', 'user/1', writeWithString('fresh'), writeWithFields({ a: 'b' }));
      expect(calls.map((c) => c.command)).to.deep.equal(['updateItem', 'putItem']);
      expect(calls[1]?.params).to.deep.equal({
        TableName: T,
        Item: {
          a: { S: 'b' },
          id: { S: 'users' },
          name: { S: 'user/1' },
          version: { N: '1' },
          payload: { S: 'fresh' },
        },
        ConditionExpression: 'attribute_not_exists(#n0) OR #n1 <= :v0',
        ExpressionAttributeNames: { '#n0': 'id', '#n1': 'expires' },
        ExpressionAttributeValues: { ':v0': { N: NOW_S } },
      });
    });

    it('gives up with REQUEST_FAILED if the item flips between live and expired five times', async () => {
      const failed = (): never => {
        throw awsError('ConditionalCheckFailedException', 'no');
      };
      const { session, calls } = mockedSession({ updateItem: failed, putItem: failed }, { clock });
      const err = await rejection(session.table(T).put('users', 'user/1'));
      expect(err.code).to.equal('REQUEST_FAILED');
      expect(calls).to.have.length(10);
    });

    it('refuses previous: a compare belongs to atomicPut', async () => {
      const { session, calls } = mockedSession({}, { clock });
      // @ts-expect-error -- put's options have no previous; from JavaScript it is refused at run time
      const err = await rejection(session.table(T).put('users', 'user/1', writeWithPreviousKV({ version: 1 })));
      expect(err.code).to.equal('INVALID_ARGUMENT');
      expect(calls).to.have.length(0);
    });
  });

  describe('get and exists', () => {
    const stored = { ...KEY, version: { N: '3' }, payload: { S: 'v' }, created: { S: '2020' } };

    it('get is one consistent GetItem and decodes the item', async () => {
      const { session, calls } = mockedSession({ getItem: { Item: stored } }, { clock });
      const kv = await session.table(T).get('users', 'user/1');
      expect(calls).to.deep.equal([{ command: 'getItem', params: { TableName: T, Key: KEY, ConsistentRead: true } }]);
      expect(kv).to.be.instanceOf(KVPair);
      expect(kv).to.include({ partition: 'users', key: 'user/1', version: 3, expires: 0 });
      expect(kv.stringValue()).to.equal('v');
      expect(kv.fields).to.deep.equal({ created: { S: '2020' } });
    });

    it('get sends ConsistentRead false when asked', async () => {
      const { session, calls } = mockedSession({ getItem: { Item: stored } }, { clock });
      await session.table(T).get('users', 'user/1', readConsistentDisable());
      expect(calls[0]?.params.ConsistentRead).to.equal(false);
    });

    it('get fails KEY_NOT_FOUND on an absent item and on an expired one', async () => {
      for (const Item of [undefined, { ...stored, expires: { N: NOW_S } }]) {
        const { session } = mockedSession({ getItem: Item ? { Item } : {} }, { clock });
        const err = await rejection(session.table(T).get('users', 'user/1'));
        expect(err.code).to.equal('KEY_NOT_FOUND');
        expect(err.message).to.contain('"user/1"');
        restoreMocks();
      }
    });

    it('get returns an item that expires in the future', async () => {
      const { session } = mockedSession({ getItem: { Item: { ...stored, expires: { N: '1700000001' } } } }, { clock });
      expect((await session.table(T).get('users', 'user/1')).expires).to.equal(1700000001);
    });

    it('exists is one GetItem projecting only id and expires', async () => {
      const { session, calls } = mockedSession({ getItem: { Item: { id: { S: 'users' } } } }, { clock });
      expect(await session.table(T).exists('users', 'user/1')).to.equal(true);
      expect(calls[0]?.params).to.deep.equal({
        TableName: T,
        Key: KEY,
        ConsistentRead: true,
        ProjectionExpression: '#n0, #n1',
        ExpressionAttributeNames: { '#n0': 'id', '#n1': 'expires' },
      });
    });

    it('exists is false for absent and expired items', async () => {
      for (const answer of [{}, { Item: {} }, { Item: { id: { S: 'users' }, expires: { N: '1699999999' } } }]) {
        const { session } = mockedSession({ getItem: answer }, { clock });
        expect(await session.table(T).exists('users', 'user/1')).to.equal(false);
        restoreMocks();
      }
    });

    it('get and exists refuse an index with INDEX_NOT_SUPPORTED, sending nothing', async () => {
      const { session, calls } = mockedSession({}, { clock });
      const t = session.table(T);
      for (const p of [
        // @ts-expect-error -- get's options have no index; from JavaScript it is refused at run time
        t.get('users', 'k', readWithLocalIndex('idx_created', 'created')),
        // @ts-expect-error -- exists's options have no index
        t.exists('users', 'k', readWithGlobalIndex('gsi', 'a', 'b')),
      ]) {
        expect((await rejection(p)).code).to.equal('INDEX_NOT_SUPPORTED');
      }
      expect(calls).to.have.length(0);
    });
  });

  describe('delete', () => {
    it('is one unconditional DeleteItem', async () => {
      const { session, calls } = mockedSession({ deleteItem: {} }, { clock });
      await session.table(T).partition('users').delete('user/1');
      expect(calls).to.deep.equal([{ command: 'deleteItem', params: { TableName: T, Key: KEY } }]);
    });
  });

  describe('listPage', () => {
    const items = [
      { id: { S: 'users' }, name: { S: 'user/1' }, version: { N: '1' } },
      { id: { S: 'users' }, name: { S: 'user/2' }, version: { N: '2' }, payload: { S: 'x' } },
    ];

    it('is one Query: begins_with on the sort key, expired items filtered out, consistent', async () => {
      const { session, calls } = mockedSession({ query: { Items: items } }, { clock });
      const page = await session.table(T).listPage('users', 'user/', readWithLimit(10), readScanIndexForwardDisable());
      expect(calls[0]?.params).to.deep.equal({
        TableName: T,
        KeyConditionExpression: '#n0 = :v0 AND begins_with(#n1, :v1)',
        FilterExpression: 'NOT (#n2 <= :v2)',
        ExpressionAttributeNames: { '#n0': 'id', '#n1': 'name', '#n2': 'expires' },
        ExpressionAttributeValues: { ':v0': { S: 'users' }, ':v1': { S: 'user/' }, ':v2': { N: NOW_S } },
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: 10,
      });
      expect(page.keys.map((k) => k.key)).to.deep.equal(['user/1', 'user/2']);
      expect(page.lastKey).to.equal(undefined);
    });

    it('leaves begins_with out for an empty prefix', async () => {
      const { session, calls } = mockedSession({ query: { Items: [] } }, { clock });
      const page = await session.table(T).listPage('users', '');
      expect(calls[0]?.params.KeyConditionExpression).to.equal('#n0 = :v0');
      expect(page).to.deep.equal({ keys: [] });
    });

    it('uses a local index sort key, consistently', async () => {
      const { session, calls } = mockedSession({ query: { Items: [] } }, { clock });
      await session.table(T).listPage('users', '2020', readWithLocalIndex('idx_created', 'created'));
      expect(calls[0]?.params).to.include({ IndexName: 'idx_created', ConsistentRead: true });
      expect(calls[0]?.params.ExpressionAttributeNames).to.deep.equal({
        '#n0': 'id',
        '#n1': 'created',
        '#n2': 'expires',
      });
    });

    it('never sends ConsistentRead for a global index, and matches the index partition', async () => {
      const { session, calls } = mockedSession({ query: { Items: [] } }, { clock });
      await session.table(T).listPage('wolfeidau', '2020', readWithGlobalIndex('idx_global_1', 'pk1', 'sk1'));
      expect(calls[0]?.params).to.include({ IndexName: 'idx_global_1' });
      expect(calls[0]?.params).not.to.have.property('ConsistentRead');
      expect(calls[0]?.params.ExpressionAttributeNames).to.deep.equal({ '#n0': 'pk1', '#n1': 'sk1', '#n2': 'expires' });
      expect(calls[0]?.params.ExpressionAttributeValues).to.deep.include({ ':v0': { S: 'wolfeidau' } });
    });

    it('turns LastEvaluatedKey into a token that the next call sends back as ExclusiveStartKey', async () => {
      const last = { id: { S: 'users' }, name: { S: 'user/2' } };
      const { session, calls } = mockedSession(
        { query: [{ Items: items, LastEvaluatedKey: last }, { Items: [] }] },
        { clock },
      );
      const t = session.table(T);
      const page = await t.listPage('users', 'user/', readWithLimit(2));
      expect(page.lastKey).to.be.a('string');
      await t.listPage('users', 'user/', readWithLimit(2), { startKey: page.lastKey });
      expect(calls[1]?.params.ExclusiveStartKey).to.deep.equal(last);
    });

    it('refuses a token of another partition or prefix before sending anything', async () => {
      const last = { id: { S: 'users' }, name: { S: 'user/2' } };
      const { session, calls } = mockedSession({ query: { Items: [], LastEvaluatedKey: last } }, { clock });
      const t = session.table(T);
      const { lastKey } = await t.listPage('users', 'user/');
      for (const p of [
        t.listPage('admins', 'user/', { startKey: lastKey }),
        t.listPage('users', 'group/', { startKey: lastKey }),
      ]) {
        expect((await rejection(p)).code).to.equal('INVALID_TOKEN');
      }
      expect(calls).to.have.length(1);
    });
  });

  describe('iterate and list', () => {
    const page = (n: number, last?: string): Record<string, unknown> => ({
      Items: [{ id: { S: 'p' }, name: { S: `k${n}` }, version: { N: '1' } }],
      ...(last ? { LastEvaluatedKey: { id: { S: 'p' }, name: { S: last } } } : {}),
    });

    it('iterate fetches pages lazily, one Query per page asked for', async () => {
      const { session, calls } = mockedSession({ query: [page(1, 'k1'), page(2, 'k2'), page(3)] }, { clock });
      const it = session.table(T).iterate('p', 'k', readWithLimit(1));
      expect(calls).to.have.length(0);
      const first = await it.next();
      expect(first.value).to.include({ key: 'k1' });
      expect(calls).to.have.length(1);
      const rest: string[] = [];
      for await (const kv of it) rest.push(kv.key);
      expect(rest).to.deep.equal(['k2', 'k3']);
      expect(calls.map((c) => c.params.ExclusiveStartKey)).to.deep.equal([
        undefined,
        { id: { S: 'p' }, name: { S: 'k1' } },
        { id: { S: 'p' }, name: { S: 'k2' } },
      ]);
    });

    it('iterate reports its requests to hooks as ListPage', async () => {
      const ops: string[] = [];
      const { session } = mockedSession(
        { query: [page(1, 'k1'), page(2)] },
        {
          clock,
          hooks: {
            requestBuilt: (ctx) => {
              ops.push(operationName(ctx));
            },
          },
        },
      );
      for await (const kv of session.table(T).iterate('p', 'k')) expect(kv.key).to.match(/^k/);
      expect(ops).to.deep.equal(['ListPage', 'ListPage']);
    });

    it('list gathers every page and reports its requests as List', async () => {
      const ops: string[] = [];
      const { session } = mockedSession(
        { query: [page(1, 'k1'), page(2)] },
        { clock, hooks: { requestBuilt: (ctx) => void ops.push(operationName(ctx)) } },
      );
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- testing the deprecated Go API
      const all = await session.table(T).partition('p').list('k');
      expect(all.map((k) => k.key)).to.deep.equal(['k1', 'k2']);
      expect(ops).to.deep.equal(['List', 'List']);
    });

    it('list fails KEY_NOT_FOUND when nothing matches, as Go does', async () => {
      const { session } = mockedSession({ query: { Items: [] } }, { clock });
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- testing the deprecated Go API
      expect((await rejection(session.table(T).list('p', 'nothing/'))).code).to.equal('KEY_NOT_FOUND');
    });
  });

  describe('atomicPut', () => {
    it('without previous is one conditional PutItem of the whole item and returns it', async () => {
      const { session, calls } = mockedSession({ putItem: {} }, { clock });
      const kv = await session
        .table(T)
        .atomicPut('users', 'user/1', writeWithString('v1'), writeWithFields({ created: 'c' }), writeWithTTL(60_000));
      expect(calls).to.deep.equal([
        {
          command: 'putItem',
          params: {
            TableName: T,
            Item: {
              created: { S: 'c' },
              id: { S: 'users' },
              name: { S: 'user/1' },
              version: { N: '1' },
              payload: { S: 'v1' },
              expires: { N: '1700000061' },
            },
            ConditionExpression: 'attribute_not_exists(#n0) OR #n1 <= :v0',
            ExpressionAttributeNames: { '#n0': 'id', '#n1': 'expires' },
            ExpressionAttributeValues: { ':v0': { N: NOW_S } },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      ]);
      expect(kv).to.include({ partition: 'users', key: 'user/1', version: 1, expires: 1700000061 });
      expect(kv.fields).to.deep.equal({ created: { S: 'c' } });
    });

    it('without previous fails KEY_EXISTS when the condition fails', async () => {
      const { session } = mockedSession(
        {
          putItem: () => {
            throw awsError('ConditionalCheckFailedException', 'x');
          },
        },
        { clock },
      );
      expect((await rejection(session.table(T).atomicPut('users', 'user/1'))).code).to.equal('KEY_EXISTS');
    });

    it('with previous is one conditional UpdateItem returning ALL_NEW', async () => {
      const { session, calls } = mockedSession(
        { updateItem: { Attributes: { ...KEY, version: { N: '4' }, payload: { S: 'v2' } } } },
        { clock },
      );
      const kv = await session
        .table(T)
        .atomicPut('users', 'user/1', writeWithString('v2'), writeWithPreviousKV({ version: 3 }));
      expect(calls).to.deep.equal([
        {
          command: 'updateItem',
          params: {
            TableName: T,
            Key: KEY,
            UpdateExpression: 'SET #n0 = :v1 REMOVE #n1 ADD #n2 :v2',
            ConditionExpression: '#n2 = :v3 AND NOT (#n1 <= :v0)',
            ExpressionAttributeNames: { '#n0': 'payload', '#n1': 'expires', '#n2': 'version' },
            ExpressionAttributeValues: {
              ':v0': { N: NOW_S },
              ':v1': { S: 'v2' },
              ':v2': { N: '1' },
              ':v3': { N: '3' },
            },
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      ]);
      expect(kv).to.include({ version: 4 });
      expect(kv.stringValue()).to.equal('v2');
    });

    it('tells KEY_MODIFIED from KEY_NOT_FOUND by the old item the server returns, with no second request', async () => {
      // What AWS and DynamoDB Local put in the error body when ReturnValuesOnConditionCheckFailure is ALL_OLD.
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ ...KEY, version: { N: '9' } }, 'KEY_MODIFIED'],
        [{ ...KEY, version: { N: '3' }, expires: { N: '1699999000' } }, 'KEY_NOT_FOUND'],
      ];
      for (const [Item, code] of cases) {
        const { session, calls } = mockedSession(
          {
            updateItem: () => {
              throw awsError('ConditionalCheckFailedException', 'x', { Item });
            },
          },
          { clock },
        );
        const err = await rejection(session.table(T).atomicPut('users', 'user/1', writeWithPreviousKV({ version: 3 })));
        expect(err.code).to.equal(code);
        expect(calls).to.have.length(1);
        restoreMocks();
      }
    });

    it('with no item to return, AWS leaves Item out: one consistent GetItem confirms KEY_NOT_FOUND', async () => {
      const { session, calls } = mockedSession(
        {
          updateItem: () => {
            throw awsError('ConditionalCheckFailedException', 'x');
          },
          getItem: {},
        },
        { clock },
      );
      const err = await rejection(session.table(T).atomicPut('users', 'user/1', writeWithPreviousKV({ version: 3 })));
      expect(err.code).to.equal('KEY_NOT_FOUND');
      expect(calls.map((c) => c.command)).to.deep.equal(['updateItem', 'getItem']);
    });

    it('falls back to one consistent GetItem when the server returns no old item (dynalite)', async () => {
      const { session, calls } = mockedSession(
        {
          updateItem: () => {
            throw awsError('ConditionalCheckFailedException', 'x');
          },
          getItem: { Item: { ...KEY, version: { N: '5' } } },
        },
        { clock },
      );
      const err = await rejection(session.table(T).atomicPut('users', 'user/1', writeWithPreviousKV({ version: 3 })));
      expect(err.code).to.equal('KEY_MODIFIED');
      expect(err.message).to.contain('expected version 3, found 5');
      expect(calls[1]).to.deep.equal({ command: 'getItem', params: { TableName: T, Key: KEY, ConsistentRead: true } });
    });

    it('refuses a previous that names another item', async () => {
      const { session, calls } = mockedSession({}, { clock });
      const other = new KVPair({ partition: 'users', key: 'user/2', version: 1 });
      const err = await rejection(session.table(T).atomicPut('users', 'user/1', writeWithPreviousKV(other)));
      expect(err.code).to.equal('INVALID_ARGUMENT');
      expect(calls).to.have.length(0);
    });

    it('stores a marshalled struct through writeWithAttributeValue', async () => {
      const { session, calls } = mockedSession({ putItem: {} }, { clock });
      await session.table(T).atomicPut('users', 'user/1', writeWithAttributeValue({ M: { a: { N: '1' } } }));
      expect((calls[0]?.params.Item as Record<string, unknown>).payload).to.deep.equal({ M: { a: { N: '1' } } });
    });
  });

  describe('atomicDelete', () => {
    it('with previous is one conditional DeleteItem and returns true', async () => {
      const { session, calls } = mockedSession({ deleteItem: {} }, { clock });
      expect(await session.table(T).atomicDelete('users', 'user/1', { version: 2 })).to.equal(true);
      expect(calls).to.deep.equal([
        {
          command: 'deleteItem',
          params: {
            TableName: T,
            Key: KEY,
            ConditionExpression: '#n0 = :v1 AND NOT (#n1 <= :v0)',
            ExpressionAttributeNames: { '#n0': 'version', '#n1': 'expires' },
            ExpressionAttributeValues: { ':v0': { N: NOW_S }, ':v1': { N: '2' } },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      ]);
    });

    it('with previous fails KEY_MODIFIED or KEY_NOT_FOUND', async () => {
      for (const [Item, code] of [
        [{ ...KEY, version: { N: '7' } }, 'KEY_MODIFIED'],
        [undefined, 'KEY_NOT_FOUND'],
      ] as const) {
        const { session } = mockedSession(
          {
            deleteItem: () => {
              throw awsError('ConditionalCheckFailedException', 'x');
            },
            getItem: Item ? { Item } : {},
          },
          { clock },
        );
        expect((await rejection(session.table(T).atomicDelete('users', 'user/1', { version: 2 }))).code).to.equal(code);
        restoreMocks();
      }
    });

    it('without previous is one DeleteItem asserting no live item: false, or KEY_EXISTS', async () => {
      const { session, calls } = mockedSession({ deleteItem: {} }, { clock });
      expect(await session.table(T).atomicDelete('users', 'user/1')).to.equal(false);
      expect(calls[0]?.params).to.deep.equal({
        TableName: T,
        Key: KEY,
        ConditionExpression: 'attribute_not_exists(#n0) OR #n1 <= :v0',
        ExpressionAttributeNames: { '#n0': 'id', '#n1': 'expires' },
        ExpressionAttributeValues: { ':v0': { N: NOW_S } },
      });
      restoreMocks();
      const failing = mockedSession(
        {
          deleteItem: () => {
            throw awsError('ConditionalCheckFailedException', 'x');
          },
        },
        { clock },
      );
      expect((await rejection(failing.session.table(T).atomicDelete('users', 'user/1'))).code).to.equal('KEY_EXISTS');
    });

    it('refuses a previous without a version (an options object in its place)', async () => {
      const { session, calls } = mockedSession({}, { clock });
      const err = await rejection(session.table(T).atomicDelete('users', 'user/1', { context: {} } as never));
      expect(err.code).to.equal('INVALID_ARGUMENT');
      expect(calls).to.have.length(0);
    });
  });

  describe('errors from DynamoDB', () => {
    it('maps any other failure to REQUEST_FAILED with the AWS error as cause', async () => {
      const aws = awsError('ProvisionedThroughputExceededException', 'slow down');
      const { session } = mockedSession(
        {
          getItem: () => {
            throw aws;
          },
        },
        { clock },
      );
      const err = await rejection(session.table(T).get('users', 'user/1'));
      expect(err.code).to.equal('REQUEST_FAILED');
      expect(err.cause).to.equal(aws);
      expect((err.cause as { code: string }).code).to.equal('ProvisionedThroughputExceededException');
      expect(err.message).to.contain('GetItem').and.contain('ProvisionedThroughputExceededException');
    });

    it('a failure of the fallback read is REQUEST_FAILED too', async () => {
      const { session } = mockedSession(
        {
          deleteItem: () => {
            throw awsError('ConditionalCheckFailedException', 'x');
          },
          getItem: () => {
            throw awsError('InternalServerError', 'boom');
          },
        },
        { clock },
      );
      expect((await rejection(session.table(T).atomicDelete('users', 'k', { version: 1 }))).code).to.equal(
        'REQUEST_FAILED',
      );
    });
  });

  describe('hooks and signals', () => {
    it('calls requestBuilt once per request with the exact params sent, the Go operation name and context values', async () => {
      const seen: Array<[RequestContext, RequestParams]> = [];
      const { session, calls } = mockedSession(
        {
          updateItem: {},
          getItem: { Item: { ...KEY, version: { N: '1' } } },
          query: { Items: [] },
          deleteItem: {},
          putItem: {},
        },
        { clock, hooks: { requestBuilt: (ctx, params) => void seen.push([ctx, params]) } },
      );
      const p = session.table(T).partition('users');
      await p.put('user/1', { context: { traceId: 't-1' } });
      await p.get('user/1');
      await p.exists('user/1');
      await p.listPage('');
      await p.delete('user/1');
      await p.atomicPut('user/1');
      await p.atomicDelete('user/1');
      expect(seen.map(([ctx]) => [operationName(ctx), ctx.command])).to.deep.equal([
        ['Put', 'UpdateItem'],
        ['Get', 'GetItem'],
        ['Exists', 'GetItem'],
        ['ListPage', 'Query'],
        ['Delete', 'DeleteItem'],
        ['AtomicPut', 'PutItem'],
        ['AtomicDelete', 'DeleteItem'],
      ]);
      expect(seen[0]?.[0].traceId).to.equal('t-1');
      expect(seen.map(([, params]) => params)).to.deep.equal(calls.map((c) => c.params));
    });

    it('hands a replacement context to the next request of the same operation', async () => {
      const contexts: RequestContext[] = [];
      const { session } = mockedSession(
        {
          updateItem: () => {
            throw awsError('ConditionalCheckFailedException', 'x');
          },
          getItem: {},
        },
        {
          clock,
          hooks: {
            requestBuilt(ctx) {
              contexts.push(ctx);
              return { ...ctx, span: 'opened' };
            },
          },
        },
      );
      await rejection(session.table(T).atomicPut('users', 'user/1', writeWithPreviousKV({ version: 1 })));
      expect(contexts.map((c) => [c.command, c.span])).to.deep.equal([
        ['UpdateItem', undefined],
        ['GetItem', 'opened'],
      ]);
    });

    it('an already-aborted signal fails ABORTED and sends nothing, not even to hooks', async () => {
      let hooked = 0;
      const { session, calls } = mockedSession(
        { getItem: {} },
        {
          clock,
          hooks: {
            requestBuilt: () => {
              hooked++;
            },
          },
        },
      );
      const reason = new Error('shutting down');
      const err = await rejection(session.table(T).get('users', 'user/1', { signal: AbortSignal.abort(reason) }));
      expect(err.code).to.equal('ABORTED');
      expect(err.cause).to.equal(reason);
      expect([calls.length, hooked]).to.deep.equal([0, 0]);
    });

    it('a hook returning a promise is refused before sending, and its rejection does not escape', async () => {
      const escaped: unknown[] = [];
      const onUnhandled = (reason: unknown): void => {
        escaped.push(reason);
      };
      process.on('unhandledRejection', onUnhandled);
      try {
        const { session, calls } = mockedSession(
          { getItem: {} },
          // A JavaScript caller can pass an async hook; the types say it must be synchronous.
          { clock, hooks: { requestBuilt: (() => Promise.reject(new Error('async hook failed'))) as never } },
        );
        const err = await rejection(session.table(T).get('users', 'user/1'));
        expect(err.code).to.equal('INVALID_ARGUMENT');
        expect(err.message).to.contain('synchronous');
        expect(calls).to.have.length(0);
        await new Promise((resolve) => setImmediate(resolve));
        expect(escaped).to.deep.equal([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    });

    it("a hook's stray return value (an arrow function's push count) does not replace the context", async () => {
      const seen: unknown[] = [];
      const { session } = mockedSession(
        {
          updateItem: () => {
            throw awsError('ConditionalCheckFailedException', 'x');
          },
          getItem: {},
        },
        { clock, hooks: { requestBuilt: (ctx) => seen.push(ctx.trace) as never } },
      );
      await rejection(
        session.table(T).atomicPut('users', 'user/1', { previous: { version: 1 }, context: { trace: 'T1' } }),
      );
      expect(seen).to.deep.equal(['T1', 'T1']);
    });

    it('leaves no abort listener behind on a long-lived signal', async () => {
      const controller = new AbortController();
      const { session } = mockedSession(
        {
          getItem: { Item: { ...KEY, version: { N: '1' } } },
          query: { Items: [] },
          deleteItem: () => {
            throw awsError('ConditionalCheckFailedException', 'x');
          },
        },
        { clock },
      );
      const t = session.table(T);
      const signal = controller.signal;
      for (let i = 0; i < 20; i++) {
        await t.get('users', 'user/1', { signal });
        await t.listPage('users', '', { signal });
        await rejection(t.atomicDelete('users', 'user/1', { version: 2 }, { signal }));
      }
      expect(EventEmitter.getEventListeners(signal, 'abort')).to.have.length(0);
    });

    it('a hook that throws fails the operation with its error and nothing is sent', async () => {
      const boom = new Error('hook failed');
      const { session, calls } = mockedSession(
        { getItem: {} },
        {
          clock,
          hooks: {
            requestBuilt: () => {
              throw boom;
            },
          },
        },
      );
      try {
        await session.table(T).get('users', 'user/1');
        expect.fail('expected the hook error');
      } catch (err) {
        expect(err).to.equal(boom);
      }
      expect(calls).to.have.length(0);
    });
  });
});

describe('Table and Partition constructors', () => {
  afterEach(restoreMocks);

  it('new Table refuses anything but a Session with INVALID_ARGUMENT, not a TypeError later', () => {
    const { session } = mockedSession({}, { clock });
    const lookalikes: unknown[] = [
      undefined,
      null,
      { runtime: {} },
      Object.create(Session.prototype),
      new Proxy(session, {}),
      session.table(T),
    ];
    for (const [i, bad] of lookalikes.entries()) {
      expect(() => new Table(bad as never, T), `lookalike #${i}`)
        .to.throw(DynastoreError)
        .with.property('code', 'INVALID_ARGUMENT');
    }
    expect(new Table(session, T).tableName).to.equal(T);
  });

  it('new Partition refuses anything but a Table with INVALID_ARGUMENT, not a TypeError later', () => {
    const { session } = mockedSession({}, { clock });
    const table = session.table(T);
    const lookalikes: unknown[] = [
      undefined,
      { put() {} },
      Object.create(Table.prototype),
      new Proxy(table, {}),
      session,
      table.partition('p'),
    ];
    for (const [i, bad] of lookalikes.entries()) {
      expect(() => new Partition(bad as never, 'p'), `lookalike #${i}`)
        .to.throw(DynastoreError)
        .with.property('code', 'INVALID_ARGUMENT');
    }
    expect(new Partition(table, 'p').partitionName).to.equal('p');
  });

  it('a Proxy whose traps throw is refused with INVALID_ARGUMENT, none of its properties read', () => {
    let reads = 0;
    const trap = (): never => {
      throw new Error('trap');
    };
    const get = (): never => {
      reads++;
      return trap();
    };
    const proxy = new Proxy({}, { get, getPrototypeOf: trap, has: trap, getOwnPropertyDescriptor: trap });
    for (const make of [() => new Table(proxy as never, T), () => new Partition(proxy as never, 'p')]) {
      expect(make).to.throw(DynastoreError).with.property('code', 'INVALID_ARGUMENT');
    }
    expect(reads).to.equal(0);
  });
});

describe('aborting a request on the wire', () => {
  afterEach(restoreMocks);

  it('works whatever Object.prototype.signal holds', async () => {
    const controller = new AbortController();
    const { session } = mockedSession({ getItem: () => new Promise(() => undefined) }, { clock });
    // Node reads `signal` from a listener's options: an aborted one there would keep the listener from being added.
    Object.defineProperty(Object.prototype, 'signal', { value: AbortSignal.abort(), configurable: true });
    try {
      const pending = session.table(T).get('users', 'user/1', { signal: controller.signal });
      await new Promise((resolve) => setImmediate(resolve));
      controller.abort(new Error('enough'));
      const err = await Promise.race([
        rejection(pending),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('the abort did not cut the request')), 1000),
        ),
      ]);
      expect(err.code).to.equal('ABORTED');
    } finally {
      Reflect.deleteProperty(Object.prototype, 'signal');
    }
  });
});
