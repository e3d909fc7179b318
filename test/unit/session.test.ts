import { expect } from 'chai';
import AWS from 'aws-sdk';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import sinon from 'sinon';
import { DynastoreError, Partition, Session, Table } from '../../lib';

describe('Session', () => {
  it('builds its own client from config', () => {
    const session = new Session({ config: { region: 'eu-west-1', endpoint: 'http://127.0.0.1:8000' } });
    expect(session.client).to.be.instanceOf(AWS.DynamoDB);
    expect(session.client.config.region).to.equal('eu-west-1');
    expect(session.client.endpoint.href).to.equal('http://127.0.0.1:8000/');
  });

  describe('connection reuse', () => {
    it('gives a client built from config a keep-alive agent for its protocol', () => {
      const local = new Session({ config: { region: 'us-east-1', endpoint: 'http://127.0.0.1:8000' } });
      const agent = local.client.config.httpOptions?.agent as HttpAgent;
      expect(agent).to.be.instanceOf(HttpAgent).and.not.instanceOf(HttpsAgent);
      expect(agent).to.include({ keepAlive: true, maxSockets: 50 });
      const aws = new Session({ config: { region: 'eu-west-1', httpOptions: { timeout: 1234 } } });
      expect(aws.client.config.httpOptions?.agent).to.be.instanceOf(HttpsAgent);
      expect(aws.client.config.httpOptions?.timeout).to.equal(1234);
    });

    it("leaves a user's agent and an injected client alone, and close() does not touch them", () => {
      const agent = new HttpAgent();
      const destroy = sinon.spy(agent, 'destroy');
      const session = new Session({ config: { region: 'us-east-1', httpOptions: { agent } } });
      expect(session.client.config.httpOptions?.agent).to.equal(agent);
      session.close();
      const client = new AWS.DynamoDB({ region: 'us-east-1' });
      const injected = new Session({ client });
      expect(client.config.httpOptions?.agent).to.equal(undefined);
      injected.close();
      expect(destroy.called).to.equal(false);
    });

    it('close() destroys the agent the session made', () => {
      const session = new Session({ config: { region: 'us-east-1', endpoint: 'http://127.0.0.1:8000' } });
      const destroy = sinon.spy(session.client.config.httpOptions?.agent as HttpAgent, 'destroy');
      session.close();
      expect(destroy.calledOnce).to.equal(true);
    });
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
