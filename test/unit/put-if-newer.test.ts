import { expect } from 'chai';
import { DynastoreError, writeWithFields, writeWithString, writeWithTTL, type RequestOutcome } from '../../lib';
import { rejection } from '../helpers/expect';
import { serviceError, stubSession } from '../helpers/stub-client';

const NOW = 1_700_000_000_000;
const clock = (): number => NOW;
const T = 'agents';

describe('putIfNewer', () => {
  it('sends one conditional PutItem of the whole item, every name through a placeholder', async () => {
    const { session, calls } = stubSession(() => ({}), { clock });
    const r = await session
      .table(T)
      .partition('p')
      .putIfNewer('k', 12, writeWithString('v'), writeWithFields({ f: 'x' }), writeWithTTL(60_000));
    expect(r.written).to.equal(true);
    expect(r.pair.version).to.equal(12);
    expect(r.pair.stringValue()).to.equal('v');
    expect(calls).to.have.length(1);
    expect(calls[0]?.command).to.equal('PutItem');
    expect(calls[0]?.input).to.deep.equal({
      TableName: T,
      Item: {
        f: { S: 'x' },
        id: { S: 'p' },
        name: { S: 'k' },
        version: { N: '12' },
        payload: { S: 'v' },
        expires: { N: String(NOW / 1000 + 60) },
      },
      ConditionExpression: 'attribute_not_exists(#n0) OR #n0 < :v0 OR #n1 <= :v1',
      ExpressionAttributeNames: { '#n0': 'version', '#n1': 'expires' },
      ExpressionAttributeValues: { ':v0': { N: '12' }, ':v1': { N: String(NOW / 1000) } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('uses the table’s attribute names', async () => {
    const { session, calls } = stubSession(() => ({}), { clock });
    const table = session.table(T, { attributes: { partitionKey: 'namespace', sortKey: 'key', value: 'item' } });
    await table.putIfNewer('features', 'flag', 3, writeWithString('{}'));
    expect(calls[0]?.input.Item).to.deep.equal({
      namespace: { S: 'features' },
      key: { S: 'flag' },
      version: { N: '3' },
      item: { S: '{}' },
    });
  });

  it('loses to a newer or same version: the pair is the returned item, with no second request', async () => {
    const stored = { id: { S: 'p' }, name: { S: 'k' }, version: { N: '20' }, payload: { S: 'theirs' } };
    const { session, calls } = stubSession(() => {
      throw serviceError('ConditionalCheckFailedException', { Item: stored });
    });
    const outcomes: RequestOutcome[] = [];
    const hooked = stubSession(
      () => {
        throw serviceError('ConditionalCheckFailedException', { Item: stored });
      },
      { hooks: { requestCompleted: (_ctx, o) => void outcomes.push(o) } },
    );
    const r = await session.table(T).putIfNewer('p', 'k', 12, writeWithString('mine'));
    expect(r.written).to.equal(false);
    expect(r.pair.version).to.equal(20);
    expect(r.pair.stringValue()).to.equal('theirs');
    expect(calls).to.have.length(1);
    await hooked.session.table(T).putIfNewer('p', 'k', 12);
    expect(outcomes).to.have.length(1);
    expect(outcomes[0]?.conditionFailed).to.equal(true);
    expect(outcomes[0]?.error).to.equal(undefined);
  });

  it('reads the winner with one consistent GetItem where the server returns no item (dynalite)', async () => {
    const stored = { id: { S: 'p' }, name: { S: 'k' }, version: { N: '20' } };
    const { session, calls } = stubSession((call) => {
      if (call.command === 'PutItem') throw serviceError('ConditionalCheckFailedException');
      return { Item: stored };
    });
    const r = await session.table(T).putIfNewer('p', 'k', 12);
    expect(r).to.include({ written: false });
    expect(r.pair.version).to.equal(20);
    expect(calls.map((c) => c.command)).to.deep.equal(['PutItem', 'GetItem']);
    expect(calls[1]?.input).to.deep.equal({
      TableName: T,
      Key: { id: { S: 'p' }, name: { S: 'k' } },
      ConsistentRead: true,
    });
  });

  it('is exact under SDK retries: a retry whose condition meets this very write resolves written', async () => {
    const { session } = stubSession((call) => {
      throw serviceError('ConditionalCheckFailedException', { Item: call.input.Item }, 2);
    });
    const r = await session.table(T).putIfNewer('p', 'k', 12, writeWithString('mine'));
    expect(r.written).to.equal(true);
    expect(r.pair.version).to.equal(12);
  });

  it('a retry that meets another write at the same version is a loss', async () => {
    const other = { id: { S: 'p' }, name: { S: 'k' }, version: { N: '12' }, payload: { S: 'theirs' } };
    const { session } = stubSession(() => {
      throw serviceError('ConditionalCheckFailedException', { Item: other }, 2);
    });
    const r = await session.table(T).putIfNewer('p', 'k', 12, writeWithString('mine'));
    expect(r.written).to.equal(false);
    expect(r.pair.stringValue()).to.equal('theirs');
  });

  it('writes again when the winner is gone before it could be read, and gives up after 5 tries', async () => {
    let puts = 0;
    const { session, calls } = stubSession((call) => {
      if (call.command === 'PutItem') {
        puts++;
        if (puts === 1) throw serviceError('ConditionalCheckFailedException');
        return {};
      }
      return {};
    });
    expect((await session.table(T).putIfNewer('p', 'k', 12)).written).to.equal(true);
    expect(calls.map((c) => c.command)).to.deep.equal(['PutItem', 'GetItem', 'PutItem']);

    const always = stubSession((call) => {
      if (call.command === 'PutItem') throw serviceError('ConditionalCheckFailedException');
      return {};
    });
    const err = await rejection(always.session.table(T).putIfNewer('p', 'k', 12));
    expect(err).to.be.instanceOf(DynastoreError).with.property('code', 'REQUEST_FAILED');
    expect(always.calls.filter((c) => c.command === 'PutItem')).to.have.length(5);
  });

  it('refuses a bad version, previous, or a reserved field before any request', async () => {
    const { session, calls } = stubSession(() => ({}));
    const p = session.table(T, { attributes: { value: 'item' } }).partition('p');
    for (const version of [0, -1, 1.5, NaN, '3', 2 ** 53]) {
      const err = await rejection(p.putIfNewer('k', version as number));
      expect(err).to.have.property('code', 'INVALID_ARGUMENT');
    }
    const prev = await rejection(p.putIfNewer('k', 1, { previous: { version: 1 } } as never));
    expect(prev).to.have.property('code', 'INVALID_ARGUMENT');
    const reserved = await rejection(p.putIfNewer('k', 1, writeWithFields({ item: 'x' })));
    expect(reserved).to.have.property('code', 'RESERVED_FIELD');
    // payload is no reserved name in a table whose value attribute is item
    await p.putIfNewer('k', 1, writeWithFields({ payload: 'x' }));
    expect(calls).to.have.length(1);
  });

  it('reports its requests to hooks as PutIfNewer', async () => {
    const ops: string[] = [];
    const { session } = stubSession(() => ({}), {
      hooks: { requestBuilt: (ctx) => void ops.push(`${ctx.operation} ${ctx.command}`) },
    });
    await session.table(T).putIfNewer('p', 'k', 1);
    expect(ops).to.deep.equal(['PutIfNewer PutItem']);
  });
});
