import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the proxy does with one request: pass it on; never answer (`hang`);
 * pass it on but drop the connection instead of answering (`lose-reply`: the
 * server applied it, the client cannot know); pass it on after `delay` ms; or
 * answer with a DynamoDB error.
 */
export type Fault =
  'forward' | 'hang' | 'lose-reply' | { delay: number } | { status: number; type: string; message?: string };

export interface FaultProxy {
  endpoint: string;
  /** Requests seen, faulted or not. */
  seen: number;
  /** Requests answered with a fault. */
  injected: number;
  /** TCP connections clients opened to the proxy. */
  connections: number;
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of a local DynamoDB server that answers
 * some requests with an injected error instead of forwarding them; `plan`
 * is told the request's number (from 1) and picks.
 */
export async function faultProxy(target: string, plan: (n: number) => Fault): Promise<FaultProxy> {
  const to = new URL(target);
  const state = { seen: 0, injected: 0, connections: 0 };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const fault = plan(++state.seen);
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
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
