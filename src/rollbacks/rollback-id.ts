// A rollback's id and its workflow id `heroku-rollback-<rollbackId>` (CONTRACT §6). Pure: the workflow uses it.

const WORKFLOW_ID_PREFIX = 'heroku-rollback-';

export function workflowIdForRollback(rollbackId: string): string {
  return `${WORKFLOW_ID_PREFIX}${rollbackId}`;
}

/** Started through the API the workflow id is `heroku-rollback-<id>`; started directly with any other id, that id is the rollback id. */
export function rollbackIdOfWorkflow(workflowId: string): string {
  return workflowId.startsWith(WORKFLOW_ID_PREFIX) && workflowId.length > WORKFLOW_ID_PREFIX.length ? workflowId.slice(WORKFLOW_ID_PREFIX.length) : workflowId;
}
