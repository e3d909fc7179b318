import { expect } from 'chai';
import {
  KVPair,
  readConsistentDisable,
  readScanIndexForwardDisable,
  readWithLimit,
  readWithLocalIndex,
  readWithStartKey,
  writeWithFields,
  writeWithPreviousKV,
  writeWithString,
  writeWithTTL,
  type CommonOptions,
  type ErrorCode,
  type GetOptions,
  type Partition,
  type PutOptions,
  type ReadOptions,
  type Table,
  type WriteOptions,
} from '../../lib';
import { rejection } from '../helpers/expect';
import { mockedSession, restoreMocks } from '../helpers/mock';

// Each call below is type-checked by `tsc -p tsconfig.json` (which covers test/) and run by mocha: an
// `@ts-expect-error` line is a call the types refuse, and the test then proves the runtime refuses the
// same call, for JavaScript callers, before any request. An `@ts-expect-error` that stops being an error
// fails the type check, so the types cannot quietly loosen.

const kv = new KVPair({ partition: 'users', key: 'k', version: 3 });
const index = { type: 'local', name: 'idx_created', sortKeyAttribute: 'created' } as const;

type Call = (p: Partition, t: Table) => Promise<unknown>;

/** Calls the types refuse, what the runtime answers, and words its message must hold. */
const refused: Array<[string, Call, ErrorCode, string[]]> = [
  [
    'get with limit',
    (p) => {
      // @ts-expect-error -- get reads one key: no pages
      return p.get('k', { limit: 5 });
    },
    'INVALID_ARGUMENT',
    ['get', 'limit'],
  ],
  [
    'get with startKey',
    (p) => {
      // @ts-expect-error -- get reads one key: no pages
      return p.get('k', { startKey: 'garbage' });
    },
    'INVALID_ARGUMENT',
    ['get', 'startKey'],
  ],
  [
    'exists with scanIndexForward',
    (p) => {
      // @ts-expect-error -- exists reads one key: no order
      return p.exists('k', { scanIndexForward: false });
    },
    'INVALID_ARGUMENT',
    ['exists', 'scanIndexForward'],
  ],
  [
    'exists with scanIndexForward: true, which changes nothing but is still not an option of exists',
    (p) => {
      // @ts-expect-error -- exists reads one key: no order
      return p.exists('k', { scanIndexForward: true });
    },
    'INVALID_ARGUMENT',
    ['exists', 'scanIndexForward'],
  ],
  [
    'get with readWithLimit',
    (p) => {
      // @ts-expect-error -- the helper's option is a listing's
      return p.get('k', readWithLimit(5));
    },
    'INVALID_ARGUMENT',
    ['get', 'limit'],
  ],
  [
    'getMany with readWithStartKey',
    (p) => {
      // @ts-expect-error -- getMany reads keys: no pages
      return p.getMany(['k'], readWithStartKey('abc'));
    },
    'INVALID_ARGUMENT',
    ['getMany', 'startKey'],
  ],
  [
    'getMany with readScanIndexForwardDisable',
    (p) => {
      // @ts-expect-error -- getMany reads keys: no order
      return p.getMany(['k'], readScanIndexForwardDisable());
    },
    'INVALID_ARGUMENT',
    ['getMany', 'scanIndexForward'],
  ],
  [
    'Table.get with limit',
    (_, t) => {
      // @ts-expect-error -- the same types on Table
      return t.get('users', 'k', { limit: 5 });
    },
    'INVALID_ARGUMENT',
    ['get', 'limit'],
  ],
  [
    'Table.exists with startKey',
    (_, t) => {
      // @ts-expect-error -- the same types on Table
      return t.exists('users', 'k', { startKey: 'x' });
    },
    'INVALID_ARGUMENT',
    ['exists', 'startKey'],
  ],
  [
    'get with an index',
    (p) => {
      // @ts-expect-error -- reads by key go to the table
      return p.get('k', { index });
    },
    'INDEX_NOT_SUPPORTED',
    ['get', 'idx_created'],
  ],
  [
    'exists with readWithLocalIndex',
    (p) => {
      // @ts-expect-error -- reads by key go to the table
      return p.exists('k', readWithLocalIndex('idx_created', 'created'));
    },
    'INDEX_NOT_SUPPORTED',
    ['exists'],
  ],
  [
    'put with previous',
    (p) => {
      // @ts-expect-error -- only atomicPut compares versions
      return p.put('k', { value: 'v', previous: kv });
    },
    'INVALID_ARGUMENT',
    ['put', 'previous', 'atomicPut'],
  ],
  [
    'put with writeWithPreviousKV among other helpers',
    (p) => {
      // @ts-expect-error -- only atomicPut compares versions
      return p.put('k', writeWithString('v'), writeWithPreviousKV(kv), writeWithTTL(5));
    },
    'INVALID_ARGUMENT',
    ['put', 'previous'],
  ],
  [
    'Table.put with writeWithPreviousKV',
    (_, t) => {
      // @ts-expect-error -- the same types on Table
      return t.put('users', 'k', writeWithPreviousKV(kv));
    },
    'INVALID_ARGUMENT',
    ['put', 'previous'],
  ],
  [
    'delete with previous',
    (p) => {
      // @ts-expect-error -- a compare-and-delete is atomicDelete(key, previous)
      return p.delete('k', { previous: kv });
    },
    'INVALID_ARGUMENT',
    ['previous', 'atomicDelete'],
  ],
  [
    'atomicDelete with previous among its options',
    (p) => {
      // @ts-expect-error -- previous is atomicDelete's own argument
      return p.atomicDelete('k', kv, writeWithPreviousKV(kv));
    },
    'INVALID_ARGUMENT',
    ['previous'],
  ],
  [
    'delete with a write helper',
    (p) => {
      // @ts-expect-error -- delete takes only the common options
      return p.delete('k', writeWithTTL(5));
    },
    'INVALID_ARGUMENT',
    ['"ttl"'],
  ],
  [
    'get with a write helper',
    (p) => {
      // @ts-expect-error -- a write option is no read option
      return p.get('k', writeWithFields({ a: 'b' }));
    },
    'INVALID_ARGUMENT',
    ['"fields"'],
  ],
  [
    'put with a read helper',
    (p) => {
      // @ts-expect-error -- a read option is no write option
      return p.put('k', readConsistentDisable());
    },
    'INVALID_ARGUMENT',
    ['"consistent"'],
  ],
  [
    'listPage with a write helper',
    (p) => {
      // @ts-expect-error -- a write option is no read option
      return p.listPage('', writeWithString('v'));
    },
    'INVALID_ARGUMENT',
    ['"value"'],
  ],
  [
    'put with options typed WriteOptions, which may hold previous',
    (p) => {
      const options: WriteOptions = { value: 'v', previous: kv };
      // @ts-expect-error -- WriteOptions is atomicPut's; put takes PutOptions
      return p.put('k', options);
    },
    'INVALID_ARGUMENT',
    ['put', 'previous'],
  ],
  [
    'get with options typed ReadOptions',
    (p) => {
      const options: ReadOptions = { limit: 10 };
      // @ts-expect-error -- ReadOptions is the listings'; get takes GetOptions
      return p.get('k', options);
    },
    'INVALID_ARGUMENT',
    ['get', 'limit'],
  ],
];

