import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the proxy does with one request: pass it on; never answer (`hang`);
 * pass it on but drop the connection instead of answering (`lose-reply`: the
 * server applied it, the client cannot know); pass it on at once but hold the
 * server's reply `delay` ms (`{ delay }`: the write lands when sent, its
 * reply comes late); or answer with a DynamoDB error.
 */
export type Fault =
  'forward' | 'hang' | 'lose-reply' | { delay: number } | { status: number; type: string; message?: string };

/** What the proxy knows of a request before it picks a fault. */
export interface ProxiedRequest {
  /**
   * The DynamoDB command, from the `X-Amz-Target` header
   * (`DynamoDB_20120810.PutItem` → `PutItem`); `''` when there is none.
   */
  readonly command: string;
  /** The request's number among the requests of its command, from 1. */
  readonly nOfCommand: number;
}

/**
 * Picks the fault for one request. It may be async: the proxy holds the
 * request, unforwarded, until the fault is known, so a plan can let another
 * writer act first.
 */
export type Plan = (n: number, request: ProxiedRequest) => Fault | Promise<Fault>;

export interface FaultProxy {
  endpoint: string;
  /** Requests seen, faulted or not. */
  seen: number;
  /** Requests answered with a fault. */
  injected: number;
  /** TCP connections clients opened to the proxy. */
  connections: number;
  /** The command of every request seen, in the order they came. */
  readonly commands: readonly string[];
  close(): Promise<void>;
}

/** The command an aws-sdk request names in its `X-Amz-Target` header. */
function commandOf(req: IncomingMessage): string {
  const target = req.headers['x-amz-target'];
  const value = Array.isArray(target) ? target[0] : target;
  return value?.slice(value.lastIndexOf('.') + 1) ?? '';
}

/**
 * A loopback HTTP proxy in front of a local DynamoDB server that answers
 * some requests with an injected error instead of forwarding them; `plan`
 * is told the request's number (from 1) and its command, and picks.
 */
export async function faultProxy(target: string, plan: Plan): Promise<FaultProxy> {
  const to = new URL(target);
  const state = { seen: 0, injected: 0, connections: 0 };
  const commands: string[] = [];
  const perCommand = new Map<string, number>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const command = commandOf(req);
    const nOfCommand = (perCommand.get(command) ?? 0) + 1;
    perCommand.set(command, nOfCommand);
    commands.push(command);
    const n = ++state.seen;
    const fault = await plan(n, { command, nOfCommand });
    if (fault === 'hang') {
      state.injected++;
      req.resume();
      return;
    }
    if (typeof fault === 'object' && 'status' in fault) {
      state.injected++;
      req.resume();
      res.writeHead(fault.status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(
        JSON.stringify({
          __type: `com.amazonaws.dynamodb.v20120810#${fault.type}`,
          message: fault.message ?? 'injected',
        }),
      );
      return;
    }
    if (fault === 'lose-reply') state.injected++;
    const upstream = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const reply = (): void => {
          if (fault === 'lose-reply') {
            answer.resume();
            res.destroy();
            return;
          }
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(res);
        };
        if (typeof fault === 'object' && 'delay' in fault) setTimeout(reply, fault.delay);
        else reply();
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };

  const server: Server = createServer((req, res) => {
    // A plan that throws drops the connection: the client sees a network error, as from a broken proxy.
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get seen() {
      return state.seen;
    },
    get injected() {
      return state.injected;
    },
    get connections() {
      return state.connections;
    },
    commands,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
