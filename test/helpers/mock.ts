import AWS from 'aws-sdk';
import AWSMock from 'aws-sdk-mock';
import { Session, type Hooks, type SessionOptions } from '../../lib';

AWSMock.setSDKInstance(AWS);

export type Command = 'getItem' | 'putItem' | 'updateItem' | 'deleteItem' | 'query' | 'batchGetItem';

/** A mocked answer: the response data, or a function of the params returning it or throwing an AWS-like error. */
export type Answer = Record<string, unknown> | ((params: Record<string, unknown>) => object);

export interface MockedSession {
  session: Session;
  /** Every request the mocked client received, in order. */
  calls: Array<{ command: Command; params: Record<string, unknown> }>;
}

/**
 * A Session over an aws-sdk v2 client whose five methods are mocked with
 * aws-sdk-mock (which also validates params against the API model).
 * Commands without an answer fail the test if called.
 */
export function mockedSession(
  answers: Partial<Record<Command, Answer | Answer[]>> = {},
  options: { hooks?: Hooks; clock?: () => number } = {},
): MockedSession {
  const calls: MockedSession['calls'] = [];
  restoreMocks();
  mocked = true;
  for (const command of ['getItem', 'putItem', 'updateItem', 'deleteItem', 'query', 'batchGetItem'] as const) {
    const queue = answers[command];
    let n = 0;
    AWSMock.mock(
      'DynamoDB',
      command,
      (params: Record<string, unknown>, callback: (err?: unknown, data?: unknown) => void) => {
        calls.push({ command, params });
        const answer = Array.isArray(queue) ? queue[Math.min(n++, queue.length - 1)] : queue;
        if (answer === undefined) {
          callback(awsError('UnexpectedCall', `the test did not expect ${command}`));
          return;
        }
        try {
          callback(undefined, typeof answer === 'function' ? answer(params) : answer);
        } catch (err) {
          callback(err);
        }
      },
    );
  }
  const client = new AWS.DynamoDB({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const sessionOptions: SessionOptions = { client, ...options };
  return { session: new Session(sessionOptions), calls };
}

/** An error shaped as aws-sdk v2 makes them; `extra` members become properties, as the SDK does with the error body. */
export function awsError(code: string, message: string, extra: Record<string, unknown> = {}): Error {
  const err = Object.assign(new Error(message), { code, statusCode: 400, retryable: false });
  for (const [k, v] of Object.entries(extra)) {
    Object.defineProperty(err, k, { value: v, enumerable: false, writable: true });
  }
  return err;
}

let mocked = false;

/** Undoes the mocks; safe to call when none are in place. */
export function restoreMocks(): void {
  if (mocked) AWSMock.restore('DynamoDB');
  mocked = false;
}
