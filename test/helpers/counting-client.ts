// A real aws-sdk v2 `AWS.DynamoDB` whose six methods sinon replaces: every
// request is counted, checked as the SDK checks it (its own ParamValidator,
// against the API model) and as DynamoDB would (what it refuses that the SDK
// lets through), and answered with a canned, valid response built from the
// request itself. Nothing goes over the network, and the same request always
// gets the same answer, so two runs of one call can be compared.
//
// What the answers depend on, in the sort key (`name`) of the request:
// - a key containing CONFLICT (`~cf`) fails every conditional write that asks
//   for the old item (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`), with
//   the stored item in the error, as DynamoDB does;
// - one containing CONFLICT_NO_ITEM (`~cg`) fails them without it, as
//   dynalite does, so the library reads the item with a GetItem, which
//   then finds it;
// - a GetItem finds nothing for one key in three (by a hash of the key),
//   and the stored item otherwise: version 7, expiring a day after `now`;
// - a BatchWriteItem processes every write.
//
// A table laid out with other attribute names (TableOptions.attributes) is
// told to the client with `layouts.set(tableName, names)`: its requests are
// checked and answered in those names.
import AWS from 'aws-sdk';
import sinon from 'sinon';

export type Command = 'getItem' | 'putItem' | 'updateItem' | 'deleteItem' | 'query' | 'batchGetItem' | 'batchWriteItem';

const COMMANDS: readonly Command[] = [
  'getItem',
  'putItem',
  'updateItem',
  'deleteItem',
  'query',
  'batchGetItem',
  'batchWriteItem',
];

/** A sort-key marker: conditional writes fail, with the old item returned. */
export const CONFLICT = '~cf';
/** A sort-key marker: conditional writes fail, and the old item is not returned. */
export const CONFLICT_NO_ITEM = '~cg';

/** One request the client received. */
export interface SentRequest {
  readonly command: Command;
  readonly params: Record<string, unknown>;
  /** Why the SDK or DynamoDB would refuse it, when it would: the request then fails. */
  readonly refused?: string;
}

export interface CountingClient {
  readonly client: AWS.DynamoDB;
  /** The attribute names of tables not laid out as the default (`id`, `name`, …), by table name. */
  readonly layouts: Map<string, Layout>;
  /** The requests received since the last {@link CountingClient.reset}. */
  readonly sent: SentRequest[];
  /** Forgets the requests received so far. */
  reset(): void;
  /** Puts the client's own methods back. */
  restore(): void;
}

type Item = Record<string, Record<string, unknown>>;

/** The names of the attributes dynastore owns in a table's items. */
export interface Layout {
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly value: string;
  readonly version: string;
  readonly expires: string;
}

export const DEFAULT_LAYOUT: Layout = {
  partitionKey: 'id',
  sortKey: 'name',
  value: 'payload',
  version: 'version',
  expires: 'expires',
};

/** aws-sdk v2's validator, which its typings do not declare. */
interface ParamValidator {
  validate(shape: unknown, params: unknown): void;
}
const { ParamValidator } = AWS as unknown as { ParamValidator: new (validation: boolean) => ParamValidator };

/** DynamoDB's largest `Limit`. */
const MAX_LIMIT = 2 ** 31 - 1;

/**
 * A counting client whose stored items expire a day after `now` (milliseconds
 * since the epoch, the clock of the sessions over it).
 */
export function countingClient(now: number): CountingClient {
  const client = new AWS.DynamoDB({
    region: 'us-east-1',
    credentials: { accessKeyId: 'fuzz', secretAccessKey: 'fuzz' },
    endpoint: 'http://127.0.0.1:9',
  });
  const operations = (client as unknown as { api: { operations: Record<string, { input: unknown }> } }).api.operations;
  const validator = new ParamValidator(true);
  const expires = String(Math.floor(now / 1000) + 86_400);
  const sent: SentRequest[] = [];
  const layouts = new Map<string, Layout>();
  const layoutOf = (params: Record<string, unknown>): Layout => {
    // A BatchWriteItem names its table in RequestItems.
    const table = params.TableName ?? Object.keys(params.RequestItems ?? {})[0];
    return (typeof table === 'string' ? layouts.get(table) : undefined) ?? DEFAULT_LAYOUT;
  };
  // sinon.replace, not a stub: a stub records every call, and a fuzzer makes tens of thousands.
  const sandbox = sinon.createSandbox();
  for (const command of COMMANDS) {
    sandbox.replace(client, command, ((params: Record<string, unknown>) => {
      const refused = refusal(validator, operations[command]?.input, command, params, layoutOf(params));
      sent.push(refused === undefined ? { command, params } : { command, params, refused });
      const settle = (): Promise<unknown> =>
        refused === undefined
          ? answer(command, params, expires, layoutOf(params))
          : Promise.reject(
              awsError(refused.startsWith('SDK:') ? 'InvalidParameterType' : 'ValidationException', refused),
            );
      let promise: Promise<unknown> | undefined;
      // Only what the library's adapter uses of an AWS.Request; the promise is made when asked for, so
      // that a refusal nobody asks for is no unhandled rejection.
      return { promise: () => (promise ??= settle()), abort: () => undefined };
    }) as never);
  }
  return {
    client,
    layouts,
    sent,
    reset() {
      sent.length = 0;
    },
    restore() {
      sandbox.restore();
    },
  };
}

