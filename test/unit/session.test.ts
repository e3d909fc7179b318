import { expect } from 'chai';
import AWS from 'aws-sdk';
import { DynastoreError, Partition, Session, Table } from '../../lib';

describe('Session', () => {
  it('builds its own client from config', () => {
    const session = new Session({ config: { region: 'eu-west-1', endpoint: 'http://127.0.0.1:8000' } });
    expect(session.client).to.be.instanceOf(AWS.DynamoDB);
    expect(session.client.config.region).to.equal('eu-west-1');
    expect(session.client.endpoint.href).to.equal('http://127.0.0.1:8000/');
  });

  it('uses an injected client as is', () => {
    const client = new AWS.DynamoDB({ region: 'us-west-2' });
    expect(new Session({ client }).client).to.equal(client);
  });

  it('builds a default client when given nothing', () => {
    expect(new Session().client).to.be.instanceOf(AWS.DynamoDB);
  });

  it('hands out tables and partitions', () => {
    const session = new Session({ config: { region: 'us-east-1' } });
    const table = session.table('agents');
    expect(table).to.be.instanceOf(Table);
    expect(table.tableName).to.equal('agents');
    const users = table.partition('users');
    expect(users).to.be.instanceOf(Partition);
    expect(users).to.include({ tableName: 'agents', partitionName: 'users', table });
    expect(new Table(session, 'agents').tableName).to.equal('agents');
    expect(new Partition(table, 'users').partitionName).to.equal('users');
  });

  describe('refuses bad options with INVALID_ARGUMENT', () => {
    const client = new AWS.DynamoDB({ region: 'us-east-1' });
    const cases: Array<[string, unknown, string]> = [
      ['client and config', { client, config: {} }, 'not both'],
      ['a client that is not a DynamoDB client', { client: {} }, 'client'],
      ['hooks that are not an object', { hooks: 5 }, 'hooks'],
      ['requestBuilt that is not a function', { hooks: { requestBuilt: 'x' } }, 'requestBuilt'],
      ['a clock that is not a function', { clock: 5 }, 'clock'],
      ['a tokenSecret shorter than 16 bytes', { tokenSecret: 'short' }, 'tokenSecret'],
      ['a tokenSecret that is not a string or bytes', { tokenSecret: 5 }, 'tokenSecret'],
      ['options that are not an object', null, 'object'],
    ];
    for (const [what, options, mention] of cases) {
      it(what, () => {
        expect(() => new Session(options as never))
          .to.throw(DynastoreError, mention)
          .with.property('code', 'INVALID_ARGUMENT');
      });
    }

    it('a table name outside DynamoDB rules', () => {
      const session = new Session({ client });
      for (const name of ['ab', 'has space', 'x'.repeat(256), 5]) {
        expect(() => session.table(name as never)).to.throw(DynastoreError, 'table name');
      }
    });
  });
});
