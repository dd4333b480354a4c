import * as temporalNexus from '@temporalio/nexus';
import * as nexus from 'nexus-rpc';
import { parseRunCommandInput, type RunCommandResult } from '../command-runs/input';
import type { NexusRunCommand } from '../workflows/nexus-run-command';
import { approvalOutlastsCaller } from './approval-fits-caller';
import type { RunCommandRequest } from './service';

/**
 * `runCommand`: validated here, at the edge (a bad input is a BAD_REQUEST the caller sees at once,
 * not a started run; so is an approval that would outlast the caller's wait), then started as a workflow whose completion completes the operation. The run
 * id comes from the Nexus request id, so a retried start finds the same run instead of a second one.
 */
export function runCommandOperation(runTaskQueue: string): temporalNexus.WorkflowRunOperationHandler<RunCommandRequest, RunCommandResult> {
  return new temporalNexus.WorkflowRunOperationHandler<RunCommandRequest, RunCommandResult>(async (ctx, request) => {
    const parsed = parseRunCommandInput(request);
    if (!parsed.ok) throw new nexus.HandlerError('BAD_REQUEST', parsed.message);
    // A gated run the caller would stop waiting for is refused, as for rollbacks (approval-fits-caller.ts).
    const outlasts = parsed.input.approval ? approvalOutlastsCaller(parsed.input.approval.timeoutSeconds, ctx.headers) : undefined;
    if (outlasts) throw new nexus.HandlerError('BAD_REQUEST', `Invalid RunCommandOnHeroku input: ${outlasts}`);
    const runId = `nexus-${ctx.requestId}`;
    return temporalNexus.startWorkflow<typeof NexusRunCommand>(ctx, 'NexusRunCommand', {
      workflowId: `heroku-nexus-run-${runId}`,
      args: [{ runId, runTaskQueue, request }],
    });
  });
}
