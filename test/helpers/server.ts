import DynamoDB from 'aws-sdk/clients/dynamodb';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import dynalite from 'dynalite';

/** The table definition the README documents, shared by tests and the demo. */
export const tableDefinition = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'docs', 'table.json'), 'utf8'),
) as DynamoDB.CreateTableInput;

/** Credentials and region for a local server; nothing is sent to AWS. */
export const localConfig = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  maxRetries: 0,
} as const;

let server: Promise<{ server: Server; endpoint: string }> | undefined;

/** Starts one in-memory dynalite for the whole run, on a free loopback port. */
export function startDynalite(): Promise<string> {
  server ??= new Promise((resolve, reject) => {
    const s = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      resolve({ server: s, endpoint: `http://127.0.0.1:${port}` });
    });
  });
  return server.then((s) => s.endpoint);
}

/** Stops the server if one was started. */
export async function stopDynalite(): Promise<void> {
  if (server === undefined) return;
  const { server: s } = await server;
  server = undefined;
  await new Promise<void>((resolve) => s.close(() => resolve()));
}

/** A raw aws-sdk client for the local server. */
export function rawClient(endpoint: string): DynamoDB {
  return new DynamoDB({ ...localConfig, endpoint });
}

let tables = 0;

/** Creates a fresh table with the documented definition and a unique name. */
export async function createTable(ddb: DynamoDB, prefix = 'test'): Promise<string> {
  const TableName = `${prefix}-${process.pid}-${++tables}`;
  await ddb.createTable({ ...tableDefinition, TableName }).promise();
  await ddb.waitFor('tableExists', { TableName, $waiter: { delay: 0.05, maxAttempts: 100 } }).promise();
  return TableName;
}
