import { DynastoreError, type ErrorCode } from '../errors';
import { OutputFailed } from './output';

/**
 * The exit code for each outcome, as docs/cli.md documents them: a script
 * can tell a missing key from a refused write from a network failure.
 *
 * @internal
 */
export const EXIT = {
  ok: 0,
  usage: 1,
  notFound: 2,
  conflict: 3,
  invalid: 4,
  failed: 5,
  internal: 6,
} as const;

const BY_CODE: Record<ErrorCode, number> = {
  KEY_NOT_FOUND: EXIT.notFound,
  KEY_EXISTS: EXIT.conflict,
  KEY_MODIFIED: EXIT.conflict,
  INVALID_ARGUMENT: EXIT.invalid,
  INVALID_TOKEN: EXIT.invalid,
  RESERVED_FIELD: EXIT.invalid,
  INDEX_NOT_SUPPORTED: EXIT.invalid,
  REQUEST_FAILED: EXIT.failed,
  ABORTED: EXIT.failed,
};

/**
 * The exit code for an error an action threw, and the line that says it on
 * stderr (none when stdout's reader went away: nobody is left to tell).
 *
 * @internal
 */
export function describeFailure(err: unknown): { exitCode: number; message: string | undefined } {
  if (err instanceof OutputFailed) {
    return err.readerGone
      ? { exitCode: EXIT.ok, message: undefined }
      : { exitCode: EXIT.failed, message: `dynastore: ${err.message}` };
  }
  if (DynastoreError.is(err)) {
    const aws = err.awsCode === undefined ? '' : ` (${err.awsCode})`;
    return { exitCode: BY_CODE[err.code], message: `dynastore: ${err.code}${aws}: ${err.message}` };
  }
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return { exitCode: EXIT.internal, message: `dynastore: internal error: ${text}` };
}
