import * as temporalNexus from '@temporalio/nexus';
import * as nexus from 'nexus-rpc';
import { parseRollbackInput, type RollbackResult } from '../rollbacks/input';
import type { NexusRollbackRelease } from '../workflows/nexus-rollback-release';
import type { RollbackRequest } from './service';

/**
 * `rollbackRelease`: validated here, at the edge (a bad input is a BAD_REQUEST with the API's
 * message, and no rollback starts), then started as a workflow whose completion completes the
 * operation. The rollback id comes from the Nexus request id, so a retried start finds the same
 * rollback (`heroku-rollback-nexus-<request id>`) instead of asking Heroku for a second one.
 */
export function rollbackReleaseOperation(runTaskQueue: string): temporalNexus.WorkflowRunOperationHandler<RollbackRequest, RollbackResult> {
  return new temporalNexus.WorkflowRunOperationHandler<RollbackRequest, RollbackResult>(async (ctx, request) => {
    const parsed = parseRollbackInput(request);
    if (!parsed.ok) throw new nexus.HandlerError('BAD_REQUEST', parsed.message);
    const rollbackId = nexusRollbackId(ctx.requestId);
    return temporalNexus.startWorkflow<typeof NexusRollbackRelease>(ctx, 'NexusRollbackRelease', {
      workflowId: `heroku-nexus-rollback-${rollbackId}`,
      args: [{ rollbackId, runTaskQueue, request }],
    });
  });
}

/** The rollback's id (`GET /api/rollbacks/<id>`) for a Nexus request id. */
export function nexusRollbackId(requestId: string): string {
  return `nexus-${requestId}`;
}
