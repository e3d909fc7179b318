import { Session, type Hooks } from '../../lib';

/** One request a stub client received: the v3 command's name without `Command`, and its input. */
export interface StubCall {
  command: string;
  input: Record<string, unknown>;
}

/** What a stub answers a request with: an output, or an error it throws (as v3 does, `name` its AWS code). */
export type StubHandler = (call: StubCall, n: number) => unknown;

/**
 * A Session over a stand-in for an aws-sdk v3 `DynamoDBClient`: every
 * request goes to `handler`, which answers or throws. No network, and any
 * command can be answered (v3 commands are classes named `<Name>Command`).
 */
export function stubSession(
  handler: StubHandler,
  options: { hooks?: Hooks; clock?: () => number } = {},
): { session: Session<object>; calls: StubCall[] } {
  const calls: StubCall[] = [];
  const client = {
    config: {},
    middlewareStack: {},
    send(command: { constructor: { name: string }; input: Record<string, unknown> }): Promise<unknown> {
      const call = { command: command.constructor.name.replace(/Command$/, ''), input: command.input };
      calls.push(call);
      try {
        return Promise.resolve(handler(call, calls.length));
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    },
  };
  return { session: new Session<object>({ client, ...options }), calls };
}

/** A v3-shaped service error: `name` the AWS code, `$metadata.attempts` how many attempts were made. */
export function serviceError(name: string, extra: Record<string, unknown> = {}, attempts = 1): Error {
  return Object.assign(new Error(name), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 400, attempts },
    ...extra,
  });
}