function awsError(code: string, message: string, item?: Item): Error {
  const err = Object.assign(new Error(message), { code, statusCode: 400, retryable: false });
  if (item !== undefined) Object.defineProperty(err, 'Item', { value: item, enumerable: false });
  return err;
}

/** A small stable hash, so that the same key always gets the same answer. */
function hash(s: string): number {
  let h = 5381;
  for (let i = 0; i < s.length; i++) h = (h * 33 + s.charCodeAt(i)) >>> 0;
  return h;
}

function str(av: unknown): string {
  const s = (av as { S?: unknown } | undefined)?.S;
  return typeof s === 'string' ? s : '';
}

function storedItem(id: string, name: string, expires: string, layout: Layout = DEFAULT_LAYOUT): Item {
  const item: Item = { tag: { S: 'stored tag' } };
  item[layout.partitionKey] = { S: id };
  item[layout.sortKey] = { S: name };
  item[layout.version] = { N: '7' };
  item[layout.value] = { S: 'stored' };
  item[layout.expires] = { N: expires };
  return item;
}

async function answer(
  command: Command,
  params: Record<string, unknown>,
  expires: string,
  layout: Layout,
): Promise<unknown> {
  // An answer comes asynchronously, as the SDK's does.
  await Promise.resolve();
  const key = params.Key as Item | undefined;
  const item = params.Item as Item | undefined;
  const id = str(key?.[layout.partitionKey] ?? item?.[layout.partitionKey]);
  const name = str(key?.[layout.sortKey] ?? item?.[layout.sortKey]);
  const stored = storedItem(id, name, expires, layout);
  if (command !== 'query' && command !== 'batchGetItem' && command !== 'getItem' && command !== 'batchWriteItem') {
    const conditional = typeof params.ConditionExpression === 'string';
    if (conditional && params.ReturnValuesOnConditionCheckFailure === 'ALL_OLD') {
      if (name.includes(CONFLICT))
        throw awsError('ConditionalCheckFailedException', 'conditional check failed', stored);
      if (name.includes(CONFLICT_NO_ITEM))
        throw awsError('ConditionalCheckFailedException', 'conditional check failed');
    }
  }
  switch (command) {
    case 'getItem':
      // The item a condition failed on is there when it is read.
      return hash(name) % 3 === 0 && !name.includes(CONFLICT_NO_ITEM) ? {} : { Item: stored };
    case 'updateItem':
      return params.ReturnValues === 'ALL_NEW' ? { Attributes: { ...stored, version: { N: '8' } } } : {};
    case 'putItem':
    case 'deleteItem':
      return {};
    case 'query':
      return queryAnswer(params, expires, layout);
    case 'batchGetItem': {
      const requestItems = params.RequestItems as Record<string, { Keys: Item[] }>;
      const responses: Record<string, Item[]> = {};
      for (const table of Object.keys(requestItems)) {
        responses[table] = (requestItems[table]?.Keys ?? [])
          .filter((k) => hash(str(k.name)) % 3 !== 0)
          .map((k) => storedItem(str(k.id), str(k.name), expires));
      }
      return { Responses: responses, UnprocessedKeys: {} };
    }
    case 'batchWriteItem':
      return { UnprocessedItems: {} };
  }
}

/**
 * One item matching the query, and, on the first page only, a
 * LastEvaluatedKey of the table's or index's key attributes, so that a
 * listing takes two pages.
 */
