/**
 * The stable codes a {@link DynastoreError} carries.
 *
 * - `KEY_NOT_FOUND`: the key is absent or expired.
 * - `KEY_EXISTS`: a create found a live item at the key.
 * - `KEY_MODIFIED`: a compare-and-swap found another version at the key.
 * - `RESERVED_FIELD`: a field used one of the reserved attribute names
 *   (`id`, `name`, `version`, `expires`, `payload`).
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
   * @param message - a message naming the key or value involved
   * @param options - `cause`: the error underneath; `value`: the bad input; `awsCode`: the service's error name
   */
  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; value?: unknown; awsCode?: string | undefined } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DynastoreError';
    this.code = code;
    if ('value' in options) this.value = options.value;
    if (options.awsCode !== undefined) this.awsCode = options.awsCode;
  }

  /**
   * Type guard: true when `err` is a DynastoreError, and, when `code` is
   * given, carries that code.
   */
  static is(err: unknown, code?: ErrorCode): err is DynastoreError {
    return err instanceof DynastoreError && (code === undefined || err.code === code);
  }
}

/** @internal Throws INVALID_ARGUMENT with the bad value attached. */
export function invalidArgument(message: string, value: unknown): DynastoreError {
  return new DynastoreError('INVALID_ARGUMENT', message, { value });
}

/** @internal KEY_NOT_FOUND for a key (or a listing prefix) of a partition. */
export function keyNotFound(table: string, partition: string, key: string, what = 'key'): DynastoreError {
  return new DynastoreError(
    'KEY_NOT_FOUND',
    `${what} ${JSON.stringify(key)} not found in partition ${JSON.stringify(partition)} of table ${JSON.stringify(table)}`,
  );
}

/** @internal KEY_EXISTS for a create that found a live item. */
export function keyExists(partition: string, key: string): DynastoreError {
  return new DynastoreError(
    'KEY_EXISTS',
    `key ${JSON.stringify(key)} already exists in partition ${JSON.stringify(partition)}`,
  );
}
