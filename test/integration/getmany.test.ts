// getMany against each real server, where BatchGetItem answers with fewer
// items than asked for because the response is too big, not because of
// throttling: dynalite stops at about 1 MB (three of these items), DynamoDB
// and DynamoDB Local at 16 MB.
import { expect } from 'chai';
import { operationName, writeWithString, type Partition } from '../../lib';
import { budget } from '../helpers/budget';
import { forEachTarget } from '../helpers/sdk';
import { createTable, rawClient } from '../helpers/server';

const ITEMS = 60;
/** Near the 400 KB item limit, so that a response holds only a few items. */
const PAYLOAD = 'x'.repeat(390 * 1024);
/** A 390 KB request or response takes far longer than a small one; this is a loaded machine's figure. */
const PER_LARGE_REQUEST_MS = 250;

forEachTarget('getMany of large items', (target) => {
  let p: Partition;
  let batchGets = 0;

  before(async function () {
    this.timeout(budget(ITEMS, PER_LARGE_REQUEST_MS));
    const endpoint = await target.server.endpoint();
    const ddb = rawClient(endpoint);
    const session = target.session(endpoint, {
      hooks: {
        requestBuilt: (ctx) => {
          if (operationName(ctx) === 'GetMany') batchGets++;
        },
      },
    });
    p = session.table(await createTable(ddb, 'getmany')).partition('large');
    for (let i = 0; i < ITEMS; i++) await p.put(`item/${i}`, writeWithString(PAYLOAD));
  });

  it(`reads ${ITEMS} items of 390 KB, however many responses DynamoDB cuts them into`, async function () {
    // At worst one item per response; each attempt that returns items is progress, not a failed attempt.
    this.timeout(budget(ITEMS, PER_LARGE_REQUEST_MS));
    const keys = Array.from({ length: ITEMS }, (_, i) => `item/${ITEMS - 1 - i}`);
    const pairs = await p.getMany(keys);
    expect(pairs.map((kv) => kv?.key)).to.deep.equal(keys);
    for (const kv of pairs) expect(kv?.stringValue()).to.have.length(PAYLOAD.length);
    // Nothing to retry would mean the server never cut a response, and this test would prove nothing.
    expect(batchGets).to.be.greaterThan(1);
  });
});
