import * as nexus from 'nexus-rpc';
import type { Db } from '../db/knex';
import { changesBeforeOperation } from './changes-before-operation';
import { rollbackReleaseOperation } from './rollback-release-operation';
import { runCommandOperation } from './run-command-operation';
import { dynopulseService } from './service';

/** The handlers of every operation of the dynopulse service, for the Nexus worker. */
export function dynopulseServiceHandler(options: { runTaskQueue: string; db: Db }) {
  return nexus.serviceHandler(dynopulseService, {
    runCommand: runCommandOperation(options.runTaskQueue),
    rollbackRelease: rollbackReleaseOperation(options.runTaskQueue),
    changesBefore: changesBeforeOperation(options.db),
  });
}
