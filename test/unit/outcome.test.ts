// Conditional writes whose SDK request was retried: the answer is what the
// stored item says about this write, not the retry's failed condition.
// A scripted client stands in for aws-sdk v2 so that each case controls the
// retry count the SDK reports and what the server returns.
import { expect } from 'chai';
import type DynamoDB from 'aws-sdk/clients/dynamodb';
import { Session, writeWithFields, writeWithString, writeWithTTL } from '../../lib';
import { codeOf } from '../helpers/expect';
import { awsError } from '../helpers/mock';

const T = 'outcome';
const NOW = 1_700_000_000_500;
const clock = (): number => NOW;

type Reply = { data: object } | { error: Error; retries?: number };

/** A v2-shaped client whose requests answer from a script, each reporting the retries the SDK made. */
function scripted(replies: Partial<Record<string, Reply[]>>): { session: Session; sent: string[] } {
  const sent: string[] = [];
  const method = (command: string) => (): object => {
    sent.push(command);
    const reply = replies[command]?.shift();
    if (reply === undefined) throw new Error(`unexpected ${command}`);
    const retryCount = 'error' in reply ? (reply.retries ?? 0) : 0;
    return {
      response: { retryCount },
      abort: () => undefined,
      promise: () => ('error' in reply ? Promise.reject(reply.error) : Promise.resolve(reply.data)),
    };
  };
  const client = {
    getItem: method('GetItem'),
    putItem: method('PutItem'),
    updateItem: method('UpdateItem'),
    deleteItem: method('DeleteItem'),
    query: method('Query'),
    batchGetItem: method('BatchGetItem'),
  } as unknown as DynamoDB;
  return { session: new Session({ client, clock }), sent };
}

/** ConditionalCheckFailedException as aws-sdk v2 raises it, with the old item when the server returned one. */
function conditionFailed(item?: Record<string, unknown>): Error {
  return awsError('ConditionalCheckFailedException', 'The conditional request failed', item ? { Item: item } : {});
}

const created = {
  id: { S: 'p' },
  name: { S: 'k' },
  version: { N: '1' },
  payload: { S: 'mine' },
  tag: { S: 't' },
  expires: { N: String(Math.ceil((NOW + 60_000) / 1000)) },
};

