// Items written by other tools (Go dynastore v1, the console, a raw SDK):
// shapes dynastore never writes, put in place with raw PutItems, then read
// and written through every operation. Two rules are under test:
// - an `expires` that is not a number never expires (DynamoDB's TTL ignores
//   it too), for reads and write conditions alike;
// - an item with no version of dynastore's reads as version 0, and the pair
//   read is a `previous` that compare-and-swap takes (the write sets 1).
import { expect } from 'chai';
import type DynamoDB from 'aws-sdk/clients/dynamodb';
import {
  DynastoreError,
  writeWithFields,
  writeWithPreviousKV,
  writeWithString,
  writeWithTTL,
  type Partition,
  type RequestParams,
} from '../../lib';
import { codeOf, rejection } from '../helpers/expect';
import { forEachTarget } from '../helpers/sdk';
import { createTable, rawClient } from '../helpers/server';

/** `expires` values that are not numbers, as other tools store them. */
const NOT_NUMBERS: Record<string, DynamoDB.AttributeValue> = {
  'a string of digits in the past': { S: '1000' },
  'a date string': { S: '2020-01-01T00:00:00Z' },
  'a map': { M: { at: { N: '1000' } } },
  'null (Go v1 for an empty value)': { NULL: true },
};

forEachTarget('items written by other tools', (target) => {
  const server = target.server;
  let ddb: DynamoDB;
  let tableName: string;
  let endpoint: string;
  let now: number;
  let p: Partition;
  let n = 0;
  const sent: RequestParams[] = [];

  before(async () => {
    endpoint = await server.endpoint();
    ddb = rawClient(endpoint);
    tableName = await createTable(ddb, 'foreign');
  });

  beforeEach(() => {
    now = Date.UTC(2030, 0, 1);
    sent.length = 0;
    const session = target.session(endpoint, {
      clock: () => now,
      hooks: { requestBuilt: (_ctx, params) => void sent.push(params) },
    });
    p = session.table(tableName).partition(`p${++n}`);
  });

  const key = (k: string): DynamoDB.Key => ({ id: { S: p.partitionName }, name: { S: k } });
  const rawPut = async (k: string, attributes: DynamoDB.AttributeMap): Promise<void> => {
    await ddb.putItem({ TableName: tableName, Item: { ...attributes, ...key(k) } }).promise();
  };
  const raw = async (k: string): Promise<DynamoDB.AttributeMap | undefined> =>
    (await ddb.getItem({ TableName: tableName, Key: key(k), ConsistentRead: true }).promise()).Item;

  for (const [shape, expires] of Object.entries(NOT_NUMBERS)) {
    describe(`an expires that is ${shape} never expires`, () => {
      beforeEach(async () => {
        await rawPut('k', { version: { N: '4' }, payload: { S: 'theirs' }, expires });
      });

      it('get, exists, getMany and listPage find it, with expires 0', async () => {
        const kv = await p.get('k');
        expect(kv).to.include({ version: 4, expires: 0 });
        expect(kv.stringValue()).to.equal('theirs');
        expect(await p.exists('k')).to.equal(true);
        expect((await p.getMany(['k']))[0]?.version).to.equal(4);
        expect((await p.listPage('')).keys.map((kv) => kv.key)).to.deep.equal(['k']);
      });

      it('put updates it in one request, and removes the foreign expires', async () => {
        await p.put('k', writeWithString('ours'));
        expect(sent).to.have.length(1);
        const stored = await raw('k');
        expect(stored).to.deep.include({ version: { N: '5' }, payload: { S: 'ours' } });
        expect(stored).to.not.have.property('expires');
      });

      it('atomicPut without previous: KEY_EXISTS, in one request', async () => {
        expect(await codeOf(p.atomicPut('k', writeWithString('ours')))).to.equal('KEY_EXISTS');
        expect(sent.filter((s) => 'Item' in s)).to.have.length(1);
        expect((await raw('k'))?.payload).to.deep.equal({ S: 'theirs' });
      });

      it('atomicPut with the pair read swaps it; a stale pair is KEY_MODIFIED', async () => {
        const read = await p.get('k');
        const written = await p.atomicPut('k', writeWithString('ours'), writeWithPreviousKV(read));
        expect(written).to.include({ version: 5, expires: 0 });
        expect(await codeOf(p.atomicPut('k', writeWithString('again'), writeWithPreviousKV(read)))).to.equal(
          'KEY_MODIFIED',
        );
      });

      it('atomicDelete without previous: KEY_EXISTS; with the pair read: true', async () => {
        expect(await codeOf(p.atomicDelete('k'))).to.equal('KEY_EXISTS');
        expect(await p.atomicDelete('k', await p.get('k'))).to.equal(true);
        expect(await raw('k')).to.equal(undefined);
      });

      it('delete deletes it', async () => {
        await p.delete('k');
        expect(await raw('k')).to.equal(undefined);
      });
    });
  }

  describe('an expires that is a number', () => {
    it('far in the future (9.99e125) is live, and reads as that number', async () => {
      await rawPut('k', { version: { N: '1' }, expires: { N: '9.99e125' } });
      expect((await p.get('k')).expires).to.equal(9.99e125);
      expect(await codeOf(p.atomicPut('k'))).to.equal('KEY_EXISTS');
      expect((await p.listPage('')).keys).to.have.length(1);
    });

    it('0, or negative, is in the past: expired everywhere, and replaced by a create', async () => {
      await rawPut('zero', { version: { N: '3' }, expires: { N: '0' } });
      await rawPut('negative', { version: { N: '3' }, expires: { N: '-5' } });
      for (const k of ['zero', 'negative']) {
        expect(await codeOf(p.get(k))).to.equal('KEY_NOT_FOUND');
        expect(await p.exists(k)).to.equal(false);
      }
      expect((await p.listPage('')).keys).to.deep.equal([]);
      expect(await p.atomicPut('zero')).to.include({ version: 1 });
      await p.put('negative');
      expect((await p.get('negative')).version).to.equal(1);
    });
  });

  describe('an item with no version of dynastore`s reads as version 0, and the pair read compares', () => {
    const unversioned: Record<string, DynamoDB.AttributeMap> = {
      'no version (Go v1, the console)': {},
      'a version that is a string': { version: { S: '3' } },
      'version 0': { version: { N: '0' } },
      'a negative version': { version: { N: '-3' } },
      'a version beyond 2^53': { version: { N: '123456789012345678901234567890' } },
    };
    for (const [shape, version] of Object.entries(unversioned)) {
      it(`${shape}: atomicPut with the pair read gives it version 1, and a second one is KEY_MODIFIED`, async () => {
        await rawPut('k', { ...version, payload: { S: 'theirs' }, extra: { S: 'kept' } });
        const read = await p.get('k');
        expect(read.version).to.equal(0);
        const written = await p.atomicPut('k', writeWithString('ours'), writeWithPreviousKV(read));
        expect(written).to.include({ version: 1 });
        expect(written.stringValue()).to.equal('ours');
        expect(await raw('k')).to.deep.include({ version: { N: '1' }, extra: { S: 'kept' } });
        const err = await rejection(p.atomicPut('k', writeWithString('again'), writeWithPreviousKV(read)));
        expect(err.code).to.equal('KEY_MODIFIED');
        expect(err.message).to.include('expected version 0 (none), found 1');
      });

      it(`${shape}: atomicDelete with the pair read deletes it`, async () => {
        await rawPut('k', { ...version });
        expect(await p.atomicDelete('k', await p.get('k'))).to.equal(true);
        expect(await raw('k')).to.equal(undefined);
      });
    }

    it('version 0 on an absent or expired item: KEY_NOT_FOUND, and nothing is created', async () => {
      expect(await codeOf(p.atomicPut('absent', writeWithPreviousKV({ version: 0 })))).to.equal('KEY_NOT_FOUND');
      expect(await raw('absent')).to.equal(undefined);
      await rawPut('expired', { expires: { N: '1000' } });
      expect(await codeOf(p.atomicPut('expired', writeWithPreviousKV({ version: 0 })))).to.equal('KEY_NOT_FOUND');
      expect(await codeOf(p.atomicDelete('expired', { version: 0 }))).to.equal('KEY_NOT_FOUND');
    });

    it('version 0 on an item dynastore versioned: KEY_MODIFIED, naming the version found', async () => {
      await p.put('k');
      const err = await rejection(p.atomicPut('k', writeWithPreviousKV({ version: 0 })));
      expect(err.code).to.equal('KEY_MODIFIED');
      expect(err.message).to.include('found 1');
      expect(await codeOf(p.atomicDelete('k', { version: 0 }))).to.equal('KEY_MODIFIED');
    });

    it('a fractional version (1.5) reads as 0, and compares as another version: KEY_MODIFIED', async () => {
      await rawPut('k', { version: { N: '1.5' } });
      const read = await p.get('k');
      expect(read.version).to.equal(0);
      const err = await rejection(p.atomicPut('k', writeWithPreviousKV(read)));
      expect(err.code).to.equal('KEY_MODIFIED');
      expect(err.message).to.include('found 1.5');
    });

    it('put on an item with no version gives it version 1', async () => {
      await rawPut('k', { payload: { S: 'theirs' } });
      await p.put('k', writeWithFields({ a: 'x' }));
      expect(await raw('k')).to.deep.include({ version: { N: '1' }, payload: { S: 'theirs' } });
    });

    it('put on a version that is not a number: REQUEST_FAILED (DynamoDB cannot add 1 to it), the item unchanged', async () => {
      await rawPut('k', { version: { S: '3' } });
      const err = await rejection(p.put('k', writeWithString('ours')));
      expect(err.code).to.equal('REQUEST_FAILED');
      expect(err.awsCode).to.equal('ValidationException');
      expect(await raw('k')).to.not.have.property('payload');
      // The way out: the pair read, as previous.
      expect(await p.atomicPut('k', writeWithString('ours'), writeWithPreviousKV(await p.get('k')))).to.include({
        version: 1,
      });
    });
  });

  describe('payloads and fields of any type read as stored, and nothing throws', () => {
    const payloads: Record<string, [DynamoDB.AttributeValue, unknown]> = {
      'a map': [{ M: { a: { N: '1' } } }, { a: 1 }],
      'a number': [{ N: '42' }, 42],
      'NULL (Go v1 for an empty value)': [{ NULL: true }, null],
      'a boolean': [{ BOOL: true }, true],
      'a list': [{ L: [{ S: 'x' }] }, ['x']],
    };
    for (const [shape, [payload, decoded]] of Object.entries(payloads)) {
      it(`a payload that is ${shape}`, async () => {
        await rawPut('k', { version: { N: '1' }, payload });
        const kv = await p.get('k');
        expect(kv.value).to.deep.equal(payload);
        expect(kv.stringValue()).to.equal('');
        expect(kv.bytesValue()).to.equal(undefined);
        expect(kv.decodeValue()).to.deep.equal(decoded);
        expect((await p.listPage('')).keys[0]?.value).to.deep.equal(payload);
      });
    }

    it('fields of every type, with names that look like ours', async () => {
      await rawPut('k', {
        version: { N: '1' },
        Version: { S: 'x' },
        list: { L: [{ N: '1' }] },
        set: { SS: ['a'] },
        nothing: { NULL: true },
      });
      const kv = await p.get('k');
      expect(Object.keys(kv.fields).sort()).to.deep.equal(['Version', 'list', 'nothing', 'set']);
      expect(kv.decodeFields()).to.include({ Version: 'x', nothing: null });
    });

    it('a stored number aws-sdk v3 cannot hold: decodeValue is INVALID_ARGUMENT with its cause on v3', async () => {
      await rawPut('k', { version: { N: '1' }, payload: { N: '12345678901234567890.5' } });
      const kv = await p.get('k');
      if (target.sdk === 'v3') {
        const err = (() => {
          try {
            kv.decodeValue();
          } catch (e) {
            return e;
          }
          return undefined;
        })();
        expect(err).to.be.instanceOf(DynastoreError);
        expect((err as DynastoreError).code).to.equal('INVALID_ARGUMENT');
        expect((err as DynastoreError).cause).to.be.instanceOf(Error);
      } else {
        // aws-sdk v2's converter reads it as the nearest number.
        expect(kv.decodeValue()).to.equal(Number('12345678901234567890.5'));
      }
    });

    it('a key of type B is refused by DynamoDB itself: the table types name as S', async () => {
      const err = await ddb
        .putItem({ TableName: tableName, Item: { id: { S: p.partitionName }, name: { B: Buffer.from('k') } } })
        .promise()
        .then(
          () => undefined,
          (e: unknown) => e as { code?: string },
        );
      expect(err?.code).to.equal('ValidationException');
    });
  });

  it('a ttl write over a foreign expires replaces it with a number', async () => {
    await rawPut('k', { version: { N: '1' }, expires: { S: 'never' } });
    await p.put('k', writeWithTTL(10_000));
    expect((await raw('k'))?.expires).to.deep.equal({ N: String(now / 1000 + 10) });
  });
});