function queryAnswer(params: Record<string, unknown>, expires: string, layout: Layout): unknown {
  const names = (params.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (params.ExpressionAttributeValues ?? {}) as Item;
  // `#p = :p` or `#p = :p AND begins_with(#s, :s)`: the library's own placeholders.
  const placeholders = /^(#\w+) = (:\w+)(?: AND begins_with\((#\w+), (:\w+)\))?$/.exec(
    String(params.KeyConditionExpression),
  );
  if (placeholders === null) return { Items: [], Count: 0 };
  const [, p, pv, s, sv] = placeholders;
  const partitionAttribute = names[p ?? ''] ?? layout.partitionKey;
  const partition = str(values[pv ?? '']);
  const sortAttribute = s === undefined ? (params.IndexName === undefined ? layout.sortKey : undefined) : names[s];
  const sort = sv === undefined ? 'a' : str(values[sv]) || 'a';
  const item: Item = storedItem(
    partitionAttribute === layout.partitionKey ? partition : 'p',
    sortAttribute === layout.sortKey ? sort : 'n',
    expires,
    layout,
  );
  if (sortAttribute !== undefined) item[sortAttribute] = { S: sort };
  item[partitionAttribute] = { S: partition };
  const page: Record<string, unknown> = { Items: [item], Count: 1 };
  if (params.ExclusiveStartKey === undefined && sortAttribute !== undefined) {
    const lastKey: Item = {
      [layout.partitionKey]: item[layout.partitionKey] ?? {},
      [layout.sortKey]: item[layout.sortKey] ?? {},
    };
    lastKey[partitionAttribute] = { S: partition };
    lastKey[sortAttribute] = { S: sort };
    page.LastEvaluatedKey = lastKey;
  }
  return page;
}

/** Why the SDK (`SDK: …`) or DynamoDB would refuse a request, or undefined. */
function refusal(
  validator: ParamValidator,
  shape: unknown,
  command: Command,
  params: Record<string, unknown>,
  layout: Layout,
): string | undefined {
  try {
    validator.validate(shape, params);
  } catch (err) {
    return `SDK: ${(err as Error).message}`;
  }
  const limit = params.Limit;
  if (limit !== undefined && (typeof limit !== 'number' || limit > MAX_LIMIT)) {
    return `${command}: Limit ${typeof limit === 'number' ? limit : typeof limit} is over DynamoDB's ${MAX_LIMIT}`;
  }
  const keyless = (item: Item): boolean => str(item[layout.partitionKey]) === '' || str(item[layout.sortKey]) === '';
  for (const member of ['Key', 'Item'] as const) {
    const item = params[member] as Item | undefined;
    if (item !== undefined && keyless(item)) return `${command}: an empty or missing key attribute in ${member}`;
  }
  if (command === 'batchWriteItem') {
    const requests = Object.values(params.RequestItems as Record<string, Record<string, Record<string, Item>>[]>);
    for (const writes of requests) {
      if (writes.length > 25) return `${command}: ${writes.length} writes, over DynamoDB's 25`;
      const keys = new Set<string>();
      for (const w of writes) {
        const item = w.PutRequest?.Item ?? w.DeleteRequest?.Key;
        if (item === undefined || keyless(item)) return `${command}: an empty or missing key attribute`;
        const k = JSON.stringify([str(item[layout.partitionKey]), str(item[layout.sortKey])]);
        if (keys.has(k)) return `${command}: a key written twice in one request`;
        keys.add(k);
      }
    }
  }
  return badValue(params, command, 0);
}

/**
 * A number DynamoDB would refuse by its syntax (digits with an optional
 * `-`, `.` and exponent). Linear: no part of the pattern can match what
 * another part matched.
 */
const NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The first string DynamoDB would change (a lone surrogate becomes U+FFFD) or number it refuses, anywhere in `v`. */
function badValue(v: unknown, path: string, depth: number): string | undefined {
  if (typeof v === 'string') return v.isWellFormed() ? undefined : `${path}: a string with a lone surrogate`;
  if (typeof v !== 'object' || v === null || v instanceof Uint8Array || depth > 40) return undefined;
  const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
  for (const [k, x] of entries) {
    if (!k.isWellFormed()) return `${path}: a name with a lone surrogate`;
    if (k === 'N' && typeof x === 'string' && !NUMBER.test(x)) return `${path}.N: not a number`;
    if (k === 'NS' && Array.isArray(x) && x.some((n) => typeof n !== 'string' || !NUMBER.test(n))) {
      return `${path}.NS: not all numbers`;
    }
    const bad = badValue(x, `${path}.${k.length > 40 ? `${k.slice(0, 40)}…` : k}`, depth + 1);
    if (bad !== undefined) return bad;
  }
  return undefined;
}
