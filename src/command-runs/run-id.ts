// A run's id and its workflow id `heroku-run-<runId>` (CONTRACT §4). Pure: the workflow uses it.

const WORKFLOW_ID_PREFIX = 'heroku-run-';

/** What the API accepts as a caller-chosen run id (it appears in URLs and in the dyno command tag). */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

export function workflowIdForRun(runId: string): string {
  return `${WORKFLOW_ID_PREFIX}${runId}`;
}

/**
 * The run id of a RunCommandOnHeroku execution. Started through the API, the workflow id is
 * `heroku-run-<runId>`; started directly with any other workflow id, that id is the run id.
 */
export function runIdOfWorkflow(workflowId: string): string {
  return workflowId.startsWith(WORKFLOW_ID_PREFIX) && workflowId.length > WORKFLOW_ID_PREFIX.length ? workflowId.slice(WORKFLOW_ID_PREFIX.length) : workflowId;
}
