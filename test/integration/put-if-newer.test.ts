// putIfNewer against real servers: the newer version wins, the loser is told
// the stored item, in one request where the server returns the old item, and
// the answer is exact when a reply is lost and the SDK retries.
import { expect } from 'chai';
import type DynamoDB from 'aws-sdk/clients/dynamodb';
import { Session, writeWithFields, writeWithString, writeWithTTL, type CommandName, type Partition } from '../../lib';
import { faultProxy, type FaultProxy, type Plan } from '../helpers/proxy';
import { forEachTarget } from '../helpers/sdk';
import { createTable, rawClient } from '../helpers/server';

forEachTarget('putIfNewer', (target) => {
  let ddb: DynamoDB;
  let endpoint: string;
  let tableName: string;
  let p: Partition;
  let now: number;
  let n = 0;
  const commands: CommandName[] = [];

  before(async () => {
    endpoint = await target.server.endpoint();
    ddb = rawClient(endpoint);
    tableName = await createTable(ddb, 'newer');
  });

  beforeEach(() => {
    now = Date.UTC(2030, 0, 1);
    commands.length = 0;
    const session = target.session(endpoint, {
      clock: () => now,
      hooks: { requestCompleted: (ctx) => void commands.push(ctx.command) },
    });
    p = session.table(tableName).partition(`p${++n}`);
  });

  it('writes over an absent item, an older version, and an expired item', async () => {
    let r = await p.putIfNewer('k', 5, writeWithString('five'), writeWithFields({ f: 'x' }));
    expect(r.written).to.equal(true);
    expect(r.pair).to.include({ key: 'k', version: 5 });
    r = await p.putIfNewer('k', 6, writeWithString('six'), writeWithTTL(1000));
    expect(r.written).to.equal(true);
    const stored = await p.get('k');
    expect(stored.stringValue()).to.equal('six');
    expect(stored.fields, 'the write replaces the whole item').to.deep.equal({});
    now += 5000;
    r = await p.putIfNewer('k', 1, writeWithString('one'));
    expect(r.written, 'an expired item counts as absent').to.equal(true);
    expect((await p.get('k')).version).to.equal(1);
  });

  it('loses to the same or a newer version, and answers the stored item', async () => {
    await p.putIfNewer('k', 10, writeWithString('ten'));
    for (const version of [10, 9, 1]) {
      commands.length = 0;
      const r = await p.putIfNewer('k', version, writeWithString('mine'));
      expect(r.written).to.equal(false);
      expect(r.pair).to.include({ key: 'k', version: 10 });
      expect(r.pair.stringValue()).to.equal('ten');
      // Without the old item (dynalite), the failed PutItem is reported once the GetItem tells what it meant.
      expect(commands).to.deep.equal(target.server.returnsOldItem ? ['PutItem'] : ['GetItem', 'PutItem']);
    }
    expect((await p.get('k')).stringValue()).to.equal('ten');
  });

  it('writes over an item that has no version, as another tool wrote it', async () => {
    await ddb
      .putItem({ TableName: tableName, Item: { id: { S: p.partitionName }, name: { S: 'k' }, payload: { S: 'x' } } })
      .promise();
    expect((await p.putIfNewer('k', 1, writeWithString('mine'))).written).to.equal(true);
  });

  describe('when the reply is lost', () => {
    let proxy: FaultProxy;
    let plan: Plan = () => 'forward';
    before(async () => {
      proxy = await faultProxy(endpoint, (i, request) => plan(i, request));
    });
    after(() => proxy.close());
    afterEach(() => {
      plan = () => 'forward';
    });

    it('resolves written: the retry meets this very write', async () => {
      const through = target.session(proxy.endpoint).table(tableName).partition(p.partitionName);
      await p.putIfNewer('k', 1, writeWithString('old'));
      plan = (_i, request) => (request.command === 'PutItem' && request.nOfCommand === 1 ? 'lose-reply' : 'forward');
      const r = await through.putIfNewer('k', 2, writeWithString('mine'), writeWithFields({ f: 1 }));
      expect(r.written).to.equal(true);
      expect(r.pair.version).to.equal(2);
      expect(proxy.commands.filter((c) => c === 'PutItem').length).to.be.at.least(2);
      const stored = await new Session({ client: ddb }).table(tableName).partition(p.partitionName).get('k');
      expect(stored.stringValue()).to.equal('mine');
    });

    it('resolves not written when another writer wrote a newer version before the retry', async () => {
      const through = target.session(proxy.endpoint).table(tableName).partition(p.partitionName);
      plan = async (_i, request) => {
        if (request.command !== 'PutItem') return 'forward';
        if (request.nOfCommand === 1) return 'lose-reply';
        await p.putIfNewer('k', 9, writeWithString('theirs'));
        return 'forward';
      };
      const r = await through.putIfNewer('k', 2, writeWithString('mine'));
      expect(r.written).to.equal(false);
      expect(r.pair.stringValue()).to.equal('theirs');
    });
  });
});
