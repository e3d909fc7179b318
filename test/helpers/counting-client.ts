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
//   dynalite does, so the library reads the item with a GetItem;
// - a GetItem finds nothing for one key in three (by a hash of the key),
//   and the stored item otherwise: version 7, expiring a day after `now`.
import AWS from 'aws-sdk';
import sinon from 'sinon';

export type Command = 'getItem' | 'putItem' | 'updateItem' | 'deleteItem' | 'query' | 'batchGetItem';

const COMMANDS: readonly Command[] = ['getItem', 'putItem', 'updateItem', 'deleteItem', 'query', 'batchGetItem'];

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
  /** The requests received since the last {@link CountingClient.reset}. */
  readonly sent: SentRequest[];
  /** Forgets the requests received so far. */
  reset(): void;
  /** Puts the client's own methods back. */
  restore(): void;
}

type Item = Record<string, Record<string, unknown>>;

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
    maxRetries: 0,
  });
  const operations = (client as unknown as { api: { operations: Record<string, { input: unknown }> } }).api.operations;
  const validator = new ParamValidator(true);
  const expires = String(Math.floor(now / 1000) + 86_400);
  const sent: SentRequest[] = [];
  // sinon.replace, not a stub: a stub records every call, and a fuzzer makes tens of thousands.
  const sandbox = sinon.createSandbox();
  for (const command of COMMANDS) {
    sandbox.replace(client, command, ((params: Record<string, unknown>) => {
      const refused = refusal(validator, operations[command]?.input, command, params);
      sent.push(refused === undefined ? { command, params } : { command, params, refused });
      const settle = (): Promise<unknown> =>
        refused === undefined
          ? answer(command, params, expires)
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

function storedItem(id: string, name: string, expires: string): Item {
  return {
    id: { S: id },
    name: { S: name },
    version: { N: '7' },
    payload: { S: 'stored' },
    expires: { N: expires },
    tag: { S: 'stored tag' },
  };
}

async function answer(command: Command, params: Record<string, unknown>, expires: string): Promise<unknown> {
  // An answer comes asynchronously, as the SDK's does.
  await Promise.resolve();
  const key = params.Key as Item | undefined;
  const id = str(key?.id ?? (params.Item as Item | undefined)?.id);
  const name = str(key?.name ?? (params.Item as Item | undefined)?.name);
  const stored = storedItem(id, name, expires);
  if (command !== 'query' && command !== 'batchGetItem' && command !== 'getItem') {
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
      return hash(name) % 3 === 0 ? {} : { Item: stored };
    case 'updateItem':
      return params.ReturnValues === 'ALL_NEW' ? { Attributes: { ...stored, version: { N: '8' } } } : {};
    case 'putItem':
    case 'deleteItem':
      return {};
    case 'query':
      return queryAnswer(params, expires);
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
  }
}

/**
 * One item matching the query, and, on the first page only, a
 * LastEvaluatedKey of the table's or index's key attributes, so that a
 * listing takes two pages.
 */
function queryAnswer(params: Record<string, unknown>, expires: string): unknown {
  const names = (params.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (params.ExpressionAttributeValues ?? {}) as Item;
  // `#p = :p` or `#p = :p AND begins_with(#s, :s)`: the library's own placeholders.
  const placeholders = /^(#\w+) = (:\w+)(?: AND begins_with\((#\w+), (:\w+)\))?$/.exec(
    String(params.KeyConditionExpression),
  );
  if (placeholders === null) return { Items: [], Count: 0 };
  const [, p, pv, s, sv] = placeholders;
  const partitionAttribute = names[p ?? ''] ?? 'id';
  const partition = str(values[pv ?? '']);
  const sortAttribute = s === undefined ? (params.IndexName === undefined ? 'name' : undefined) : names[s];
  const sort = sv === undefined ? 'a' : str(values[sv]) || 'a';
  const item: Item = storedItem(
    partitionAttribute === 'id' ? partition : 'p',
    sortAttribute === 'name' ? sort : 'n',
    expires,
  );
  if (sortAttribute !== undefined) item[sortAttribute] = { S: sort };
  item[partitionAttribute] = { S: partition };
  const page: Record<string, unknown> = { Items: [item], Count: 1 };
  if (params.ExclusiveStartKey === undefined && sortAttribute !== undefined) {
    const lastKey: Item = { id: item.id ?? {}, name: item.name ?? {} };
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
  for (const member of ['Key', 'Item'] as const) {
    const item = params[member] as Item | undefined;
    if (item !== undefined && (str(item.id) === '' || str(item.name) === '')) {
      return `${command}: an empty or missing key attribute in ${member}`;
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
