// The aws-sdk v2 adapter's contract (client.ts, DynamoClient): send never
// throws, and every failure is one of the library's, on the path without
// hooks, which reads nothing but the answer, as on the one with them.
import { expect } from 'chai';
import type DynamoDB from 'aws-sdk/clients/dynamodb';
import { ConditionFailed, type Attempts } from '../../lib/client';
import { AwsSdkV2Client } from '../../lib/sdk-v2';
import { rejection } from '../helpers/expect';

const params = { TableName: 'agents', Key: { id: { S: 'p' }, name: { S: 'k' } } };

/** An AWS.DynamoDB lookalike whose getItem answers with `promise()`'s result and counts `retries`. */
function lookalike(promise: () => unknown, retries = 0): DynamoDB {
  return {
    getItem: () => ({ promise, response: { retryCount: retries } }),
  } as unknown as DynamoDB;
}

describe('the aws-sdk v2 adapter', () => {
  it('resolves to the answer, and says how many attempts the SDK made only when asked', async () => {
    const client = new AwsSdkV2Client(lookalike(() => Promise.resolve({ Item: params.Key }), 2));
    expect(await client.send('GetItem', params, undefined)).to.deep.equal({ Item: params.Key });
    const attempts: Attempts = { attempts: 0 };
    await client.send('GetItem', params, undefined, attempts);
    expect(attempts.attempts).to.equal(3);
  });

  it('rejects, never throws, with REQUEST_FAILED for a client that throws, or rejects with anything', async () => {
    const throwing = new AwsSdkV2Client({
      getItem: () => {
        throw new TypeError('no');
      },
    } as unknown as DynamoDB);
    // A throw here would fail the test: send rejects instead.
    const sent = throwing.send('GetItem', params, undefined);
    expect(sent).to.be.instanceOf(Promise);
    expect((await rejection(sent)).code).to.equal('REQUEST_FAILED');
    for (const reason of [null, undefined, 'x', new Error('x')]) {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a client that rejects with anything
      const rejecting = new AwsSdkV2Client(lookalike(() => Promise.reject(reason)));
      const err = await rejection(rejecting.send('GetItem', params, undefined));
      expect(err.code, String(reason)).to.equal('REQUEST_FAILED');
    }
  });

  it('rejects a failed condition with ConditionFailed, carrying the attempts', async () => {
    const error = Object.assign(new Error('failed'), { code: 'ConditionalCheckFailedException' });
    const client = new AwsSdkV2Client(lookalike(() => Promise.reject(error), 1));
    try {
      await client.send('GetItem', params, undefined);
      expect.fail('expected a rejection');
    } catch (err) {
      expect(err).to.be.instanceOf(ConditionFailed);
      expect((err as ConditionFailed).attempts).to.equal(2);
    }
  });

  it('rejects with ABORTED, sending nothing, when the signal was aborted already', async () => {
    let sent = 0;
    const client = new AwsSdkV2Client(
      lookalike(() => {
        sent++;
        return Promise.resolve({});
      }),
    );
    const err = await rejection(client.send('GetItem', params, AbortSignal.abort()));
    expect(err.code).to.equal('ABORTED');
    expect(sent).to.equal(0);
  });
});
