import * as nexus from 'nexus-rpc';
import { runCommandOperation } from './run-command-operation';
import { dynopulseService } from './service';

/** The handlers of every operation of the dynopulse service, for the Nexus worker. */
export function dynopulseServiceHandler(options: { runTaskQueue: string }) {
  return nexus.serviceHandler(dynopulseService, {
    runCommand: runCommandOperation(options.runTaskQueue),
  });
}
