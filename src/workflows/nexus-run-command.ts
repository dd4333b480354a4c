import * as wf from '@temporalio/workflow';
import type { RunCommandResult } from '../command-runs/input';
import { workflowIdForRun } from '../command-runs/run-id';
import { COMMAND_FAILED, type RunCommandRequest } from '../nexus/service';
import { failureForCaller } from './nexus-child-failure';
import { RunCommandOnHeroku } from './run-command';

export interface NexusRunCommandInput {
  runId: string;
  /** The main task queue, where RunCommandOnHeroku and its activities run encrypted. */
  runTaskQueue: string;
  request: RunCommandRequest;
}

/**
 * The Nexus operation `runCommand` (src/nexus/run-command-operation.ts): runs RunCommandOnHeroku
 * as a child on the main task queue and hands its result to the caller in clear. A run that ended
 * without succeeding becomes a failure of type CommandFailed carrying the result, so a caller
 * catches it by type; a run that could not run keeps its own type (InvalidInput, HerokuRefused…).
 * Cancelling the caller cancels this workflow, and with it the run (its dyno is stopped).
 */
export async function NexusRunCommand(input: NexusRunCommandInput): Promise<RunCommandResult> {
  let result: RunCommandResult;
  try {
    result = await wf.executeChild(RunCommandOnHeroku, {
      workflowId: workflowIdForRun(input.runId),
      taskQueue: input.runTaskQueue,
      args: [input.request],
    });
  } catch (err) {
    throw failureForCaller(err, { failed: 'RunFailed', terminated: 'RunTerminated', what: 'run' });
  }
  if (result.exitCode !== 0) {
    const why = result.timedOut ? 'timed out at the cap' : result.exitCode === null ? 'ended without an exit status' : `exited with code ${result.exitCode}`;
    throw wf.ApplicationFailure.create({ message: `run ${result.runId}: the command ${why}`, type: COMMAND_FAILED, nonRetryable: true, details: [result] });
  }
  return result;
}

// Under worker versioning a run stays on the build that started it (src/temporal/worker-versioning.ts).
// Unversioned workers must declare no behavior (the server refuses one), hence the getter.
wf.setWorkflowOptions(() => (wf.workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: 'PINNED' } : {}), NexusRunCommand);
