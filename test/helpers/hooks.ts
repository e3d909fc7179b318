import { stopDynalite } from './server';

// Root hooks: the shared server stops once every test file has run.
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopDynalite();
  },
};
