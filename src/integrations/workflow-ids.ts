// Workflow ids of an integration's lifecycle (CONTRACT §4). Pure: used by the API and by workflows.

export const installWorkflowId = (integrationId: string) => `heroku-install-${integrationId}`;
export const syncWorkflowId = (integrationId: string) => `heroku-sync-${integrationId}`;
export const disconnectWorkflowId = (integrationId: string) => `heroku-disconnect-${integrationId}`;
