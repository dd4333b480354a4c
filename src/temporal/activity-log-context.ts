import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { withLogContext, type LogContext } from '../log';

/**
 * Worker interceptor: every log line an activity writes, through any logger, carries the
 * activity's `workflowId`, `runId` (the workflow run), `activityType` and `attempt`, so one run's
 * story can be followed in the logs and matched to its history in the Temporal UI.
 */
export const activityLogContext: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    execute: (input, next) => {
      const { workflowExecution, activityType, attempt } = ctx.info;
      const workflow: LogContext = workflowExecution ? { workflowId: workflowExecution.workflowId, runId: workflowExecution.runId } : {};
      return withLogContext({ ...workflow, activityType, attempt }, () => next(input));
    },
  },
});
