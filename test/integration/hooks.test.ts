// requestCompleted against real servers and real sockets, on aws-sdk v2 and
// v3: the SDK's attempts, item counts, consumed capacity and the codes of
// failed conditions are the same whichever SDK sends the request.
import { expect } from 'chai';
import { DynastoreError, writeWithPreviousKV, writeWithString, type Session } from '../../lib';
import type { RequestOutcome } from '../../lib/hooks';
import { rejection } from '../helpers/expect';
import { faultProxy } from '../helpers/proxy';
import { sdkSession, sdks, type Sdk, type TargetSessionOptions } from '../helpers/sdk';
import { createTable, forEachServer, freePort, rawClient } from '../helpers/server';

/** A session on `sdk` against `endpoint` making `retries` retries after the first attempt, with quick backoff. */
function session(
  sdk: Sdk,
  endpoint: string,
  retries: number | undefined,
  options: TargetSessionOptions,
): { session: Session<object>; close: () => void } {
  return sdkSession(sdk, endpoint, retries === undefined ? options : { ...options, retries, backoff: 5 });
}

function codeOf(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  return DynastoreError.is(error) ? error.code : 'not a DynastoreError';
}

describe('requestCompleted against an endpoint nobody listens on', () => {
  for (const sdk of sdks) {
    it(`${sdk}: 2 retries give attempts 3, in one requestCompleted carrying the operation's error`, async () => {
      // A port just freed: connections to it are refused at once, so each attempt fails fast.
      const endpoint = `http://127.0.0.1:${await freePort()}`;
      const outcomes: RequestOutcome[] = [];
      const { session: s, close } = session(sdk, endpoint, 2, {
        hooks: { requestCompleted: (_ctx, outcome) => void outcomes.push(outcome) },
      });
      try {
        const err = await rejection(s.table('agents').put('users', 'user/1', writeWithString('x')));
        expect(err.code).to.equal('REQUEST_FAILED');
        expect(outcomes).to.have.length(1);
        const [outcome] = outcomes;
        expect(outcome).to.include({ command: 'UpdateItem', attempts: 3, conditionFailed: false });
        expect(outcome?.error).to.equal(err);
        expect(outcome?.durationMs).to.be.at.least(0);
      } finally {
        close();
      }
    });
  }
});

