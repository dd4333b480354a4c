import type { Client } from '@temporalio/client';
import { IntegrationIdKey } from '../temporal/search-attributes';
import type { DisconnectHerokuIntegration, InstallHerokuIntegration, SyncHerokuIntegrationApps } from '../workflows';
import { appsChangedSignal } from '../workflows/integration-signals';
import { disconnectWorkflowId, installWorkflowId, syncWorkflowId } from './workflow-ids';

// How the API starts an integration's lifecycle workflows: ids of CONTRACT §4, the IntegrationId
// search attribute and a summary for the Temporal UI. Inputs carry ids (and the OAuth code) only.

interface Target {
  temporal: Client;
  taskQueue: string;
}

interface Subject {
  integrationId: string;
  orgId: string;
}

const tags = (integrationId: string) => [{ key: IntegrationIdKey, value: integrationId }];

/** Starts the install once per integration, ever: a second start throws WorkflowExecutionAlreadyStartedError. */
export async function startInstall(target: Target, subject: Subject & { code: string; appCount: number }): Promise<string> {
  const workflowId = installWorkflowId(subject.integrationId);
  await target.temporal.workflow.start<typeof InstallHerokuIntegration>('InstallHerokuIntegration', {
    taskQueue: target.taskQueue,
    workflowId,
    args: [{ integrationId: subject.integrationId, code: subject.code }],
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    workflowIdConflictPolicy: 'FAIL',
    typedSearchAttributes: tags(subject.integrationId),
    staticSummary: `Install Heroku integration for org ${subject.orgId}: ${subject.appCount} app(s)`,
  });
  return workflowId;
}

/** Tells the integration's sync that the app list changed, starting it when none is running. */
export async function requestAppSync(target: Target, subject: Subject & { appCount: number }): Promise<string> {
  const workflowId = syncWorkflowId(subject.integrationId);
  await target.temporal.workflow.signalWithStart<typeof SyncHerokuIntegrationApps, []>('SyncHerokuIntegrationApps', {
    taskQueue: target.taskQueue,
    workflowId,
    args: [{ integrationId: subject.integrationId }],
    signal: appsChangedSignal,
    signalArgs: [],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: tags(subject.integrationId),
    staticSummary: `Sync Heroku webhooks for org ${subject.orgId}: ${subject.appCount} app(s) listed`,
  });
  return workflowId;
}

/** Starts the disconnect; while one runs, asking again joins it. */
export async function startDisconnect(target: Target, subject: Subject): Promise<string> {
  const workflowId = disconnectWorkflowId(subject.integrationId);
  await target.temporal.workflow.start<typeof DisconnectHerokuIntegration>('DisconnectHerokuIntegration', {
    taskQueue: target.taskQueue,
    workflowId,
    args: [{ integrationId: subject.integrationId }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: tags(subject.integrationId),
    staticSummary: `Disconnect Heroku integration for org ${subject.orgId}`,
  });
  return workflowId;
}
