// The library's own cost per operation, over a client that answers at once
// with the stub's replies: no SDK, no network. Prints µs of CPU per
// operation for each, this tree against another copy of lib/ when given:
//   node -r ts-node/register test/bench/pipeline.ts [other lib dir]
import '../helpers/setup';
import * as ours from '../../lib';

const JSON_VALUE = '{"name":"Stax","plan":"pro","tags":["a","b"]}';
const item = (name: string): Record<string, Record<string, string>> => ({
  id: { S: 'bench' },
  name: { S: name },
  version: { N: '7' },
  payload: { S: JSON_VALUE },
  created: { S: '2024-01-02T03:04:05Z' },
});
const names = Array.from({ length: 100 }, (_, i) => `item/${String(i).padStart(7, '0')}`);
const page = (): unknown => ({
  Items: names.map(item),
  Count: 100,
  LastEvaluatedKey: { id: { S: 'bench' }, name: { S: 'item/0000099' } },
});

/** An aws-sdk v2 lookalike whose requests answer at once: each answer a fresh copy, as the SDK parses one. */
const answered = (make: () => unknown) => () => ({ promise: () => Promise.resolve(make()) });
const client = {
  getItem: answered(() => ({ Item: item('user/123') })),
  updateItem: answered(() => ({ Attributes: item('user/123') })),
  query: answered(page),
  putItem: answered(() => ({})),
  deleteItem: answered(() => ({})),
};

type Lib = typeof ours;

function ops(lib: Lib): Record<string, () => Promise<unknown>> {
  const p = new lib.Session({ client: client as never }).table('bench').partition('bench');
  return {
    get: () => p.get('user/123'),
    put: () => p.put('user/123', lib.writeWithString(JSON_VALUE)),
    atomicPut: () => p.atomicPut('user/123', lib.writeWithString(JSON_VALUE), { previous: { version: 7 } }),
    listPage: async () => (await p.listPage('item/')).lastKey,
    'raw answer (get)': () => client.getItem().promise(),
    'raw answer (query)': () => client.query().promise(),
  };
}

async function cpuPerOp(op: () => Promise<unknown>, n: number): Promise<number> {
  const c = process.cpuUsage();
  for (let i = 0; i < n; i += 16) await Promise.all(Array.from({ length: 16 }, op));
  const u = process.cpuUsage(c);
  return (u.user + u.system) / n;
}

async function main(): Promise<void> {
  const other = process.argv[2];
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path given at run time
  const libs: Record<string, Lib> = { 'this tree': ours, ...(other ? { [other]: require(other) as Lib } : {}) };
  const contenders = Object.entries(libs).map(([name, lib]) => [name, ops(lib)] as const);
  for (const op of Object.keys(contenders[0]?.[1] ?? {})) {
    const n = op.startsWith('listPage') || op.includes('query') ? 20000 : 200000;
    const results: Record<string, number[]> = {};
    for (let r = 0; r < 5; r++) {
      for (const [name, o] of contenders)
        (results[name] ??= []).push(await cpuPerOp(o[op] as () => Promise<unknown>, n));
    }
    for (const [name, rs] of Object.entries(results)) {
      const sorted = rs.sort((a, b) => a - b);
      console.log(`${op.padEnd(20)} ${name.padEnd(24)} ${(sorted[2] as number).toFixed(2)} µs CPU/op`);
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