/** Calls the types take: the runtime takes them too. */
const taken: Array<[string, Call]> = [
  [
    'put composes its helpers and plain objects',
    (p) => p.put('k', writeWithString('v'), writeWithTTL(5000), writeWithFields({ a: 'b' }), { context: { a: 1 } }),
  ],
  ['atomicPut takes writeWithPreviousKV', (p) => p.atomicPut('k', writeWithString('v'), writeWithPreviousKV(kv))],
  [
    'get takes consistent and the common options',
    (p) => p.get('k', readConsistentDisable(), { signal: new AbortController().signal, returnConsumedCapacity: true }),
  ],
  ['exists takes an option set to undefined, as unset', (p) => p.exists('k', { limit: undefined, index: undefined })],
  ['getMany takes readConsistentDisable', (p) => p.getMany(['k'], readConsistentDisable())],
  [
    'listPage takes every read option',
    (p) =>
      p.listPage(
        '',
        readConsistentDisable(),
        readScanIndexForwardDisable(),
        readWithLimit(2 ** 31 - 1),
        readWithLocalIndex('idx_created', 'created'),
      ),
  ],
  [
    'options typed for the narrower operation pass to the wider one',
    (p) => {
      const get: GetOptions = { consistent: false };
      const put: PutOptions = { value: 'v' };
      return Promise.all([p.listPage('', get), p.atomicPut('k', put)]);
    },
  ],
  [
    'the common options pass everywhere',
    (p) => {
      const common: CommonOptions = { context: { a: 1 } };
      return Promise.all([p.get('k', common), p.put('k', common), p.delete('k', common), p.listPage('', common)]);
    },
  ],
];

function session(): ReturnType<typeof mockedSession> {
  const item = { id: { S: 'users' }, name: { S: 'k' }, version: { N: '4' } };
  return mockedSession({
    getItem: { Item: item },
    updateItem: { Attributes: item },
    putItem: {},
    deleteItem: {},
    query: {},
    batchGetItem: { Responses: { agents: [item] } },
  });
}

describe('option types: what the types refuse, the runtime refuses', () => {
  afterEach(restoreMocks);

  for (const [what, call, code, mentions] of refused) {
    it(`${what}: ${code} before any request`, async () => {
      const { session: s, calls } = session();
      const t = s.table('agents');
      const err = await rejection(call(t.partition('users'), t));
      expect(err.code).to.equal(code);
      for (const mention of mentions) expect(err.message).to.contain(mention);
      expect(calls).to.have.length(0);
    });
  }

  for (const [what, call] of taken) {
    it(what, async () => {
      const { session: s, calls } = session();
      const t = s.table('agents');
      await call(t.partition('users'), t);
      expect(calls).to.not.have.length(0);
    });
  }
});
