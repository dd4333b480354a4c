import * as temporalNexus from '@temporalio/nexus';
import * as nexus from 'nexus-rpc';
import { parseRunCommandInput, type RunCommandResult } from '../command-runs/input';
import type { NexusRunCommand } from '../workflows/nexus-run-command';
import type { RunCommandRequest } from './service';

/**
 * `runCommand`: validated here, at the edge (a bad input is a BAD_REQUEST the caller sees at once,
 * not a started run), then started as a workflow whose completion completes the operation. The run
 * id comes from the Nexus request id, so a retried start finds the same run instead of a second one.
 */
export function runCommandOperation(runTaskQueue: string): temporalNexus.WorkflowRunOperationHandler<RunCommandRequest, RunCommandResult> {
  return new temporalNexus.WorkflowRunOperationHandler<RunCommandRequest, RunCommandResult>(async (ctx, request) => {
    const parsed = parseRunCommandInput(request);
    if (!parsed.ok) throw new nexus.HandlerError('BAD_REQUEST', parsed.message);
    const runId = `nexus-${ctx.requestId}`;
    return temporalNexus.startWorkflow<typeof NexusRunCommand>(ctx, 'NexusRunCommand', {
      workflowId: `heroku-nexus-run-${runId}`,
      args: [{ runId, runTaskQueue, request }],
    });
  });
}
