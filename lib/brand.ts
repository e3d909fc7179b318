// Which objects the library's own constructors made. `instanceof` is not
// enough: `Object.create(Table.prototype)` passes it with none of a table's
// state, a lookalike `{ runtime: {} }` fails only later with a TypeError, and
// a Proxy passes it while its traps run the caller's code on every read. A
// WeakSet answers without reading the object at all.

const sessions = new WeakSet();
const tables = new WeakSet();

/** @internal Records a Session its constructor made. */
export function brandSession(session: object): void {
  sessions.add(session);
}

/** @internal Whether `value` is a Session the Session constructor made. */
export function isSession(value: unknown): boolean {
  return typeof value === 'object' && value !== null && sessions.has(value);
}

/** @internal Records a Table its constructor made. */
export function brandTable(table: object): void {
  tables.add(table);
}

/** @internal Whether `value` is a Table the Table constructor made. */
export function isTable(value: unknown): boolean {
  return typeof value === 'object' && value !== null && tables.has(value);
}
