import path from 'node:path';
import { projectRoot } from '../../src/paths';
import { assertPostgresUserCanReach, embeddedPostgresBinaries } from '../../src/runtime/postgres-user-access';
import { StartupError } from '../../src/runtime/startup-error';
import { teardownHarness } from './harness';

// Mocha root hooks: the shared harness (Temporal, PostgreSQL) is started lazily by the first test
// that needs it and stopped once after the last test file.
export const mochaHooks = {
  // The sandbox and `npm start` tests run embedded PostgreSQL: as root in a checkout the `postgres`
  // user cannot reach, stop the whole run at once with the fix, not with EACCES in two suites.
  async beforeAll() {
    try {
      await assertPostgresUserCanReach({ binaries: embeddedPostgresBinaries(), dataDir: path.join(projectRoot, '.data') });
    } catch (err) {
      if (!(err instanceof StartupError)) throw err;
      console.error(`npm test cannot run: ${err.message}`);
      process.exit(1);
    }
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await teardownHarness();
  },
};
