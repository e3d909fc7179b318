// The session's clock: every reading is checked, and one is taken before an
// operation's first request, so a clock that cannot be milliseconds since the
// epoch fails every operation with INVALID_ARGUMENT and nothing sent.
import { expect } from 'chai';
import { DynastoreError, Session, type Partition } from '../../lib';
import { rejection } from '../helpers/expect';
import { mockedSession, restoreMocks } from '../helpers/mock';

const NOW = 1_700_000_000_123;
const LIVE = { id: { S: 'users' }, name: { S: 'user/1' }, version: { N: '3' }, payload: { S: 'x' } };

/** A partition over a mocked client answering every command, whose session's clock is `clock`; requests counted twice, by the client and by a hook. */
function clocked(clock: () => unknown): { users: Partition; sent: () => [number, number] } {
  let built = 0;
  const { session, calls } = mockedSession(
    {
      getItem: { Item: LIVE },
      putItem: {},
      updateItem: {},
      deleteItem: {},
      query: { Items: [LIVE] },
      batchGetItem: { Responses: { agents: [LIVE] } },
    },
    {
      clock: clock as () => number,
      hooks: {
        requestBuilt: () => {
          built++;
        },
      },
    },
  );
  return { users: session.table('agents').partition('users'), sent: () => [calls.length, built] };
}

/** Every operation that sends a request, each as a user calls it. */
const OPERATIONS: Array<[string, (p: Partition) => Promise<unknown>]> = [
  ['get', (p) => p.get('user/1')],
  ['exists', (p) => p.exists('user/1')],
  ['put', (p) => p.put('user/1', { value: 'v' })],
  ['put with a ttl', (p) => p.put('user/1', { value: 'v', ttl: 60_000 })],
  ['atomicPut (create)', (p) => p.atomicPut('user/1', { value: 'v' })],
  ['atomicPut (compare)', (p) => p.atomicPut('user/1', { value: 'v', previous: { version: 3 } })],
  ['atomicDelete', (p) => p.atomicDelete('user/1', { version: 3 })],
  ['delete', (p) => p.delete('user/1')],
  ['listPage', (p) => p.listPage('user/')],
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the deprecated Go API reads the clock too
  ['list', (p) => p.list('user/')],
  [
    'iterate',
    async (p) => {
      for await (const pair of p.iterate('user/')) pair;
    },
  ],
  ['getMany', (p) => p.getMany(['user/1', 'user/2'])],
  ['tryLock', (p) => p.tryLock('job', { ttl: 10_000 })],
  ['lock', (p) => p.lock('job', { ttl: 10_000, wait: 0 })],
];

const BAD_CLOCKS: Array<[string, () => unknown, RegExp]> = [
  ['NaN', () => NaN, /finite number, got NaN/],
  ['undefined', () => undefined, /finite number, got undefined/],
  ['a string of digits', () => String(NOW), /finite number, got "1700000000123"/],
  ['a bigint', () => BigInt(NOW), /finite number/],
  ['a Date', () => new Date(NOW), /finite number, got a Date/],
  ['Infinity', () => Infinity, /finite number, got Infinity/],
  ['seconds, not milliseconds', () => Math.floor(NOW / 1000), /1700000000.*not seconds/],
  ['a negative time', () => -1, /before the year 2000/],
  ['-0', () => -0, /before the year 2000/],
  ['a time past the latest Date', () => 8.64e15 + 1, /past the latest date/],
];

describe('the session clock (mocked DynamoDB)', () => {
  afterEach(restoreMocks);

  for (const [what, clock, message] of BAD_CLOCKS) {
    describe(`a clock returning ${what}`, () => {
      for (const [name, call] of OPERATIONS) {
        it(`${name}: INVALID_ARGUMENT, nothing sent`, async () => {
          const { users, sent } = clocked(clock);
          const err = await rejection(call(users));
          expect(err.code).to.equal('INVALID_ARGUMENT');
          expect(err.message).to.match(message);
          expect(sent(), '[requests the client got, requestBuilt calls]').to.deep.equal([0, 0]);
        });
      }
    });
  }

  describe('a clock that throws', () => {
    for (const thrown of [new Error('clock broke'), 'clock broke', undefined, Symbol('clock')]) {
      it(`throwing ${typeof thrown}: INVALID_ARGUMENT whose cause is what it threw, nothing sent`, async () => {
        const { users, sent } = clocked(() => {
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- what a broken clock may do
          throw thrown;
        });
        for (const [, call] of OPERATIONS) {
          const err = await rejection(call(users));
          expect(err.code).to.equal('INVALID_ARGUMENT');
          expect(err.message).to.contain('clock threw');
          expect(err.cause).to.equal(thrown);
        }
        expect(sent()).to.deep.equal([0, 0]);
      });
    }
  });

  it('the value a bad clock returned is on err.value', async () => {
    const { users } = clocked(() => 1_700_000_000);
    expect((await rejection(users.get('user/1'))).value).to.equal(1_700_000_000);
  });

  it('accepts the first millisecond of 2000 and the latest Date, and a fractional reading', async () => {
    for (const now of [946_684_800_000, 8.64e15, NOW + 0.5]) {
      const { users, sent } = clocked(() => now);
      await users.put('user/1', { value: 'v' });
      expect((await users.get('user/1')).version).to.equal(3);
      expect(sent()).to.deep.equal([2, 2]);
    }
  });

  it('checks every reading: a clock that goes bad fails the next operation, with nothing sent', async () => {
    let now: unknown = NOW;
    const { users, sent } = clocked(() => now);
    await users.get('user/1');
    now = NaN;
    expect((await rejection(users.get('user/1'))).code).to.equal('INVALID_ARGUMENT');
    expect(sent()).to.deep.equal([1, 1]);
  });

  it('a lock whose clock goes bad: renew resolves false, and the lock ends with INVALID_ARGUMENT as reason', async () => {
    let now: unknown = NOW;
    const { session, calls } = mockedSession({ getItem: {}, putItem: {} }, { clock: () => now as number });
    const lock = await session.table('agents').partition('users').tryLock('job', { ttl: 10_000, heartbeat: false });
    if (lock === undefined) throw new Error('the lock was free');
    const before = calls.length;
    now = 'later';
    expect(await lock.renew()).to.equal(false);
    expect(lock.signal.aborted).to.equal(true);
    expect(DynastoreError.is(lock.signal.reason, 'INVALID_ARGUMENT')).to.equal(true);
    expect(calls.length, 'the renewal sent nothing').to.equal(before);
  });

  it('is called without the session as this, and a clock may be a bound method', async () => {
    const fake = {
      now: NOW,
      read(this: { now: number }): number {
        return this.now;
      },
    };
    const { session } = mockedSession({ getItem: { Item: LIVE } });
    const users = new Session({ client: session.client, clock: fake.read.bind(fake) }).table('agents');
    expect((await users.get('users', 'user/1')).version).to.equal(3);
  });
});
