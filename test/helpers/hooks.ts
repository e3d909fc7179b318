import { reliabilityTable } from './report';
import { stopServers } from './server';

// Root hooks for the whole run.
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

export const mochaHooks = {
  beforeAll(): void {
    process.on('unhandledRejection', onUnhandled);
  },
  async afterAll(): Promise<void> {
    await stopServers();
    process.off('unhandledRejection', onUnhandled);
    console.log(`\nReliability figures\n\n${reliabilityTable()}\n`);
    // No operation may leave a promise rejection nobody handles.
    if (unhandled.length > 0) {
      throw new Error(`${unhandled.length} unhandled rejection(s) during the run: ${String(unhandled[0])}`);
    }
  },
};
