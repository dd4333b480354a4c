import * as wf from '@temporalio/workflow';
import type { RollbackResult } from '../rollbacks/input';
import { workflowIdForRollback } from '../rollbacks/rollback-id';
import type { RollbackRequest } from '../nexus/service';
import { failureForCaller } from './nexus-child-failure';
import { RollbackHerokuRelease } from './rollback-heroku-release';

export interface NexusRollbackReleaseInput {
  rollbackId: string;
  /** The main task queue, where RollbackHerokuRelease and its activities run encrypted. */
  runTaskQueue: string;
  request: RollbackRequest;
}

/**
 * The Nexus operation `rollbackRelease` (src/nexus/rollback-release-operation.ts): runs
 * RollbackHerokuRelease as a child `heroku-rollback-<rollbackId>` on the main task queue (its first
 * step creates the rollback's row, as for a direct start) and hands its result to the caller in
 * clear. A refused rollback keeps its own failure type (TargetNotEligible, TargetIsCurrent,
 * AppNotFound…). Cancelling the caller cancels this workflow and with it the rollback.
 */
export async function NexusRollbackRelease(input: NexusRollbackReleaseInput): Promise<RollbackResult> {
  try {
    return await wf.executeChild(RollbackHerokuRelease, {
      workflowId: workflowIdForRollback(input.rollbackId),
      taskQueue: input.runTaskQueue,
      args: [input.request],
    });
  } catch (err) {
    throw failureForCaller(err, { failed: 'RollbackFailed', terminated: 'RollbackTerminated', what: 'rollback' });
  }
}

// Under worker versioning a rollback stays on the build that started it (src/temporal/worker-versioning.ts).
// Unversioned workers must declare no behavior (the server refuses one), hence the getter.
wf.setWorkflowOptions(() => (wf.workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: 'PINNED' } : {}), NexusRollbackRelease);
