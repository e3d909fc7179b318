// A DynamoDB endpoint for the benchmark that answers at once with fixed,
// valid responses, run as its own process so its work is not the client's.
// Query pages are made up on demand: names item/0000000 … up to the number
// of items asked for in the table name (`stream-100000`), else one page of
// 100 items with a LastEvaluatedKey, as the first page of a longer listing:
// the same key every time, or, for the table `paging`, a new one each time.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

const item = (name: string): Json => ({
  id: { S: 'bench' },
  name: { S: name },
  version: { N: '7' },
  payload: { S: '{"name":"Stax","plan":"pro","tags":["a","b"]}' },
  created: { S: '2024-01-02T03:04:05Z' },
});

/** How many pages the `paging` table has answered: each names a LastEvaluatedKey of its own. */
let pages = 0;

function query(body: Json): Json {
  const total = /^stream-(\d+)$/.exec(String(body.TableName))?.[1];
  if (body.TableName === 'paging') {
    // The same page, but a next-page key never given before, as paging through a long listing meets them.
    const Items = Array.from({ length: 100 }, (_, i) => item(`item/${String(i).padStart(7, '0')}`));
    const last = `item/${String(100 + (pages++ % 9_000_000)).padStart(7, '0')}`;
    return { Items, Count: 100, ScannedCount: 100, LastEvaluatedKey: { id: { S: 'bench' }, name: { S: last } } };
  }
  if (total === undefined) {
    // One page of a longer listing, so listPage encodes a token for the next.
    const Items = Array.from({ length: 100 }, (_, i) => item(`item/${String(i).padStart(7, '0')}`));
    return {
      Items,
      Count: 100,
      ScannedCount: 100,
      LastEvaluatedKey: { id: { S: 'bench' }, name: { S: 'item/0000099' } },
    };
  }
  const start = (body.ExclusiveStartKey as { name?: { S?: string } } | undefined)?.name?.S;
  const from = start === undefined ? 0 : Number(start.slice(5)) + 1;
  const limit = typeof body.Limit === 'number' ? body.Limit : 1000;
  const to = Math.min(Number(total), from + limit);
  const Items = Array.from({ length: to - from }, (_, i) => item(`item/${String(from + i).padStart(7, '0')}`));
  const last = Items.at(-1) as { id: unknown; name: unknown } | undefined;
  return to < Number(total) && last
    ? { Items, Count: Items.length, LastEvaluatedKey: { id: last.id, name: last.name } }
    : { Items, Count: Items.length };
}

function answer(target: string, body: Json): Json {
  switch (target) {
    case 'GetItem':
      return { Item: item('user/123') };
    case 'UpdateItem':
      return body.ReturnValues === 'ALL_NEW' ? { Attributes: item('user/123') } : {};
    case 'PutItem':
    case 'DeleteItem':
      return {};
    case 'Query':
      return query(body);
    case 'BatchGetItem': {
      const [table, request] =
        Object.entries(body.RequestItems as Record<string, { Keys: Array<{ name: { S: string } }> }>)[0] ?? [];
      return { Responses: { [String(table)]: (request?.Keys ?? []).map((k) => item(k.name.S)) }, UnprocessedKeys: {} };
    }
    default:
      return { TableNames: [] };
  }
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const target = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Json;
    const out = JSON.stringify(answer(target, body));
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(out) });
    res.end(out);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  // The parent reads the port from the first line.
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on('disconnect', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
