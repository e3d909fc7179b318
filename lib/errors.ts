/**
 * The stable codes a {@link DynastoreError} carries.
 *
 * - `KEY_NOT_FOUND`: the key is absent or expired.
 * - `KEY_EXISTS`: a create found a live item at the key.
 * - `KEY_MODIFIED`: a compare-and-swap found another version at the key.
 * - `RESERVED_FIELD`: a field used one of the table's own attribute names
 *   (`id`, `name`, `version`, `expires`, `payload`, or those its
 *   `attributes` option gives).
 * - `INDEX_NOT_SUPPORTED`: an index option was given to an operation that
 *   reads by primary key (`get`, `exists`).
 * - `INVALID_ARGUMENT`: bad input, refused before any request was sent.
 * - `INVALID_TOKEN`: a paging token that is malformed, oversized, or belongs
 *   to another partition, prefix or index, refused before any request.
 * - `ABORTED`: the operation's `signal` was aborted.
 * - `REQUEST_FAILED`: DynamoDB or the network failed; the SDK's error is
 *   `cause`, and the service's error name is `awsCode`.
 */
export type ErrorCode =
  | 'KEY_NOT_FOUND'
  | 'KEY_EXISTS'
  | 'KEY_MODIFIED'
  | 'RESERVED_FIELD'
  | 'INDEX_NOT_SUPPORTED'
  | 'INVALID_ARGUMENT'
  | 'INVALID_TOKEN'
  | 'ABORTED'
  | 'REQUEST_FAILED';

/**
 * The one error class dynastore throws. Branch on `code`, never on the
 * message.
 *
 * @example
 * ```ts
 * try {
 *   await users.get('user/123');
 * } catch (err) {
 *   if (DynastoreError.is(err, 'KEY_NOT_FOUND')) return undefined;
 *   throw err;
 * }
 * ```
 */
export class DynastoreError extends Error {
  /** What went wrong, stable across releases. */
  readonly code: ErrorCode;
  /** The bad input, for `INVALID_ARGUMENT`, `RESERVED_FIELD` and `INVALID_TOKEN`. */
  readonly value?: unknown;
  /**
   * For `REQUEST_FAILED`: the service's error name, the same from every SDK,
   * such as `'ProvisionedThroughputExceededException'`,
   * `'ResourceNotFoundException'` or, for a network failure, the SDK's own
   * (`'TimeoutError'`, `'NetworkingError'`).
   */
  readonly awsCode?: string;

  /**
   * @param code - the stable error code
   * @param message - a message naming the key or value involved; past 1,000 characters its middle is cut
   * @param options - `cause`: the error underneath; `value`: the bad input; `awsCode`: the service's error name
   */
  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; value?: unknown; awsCode?: string | undefined } = {},
  ) {
    // Never throws, whatever it is given: an error made while reporting another must not replace it.
    const own = ownOptions(options);
    super(capMessage(messageText(message)), own.cause === undefined ? undefined : { cause: own.cause });
    this.name = 'DynastoreError';
    this.code = code;
    if (Object.hasOwn(own, 'value')) this.value = own.value;
    if (typeof own.awsCode === 'string') this.awsCode = own.awsCode;
  }

  /**
   * Type guard: true when `err` is a DynastoreError, and, when `code` is
   * given, carries that code. Never throws: a Proxy whose traps throw is
   * not a DynastoreError.
   */
  static is(err: unknown, code?: ErrorCode): err is DynastoreError {
    try {
      return err instanceof DynastoreError && (code === undefined || err.code === code);
    } catch {
      return false;
    }
  }
}

/**
 * The options' own `cause`, `value` and `awsCode`, on a null-prototype
 * object: an inherited `value` (a polluted Object.prototype) is not the bad
 * input, and whatever a getter or Proxy trap throws is dropped, since a
 * constructor of errors must not throw.
 */
function ownOptions(options: unknown): { cause?: unknown; value?: unknown; awsCode?: unknown } {
  const own: { cause?: unknown; value?: unknown; awsCode?: unknown } = Object.create(null) as object;
  if (typeof options !== 'object' || options === null) return own;
  for (const name of ['cause', 'value', 'awsCode'] as const) {
    try {
      if (Object.hasOwn(options, name)) own[name] = (options as Record<string, unknown>)[name];
    } catch {
      // A throwing getter or trap: this option is left out.
    }
  }
  return own;
}

/** A message as a string: from JavaScript it may be anything, even a value whose conversion throws. */
function messageText(message: unknown): string {
  if (typeof message === 'string') return message;
  // As Error takes it: no message is an empty one.
  if (message === undefined) return '';
  try {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- converted as Error itself converts a message
    return String(message);
  } catch {
    return 'a message that cannot be converted to a string';
  }
}

/** @internal How much of a user's string a message shows. */
export const QUOTED_CHARS = 100;

/** @internal The longest message a DynastoreError carries. */
export const MAX_MESSAGE_CHARS = 1000;

/** `s` cut to at most `n` UTF-16 units, never inside a surrogate pair. */
function head(s: string, n: number): string {
  const code = s.charCodeAt(n - 1);
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}

/** The last `n` UTF-16 units of `s` at most, never starting inside a surrogate pair. */
function tail(s: string, n: number): string {
  const code = s.charCodeAt(s.length - n);
  return s.slice(code >= 0xdc00 && code <= 0xdfff ? s.length - n + 1 : s.length - n);
}

/**
 * @internal A user's string for a message: JSON-quoted, and over
 * {@link QUOTED_CHARS} characters cut with its length said, so a message
 * stays readable and bounded whatever was given.
 *
 * @example
 * ```ts
 * quote('a'.repeat(400_000)); // '"aaa…aaa"… (400000 chars)', 100 a's shown
 * ```
 */
export function quote(s: string): string {
  return s.length > QUOTED_CHARS ? `${JSON.stringify(head(s, QUOTED_CHARS))}… (${s.length} chars)` : JSON.stringify(s);
}

/**
 * A message of at most {@link MAX_MESSAGE_CHARS}: the safety net for a
 * message built from a user's value without {@link quote}. Its head and its
 * tail are kept, since the value is usually in the middle and the reason at
 * the end.
 */
function capMessage(message: string): string {
  if (message.length <= MAX_MESSAGE_CHARS) return message;
  const start = head(message, 600);
  const end = tail(message, 300);
  return `${start}… (${message.length - start.length - end.length} chars cut) …${end}`;
}

/** @internal Throws INVALID_ARGUMENT with the bad value attached. */
export function invalidArgument(message: string, value: unknown): DynastoreError {
  return new DynastoreError('INVALID_ARGUMENT', message, { value });
}

/** @internal KEY_NOT_FOUND for a key (or a listing prefix) of a partition. */
export function keyNotFound(table: string, partition: string, key: string, what = 'key'): DynastoreError {
  return new DynastoreError(
    'KEY_NOT_FOUND',
    `${what} ${quote(key)} not found in partition ${quote(partition)} of table ${quote(table)}`,
  );
}

/** @internal KEY_EXISTS for a create that found a live item. */
export function keyExists(partition: string, key: string): DynastoreError {
  return new DynastoreError('KEY_EXISTS', `key ${quote(key)} already exists in partition ${quote(partition)}`);
}