forEachServer('requestCompleted', (server) => {
  for (const sdk of sdks) {
    describe(`on ${sdk}`, () => {
      const outcomes: RequestOutcome[] = [];
      let close = (): void => undefined;
      let table: ReturnType<Session<object>['table']>;

      before(async () => {
        const endpoint = await server.endpoint();
        const name = await createTable(rawClient(endpoint), `hooks-${sdk}`);
        const made = session(sdk, endpoint, undefined, {
          returnConsumedCapacity: true,
          hooks: { requestCompleted: (_ctx, outcome) => void outcomes.push(outcome) },
        });
        close = made.close;
        table = made.session.table(name);
      });
      after(() => close());
      beforeEach(() => {
        outcomes.length = 0;
      });

      /** What a request's outcome shows that does not vary between runs. */
      const shown = (o: RequestOutcome): unknown[] => [
        o.command,
        o.itemCount,
        codeOf(o.error),
        o.conditionFailed,
        o.attempts,
      ];

      it('counts the items of every command, one requestCompleted per request', async () => {
        await table.put('users', 'user/1', writeWithString('a'));
        await table.put('users', 'user/2', writeWithString('b'));
        await table.get('users', 'user/1');
        await rejection(table.get('users', 'user/none'));
        await table.exists('users', 'user/2');
        await table.listPage('users', 'user/');
        await table.getMany('users', ['user/1', 'user/2', 'user/none']);
        await table.delete('users', 'user/2');
        expect(outcomes.map(shown)).to.deep.equal([
          ['UpdateItem', undefined, undefined, false, 1],
          ['UpdateItem', undefined, undefined, false, 1],
          ['GetItem', 1, undefined, false, 1],
          ['GetItem', 0, undefined, false, 1],
          ['GetItem', 1, undefined, false, 1],
          ['Query', 2, undefined, false, 1],
          ['BatchGetItem', 2, undefined, false, 1],
          ['DeleteItem', undefined, undefined, false, 1],
        ]);
        for (const o of outcomes) expect(o.durationMs).to.be.at.least(0);
      });

      it('returns the consumed capacity of every successful request when asked', async () => {
        await table.put('cap', 'k', writeWithString('a'));
        await table.get('cap', 'k');
        await table.listPage('cap', '');
        await table.getMany('cap', ['k']);
        await table.get('cap', 'k', { returnConsumedCapacity: false });
        const capacities = outcomes.map((o) => o.consumedCapacity?.CapacityUnits);
        expect(capacities.slice(0, 4).every((units) => typeof units === 'number' && units > 0)).to.equal(
          true,
          `capacity units ${JSON.stringify(capacities)}`,
        );
        expect(capacities[4]).to.equal(undefined);
      });

      it('reports a failed condition with the code the operation reports', async () => {
        const created = await table.atomicPut('cond', 'k', writeWithString('a'));
        expect(codeOf(await table.atomicPut('cond', 'k').catch((e: unknown) => e))).to.equal('KEY_EXISTS');
        await table.atomicPut('cond', 'k', writeWithString('b'), writeWithPreviousKV(created));
        const stale = await rejection(table.atomicPut('cond', 'k', writeWithPreviousKV(created)));
        expect(stale.code).to.equal('KEY_MODIFIED');
        expect((await rejection(table.atomicDelete('cond', 'k'))).code).to.equal('KEY_EXISTS');
        const compare = server.returnsOldItem
          ? [['UpdateItem', undefined, 'KEY_MODIFIED', true, 1]]
          : // dynalite returns no old item: the GetItem that tells why completes first.
            [
              ['GetItem', 1, undefined, false, 1],
              ['UpdateItem', undefined, 'KEY_MODIFIED', true, 1],
            ];
        expect(outcomes.map(shown)).to.deep.equal([
          ['PutItem', undefined, undefined, false, 1],
          ['PutItem', undefined, 'KEY_EXISTS', true, 1],
          ['UpdateItem', undefined, undefined, false, 1],
          ...compare,
          ['DeleteItem', undefined, 'KEY_EXISTS', true, 1],
        ]);
        expect(outcomes.filter((o) => o.conditionFailed).every((o) => o.consumedCapacity === undefined)).to.equal(true);
      });

      it('a retried create that meets its own landed write: the condition failed, and no error', async () => {
        const endpoint = await server.endpoint();
        // The first PutItem lands, but its reply is lost: the SDK sends it again, and the condition meets it.
        const proxy = await faultProxy(endpoint, (_n, request) =>
          request.command === 'PutItem' && request.nOfCommand === 1 ? 'lose-reply' : 'forward',
        );
        const seen: RequestOutcome[] = [];
        const made = session(sdk, proxy.endpoint, undefined, {
          hooks: { requestCompleted: (_ctx, outcome) => void seen.push(outcome) },
        });
        try {
          const kv = await made.session.table(table.tableName).atomicPut('own', 'k', writeWithString('mine'));
          expect(kv.version).to.equal(1);
          const put = seen.find((o) => o.command === 'PutItem');
          expect(put && shown(put)).to.deep.equal(['PutItem', undefined, undefined, true, 2]);
          // Where the server returns no old item, one GetItem reads it, and completes before the PutItem is reported.
          expect(seen.map((o) => o.command)).to.deep.equal(
            server.returnsOldItem ? ['PutItem'] : ['GetItem', 'PutItem'],
          );
        } finally {
          made.close();
          await proxy.close();
        }
      });
    });
  }
});
