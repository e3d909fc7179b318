import type DynamoDB from 'aws-sdk/clients/dynamodb';
import { DynastoreError } from '../errors';
import type { Streams } from './output';

/** The table dynastore expects: hash key `id`, range key `name`, both strings, as docs/table.json. */
function definition(tableName: string, indexes: boolean): DynamoDB.CreateTableInput {
  const input: DynamoDB.CreateTableInput = {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [
      { AttributeName: 'id', KeyType: 'HASH' },
      { AttributeName: 'name', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: 'id', AttributeType: 'S' },
      { AttributeName: 'name', AttributeType: 'S' },
    ],
  };
  if (!indexes) return input;
  input.AttributeDefinitions.push(
    { AttributeName: 'created', AttributeType: 'S' },
    { AttributeName: 'pk1', AttributeType: 'S' },
    { AttributeName: 'sk1', AttributeType: 'S' },
  );
  input.LocalSecondaryIndexes = [
    {
      IndexName: 'idx_created',
      KeySchema: [
        { AttributeName: 'id', KeyType: 'HASH' },
        { AttributeName: 'created', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ];
  input.GlobalSecondaryIndexes = [
    {
      IndexName: 'idx_global_1',
      KeySchema: [
        { AttributeName: 'pk1', KeyType: 'HASH' },
        { AttributeName: 'sk1', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ];
  return input;
}

/** The service's error name on an aws-sdk v2 error. */
function awsCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

/** An SDK failure as the library reports one: REQUEST_FAILED, the service's name, the cause. */
function requestFailed(what: string, err: unknown): DynastoreError {
  const code = awsCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  return new DynastoreError('REQUEST_FAILED', `${what}: ${detail}`, { cause: err, awsCode: code });
}

/**
 * Creates the table, waits until it is active, and turns on TTL on
 * `expires`. A server without the TTL API (dynalite answers
 * UnknownOperation) still gets the table, and stderr says TTL is off.
 *
 * @internal
 */
export async function createTable(ddb: DynamoDB, tableName: string, indexes: boolean, out: Streams): Promise<void> {
  try {
    await ddb.createTable(definition(tableName, indexes)).promise();
    await ddb.waitFor('tableExists', { TableName: tableName, $waiter: { delay: 1, maxAttempts: 120 } }).promise();
  } catch (err) {
    throw requestFailed(`could not create table ${JSON.stringify(tableName)}`, err);
  }
  try {
    await ddb
      .updateTimeToLive({ TableName: tableName, TimeToLiveSpecification: { AttributeName: 'expires', Enabled: true } })
      .promise();
  } catch (err) {
    const code = awsCode(err);
    if (code !== 'UnknownOperation' && code !== 'UnknownOperationException') {
      throw requestFailed(`created table ${JSON.stringify(tableName)}, but could not enable TTL on 'expires'`, err);
    }
    out.stderr.write(
      `dynastore: note: this server has no TTL API (${code}); table ${JSON.stringify(tableName)} was created without TTL. ` +
        'Expired items are still hidden from reads, but the server will not delete them.\n',
    );
  }
  out.stdout.write(`created table ${tableName}\n`);
}
