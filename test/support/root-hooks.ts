import { teardownHarness } from './harness';

// Mocha root hooks: the shared harness (Temporal, PostgreSQL) is started lazily by the first test
// that needs it and stopped once after the last test file.
export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await teardownHarness();
  },
};