describe('conditional writes retried by the SDK', () => {
  describe('atomicPut create', () => {
    const write = [writeWithString('mine'), writeWithFields({ tag: 't' }), writeWithTTL(60_000)] as const;

    it('resolves with the pair when the item found is this very create (server returned it)', async () => {
      const { session, sent } = scripted({ PutItem: [{ error: conditionFailed(created), retries: 1 }] });
      const kv = await session.table(T).atomicPut('p', 'k', ...write);
      expect(kv).to.include({ partition: 'p', key: 'k', version: 1 });
      expect(kv.stringValue()).to.equal('mine');
      expect(sent).to.deep.equal(['PutItem']);
    });

    it('reads the item once where the server does not return it (dynalite)', async () => {
      const { session, sent } = scripted({
        PutItem: [{ error: conditionFailed(), retries: 2 }],
        GetItem: [{ data: { Item: created } }],
      });
      expect((await session.table(T).atomicPut('p', 'k', ...write)).version).to.equal(1);
      expect(sent).to.deep.equal(['PutItem', 'GetItem']);
    });

    it('KEY_EXISTS when the item found differs in payload, a field, expires, or has more fields', async () => {
      for (const other of [
        { ...created, payload: { S: 'theirs' } },
        { ...created, tag: { S: 'u' } },
        { ...created, expires: { N: '1' } },
        { ...created, extra: { S: 'x' } },
        { ...created, version: { N: '2' } },
      ]) {
        const { session } = scripted({ PutItem: [{ error: conditionFailed(other), retries: 1 }] });
        expect(await codeOf(session.table(T).atomicPut('p', 'k', ...write)), JSON.stringify(other)).to.equal(
          'KEY_EXISTS',
        );
      }
    });

    it('KEY_EXISTS without a check when the SDK did not retry: the condition met another write', async () => {
      const { session, sent } = scripted({ PutItem: [{ error: conditionFailed(created) }] });
      expect(await codeOf(session.table(T).atomicPut('p', 'k', ...write))).to.equal('KEY_EXISTS');
      expect(sent).to.deep.equal(['PutItem']);
    });

    it('REQUEST_FAILED, never KEY_EXISTS, when the check read fails', async () => {
      const { session } = scripted({
        PutItem: [{ error: conditionFailed(), retries: 1 }],
        GetItem: [{ error: awsError('InternalServerError', 'down') }],
      });
      expect(await codeOf(session.table(T).atomicPut('p', 'k', ...write))).to.equal('REQUEST_FAILED');
    });
  });

  describe('atomicPut with previous', () => {
    const updated = { ...created, version: { N: '6' }, payload: { S: 'next' }, other: { N: '1.50' } };

    it('resolves with the stored pair when it holds this update at previous.version + 1', async () => {
      const { session } = scripted({ UpdateItem: [{ error: conditionFailed(updated), retries: 1 }] });
      const kv = await session
        .table(T)
        .atomicPut('p', 'k', writeWithString('next'), writeWithFields({ tag: 't' }), writeWithTTL(60_000), {
          previous: { version: 5 },
        });
      expect(kv.version).to.equal(6);
      expect(kv.fields.other, 'fields this write left alone stay').to.deep.equal({ N: '1.50' });
    });

    it('numbers compare by value, as DynamoDB normalises them', async () => {
      const stored = { ...updated, n: { N: '1000000000000000000000' }, small: { N: '0.000000125' } };
      const { session } = scripted({ UpdateItem: [{ error: conditionFailed(stored), retries: 1 }] });
      const kv = await session.table(T).atomicPut('p', 'k', writeWithString('next'), writeWithTTL(60_000), {
        previous: { version: 5 },
        fields: { n: 1e21, small: 1.25e-7, tag: 't' },
      });
      expect(kv.version).to.equal(6);
    });

    it('KEY_MODIFIED when the version found is this write’s but the content is not', async () => {
      const { session } = scripted({
        UpdateItem: [{ error: conditionFailed({ ...updated, payload: { S: 'theirs' } }), retries: 1 }],
      });
      expect(
        await codeOf(session.table(T).atomicPut('p', 'k', writeWithString('next'), { previous: { version: 5 } })),
      ).to.equal('KEY_MODIFIED');
    });

    it('KEY_MODIFIED when the SDK did not retry, even if the content matches', async () => {
      const { session } = scripted({ UpdateItem: [{ error: conditionFailed(updated) }] });
      expect(
        await codeOf(
          session
            .table(T)
            .atomicPut('p', 'k', writeWithString('next'), writeWithFields({ tag: 't' }), writeWithTTL(60_000), {
              previous: { version: 5 },
            }),
        ),
      ).to.equal('KEY_MODIFIED');
    });

    it('KEY_NOT_FOUND when the item is gone, REQUEST_FAILED when the check read fails', async () => {
      const gone = scripted({
        UpdateItem: [{ error: conditionFailed(), retries: 1 }],
        GetItem: [{ data: {} }],
      });
      expect(await codeOf(gone.session.table(T).atomicPut('p', 'k', { previous: { version: 5 } }))).to.equal(
        'KEY_NOT_FOUND',
      );
      const down = scripted({
        UpdateItem: [{ error: conditionFailed(), retries: 1 }],
        GetItem: [{ error: awsError('ProvisionedThroughputExceededException', 'slow down') }],
      });
      expect(await codeOf(down.session.table(T).atomicPut('p', 'k', { previous: { version: 5 } }))).to.equal(
        'REQUEST_FAILED',
      );
    });

    it('bytes compare by content, whether the server sent them as base64 text or the SDK as a Buffer', async () => {
      const stored = { ...updated, bin: { B: Buffer.from('hi').toString('base64') } };
      const { session } = scripted({ UpdateItem: [{ error: conditionFailed(stored), retries: 1 }] });
      const kv = await session.table(T).atomicPut('p', 'k', writeWithString('next'), writeWithTTL(60_000), {
        previous: { version: 5 },
        fields: { bin: Buffer.from('hi'), tag: 't' },
      });
      expect(Buffer.isBuffer(kv.fields.bin?.B), 'returned bytes are bytes').to.equal(true);
    });
  });

  describe('atomicDelete with previous', () => {
    it('true when the SDK retried and the item is gone', async () => {
      const { session } = scripted({
        DeleteItem: [{ error: conditionFailed(), retries: 1 }],
        GetItem: [{ data: {} }],
      });
      expect(await session.table(T).atomicDelete('p', 'k', { version: 3 })).to.equal(true);
    });

    it('KEY_NOT_FOUND when the item is gone and the SDK did not retry', async () => {
      const { session } = scripted({ DeleteItem: [{ error: conditionFailed() }], GetItem: [{ data: {} }] });
      expect(await codeOf(session.table(T).atomicDelete('p', 'k', { version: 3 }))).to.equal('KEY_NOT_FOUND');
    });

    it('KEY_MODIFIED when the SDK retried but another version is stored', async () => {
      const { session } = scripted({
        DeleteItem: [{ error: conditionFailed({ ...created, version: { N: '4' } }), retries: 1 }],
      });
      expect(await codeOf(session.table(T).atomicDelete('p', 'k', { version: 3 }))).to.equal('KEY_MODIFIED');
    });
  });
});
