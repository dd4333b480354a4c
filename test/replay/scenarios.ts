import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type WorkflowExecutionStatusName } from '@temporalio/client';
import { workflowIdForRun } from '../../src/command-runs/run-id';
import { nexusRollbackId } from '../../src/nexus/rollback-release-operation';
import { workflowIdForRollback } from '../../src/rollbacks/rollback-id';
import { enrichPulseWorkflowId } from '../../src/workflows/enrich-pulse';
import { runToEnd, startRunStack } from '../command-runs/support';
import { installThroughOAuth, waitForStatus } from '../integrations/support';
import { assertAllAccepted, eventually, pulsesOf } from '../pulses/support';
import { connectIntegration } from '../support/fixtures';
import type { Stack } from '../support/stack';

/**
 * One way through one workflow type, driven like a user would (API, OAuth, Heroku deliveries)
 * against the simulators and the real Temporal server. `run` returns the workflow id to record.
 */
export interface RecordingScenario {
  scenario: string;
  workflowType: string;
  description: string;
  /** How the execution must have closed for the recording to show the intended path. */
  closes: Extract<WorkflowExecutionStatusName, 'COMPLETED' | 'FAILED'>;
  run(stack: Stack): Promise<string>;
}

const uniqueApp = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

async function installed(stack: Stack, apps: string[]): Promise<{ integrationId: string; accountId: string }> {
  const started = await installThroughOAuth(stack, { apps });
  await waitForStatus(stack, started.integrationId, 'connected');
  await closed(stack, started.workflowId);
  return started;
}

/** Resolves once the execution closed, whichever way. */
export async function closed(stack: Stack, workflowId: string): Promise<WorkflowExecutionStatusName> {
  const handle = stack.h.temporal.workflow.getHandle(workflowId);
  await handle.result().catch((err: unknown) => {
    if (!(err instanceof WorkflowFailedError)) throw err;
  });
  return (await handle.describe()).status.name;
}

async function runCommand(stack: Stack, body: Record<string, unknown>, expectedStatus: string): Promise<string> {
  const app = uniqueApp('replay-run');
  const integration = await connectIntegration(stack, { apps: [{ name: app, configVars: { DATABASE_URL: 'postgres://u:replay-secret@db.internal/x' } }] });
  const run = await runToEnd(stack, { integrationId: integration.integrationId, appName: app, ...body });
  assert.equal(run.status, expectedStatus, JSON.stringify(run));
  return workflowIdForRun(run.id);
}

/** A gated run (approval via the API): `decide` answers it, or nothing does and it expires. */
async function gatedRunCommand(stack: Stack, approval: Record<string, unknown>, decide: { kind: 'approve' | 'reject'; by: string; reason?: string } | null): Promise<string> {
  const app = uniqueApp('replay-gated');
  const integration = await connectIntegration(stack, { apps: [{ name: app, configVars: { DATABASE_URL: 'postgres://u:replay-secret@db.internal/x' } }] });
  const id = randomUUID();
  const posted = await stack.api('/api/command-runs', { method: 'POST', body: JSON.stringify({ id, integrationId: integration.integrationId, appName: app, command: 'echo "migrate for {{ incident.id }}"', slackChannels: ['#ops'], postToIncidentTimeline: true, incident: { id: 'INC-G' }, requestedBy: 'requester@example.com', approval }) });
  assert.equal(posted.status, 202, await posted.text());
  const statusOf = async () => ((await (await stack.api(`/api/command-runs/${id}`)).json()) as { status: string }).status;
  if (decide) {
    await eventually('the run awaits approval', async () => ((await statusOf()) === 'awaiting_approval' ? true : undefined));
    const res = await stack.api(`/api/command-runs/${id}/${decide.kind}`, { method: 'POST', body: JSON.stringify({ by: decide.by, reason: decide.reason }) });
    assert.equal(res.status, 200, await res.text());
  }
  return workflowIdForRun(id);
}

/** A rollback to "previous" after two deploys; with `approval`, approved through the API by `lead@example.com`. */
async function rollback(stack: Stack, approval: Record<string, unknown> | null): Promise<string> {
  const app = uniqueApp('replay-rollback');
  const integration = await connectIntegration(stack, { apps: [app] });
  await stack.heroku.deploy(app);
  await stack.heroku.deploy(app);
  await stack.heroku.waitForDeliveriesSettled();
  const id = randomUUID();
  const body = { id, integrationId: integration.integrationId, appName: app, target: 'previous', slackChannels: ['#ops'], postToIncidentTimeline: true, incident: { id: 'INC-RB' }, requestedBy: 'requester@example.com', ...(approval ? { approval } : {}) };
  const posted = await stack.api('/api/rollbacks', { method: 'POST', body: JSON.stringify(body) });
  assert.equal(posted.status, 202, await posted.text());
  if (approval) {
    const statusOf = async () => ((await (await stack.api(`/api/rollbacks/${id}`)).json()) as { status: string }).status;
    await eventually('the rollback awaits approval', async () => ((await statusOf()) === 'awaiting_approval' ? true : undefined));
    const res = await stack.api(`/api/rollbacks/${id}/approve`, { method: 'POST', body: JSON.stringify({ by: 'lead@example.com', reason: 'v4 is broken' }) });
    assert.equal(res.status, 200, await res.text());
  }
  return workflowIdForRollback(id);
}

/**
 * NexusRunCommand as the Nexus handler starts it (src/nexus/run-command-operation.ts), here on the
 * main task queue: the recording stack runs no Nexus worker, and the history is the same.
 */
async function nexusRunCommand(stack: Stack, command: string): Promise<string> {
  const app = uniqueApp('replay-nexus');
  const integration = await connectIntegration(stack, { apps: [app] });
  const runId = `nexus-${randomUUID()}`;
  const workflowId = `heroku-nexus-run-${runId}`;
  await stack.h.temporal.workflow.start('NexusRunCommand', {
    taskQueue: stack.config.temporal.taskQueue,
    workflowId,
    args: [{ runId, runTaskQueue: stack.config.temporal.taskQueue, request: { integrationId: integration.integrationId, appName: app, command, incident: { id: 'INC-N' } } }],
  });
  return workflowId;
}

/** A connected app with releases v1..v4 (two deploys after v1 Initial release and v2 Enable Logplex); v4 current. */
async function appWithDeploys(stack: Stack, prefix: string): Promise<{ app: string; integrationId: string }> {
  const app = uniqueApp(prefix);
  const integration = await connectIntegration(stack, { apps: [app] });
  await stack.heroku.deploy(app);
  await stack.heroku.deploy(app);
  await stack.heroku.waitForDeliveriesSettled();
  return { app, integrationId: integration.integrationId };
}

/** A rollback through POST /api/rollbacks to v3, which Heroku marks failed first: the check refuses it. */
async function ineligibleRollback(stack: Stack): Promise<string> {
  const { app, integrationId } = await appWithDeploys(stack, 'replay-rollback');
  stack.heroku.setReleaseStatus(app, 3, 'failed');
  const id = randomUUID();
  const posted = await stack.api('/api/rollbacks', { method: 'POST', body: JSON.stringify({ id, integrationId, appName: app, target: 3 }) });
  assert.equal(posted.status, 202, await posted.text());
  return workflowIdForRollback(id);
}

/** NexusRollbackRelease as the Nexus handler starts it (src/nexus/rollback-release-operation.ts), on the main task queue as for NexusRunCommand. */
async function nexusRollback(stack: Stack, options: { ineligible: boolean }): Promise<string> {
  const { app, integrationId } = await appWithDeploys(stack, 'replay-nexus-rollback');
  if (options.ineligible) stack.heroku.setReleaseStatus(app, 3, 'failed');
  const rollbackId = nexusRollbackId(randomUUID());
  const workflowId = `heroku-nexus-rollback-${rollbackId}`;
  await stack.h.temporal.workflow.start('NexusRollbackRelease', {
    taskQueue: stack.config.temporal.taskQueue,
    workflowId,
    args: [{ rollbackId, runTaskQueue: stack.config.temporal.taskQueue, request: { integrationId, appName: app, target: options.ineligible ? 3 : 'previous', incident: { id: 'INC-NRB' } } }],
  });
  return workflowId;
}

/** Every workflow type exported by src/workflows, on each of its main paths. */
export const scenarios: RecordingScenario[] = [
  {
    scenario: 'install-connected',
    workflowType: 'InstallHerokuIntegration',
    description: 'OAuth round trip, two apps, one webhook each; ends connected',
    closes: 'COMPLETED',
    async run(stack) {
      const started = await installThroughOAuth(stack, { apps: [uniqueApp('replay-a'), uniqueApp('replay-b')] });
      await waitForStatus(stack, started.integrationId, 'connected');
      return started.workflowId;
    },
  },
  {
    scenario: 'install-missing-app',
    workflowType: 'InstallHerokuIntegration',
    description: 'one listed app does not exist on Heroku: that app ends in error, the other gets its webhook; connected',
    closes: 'COMPLETED',
    async run(stack) {
      const missing = uniqueApp('replay-missing');
      const started = await installThroughOAuth(stack, { apps: [uniqueApp('replay-ok'), missing], skipCreate: [missing] });
      const view = await waitForStatus(stack, started.integrationId, 'connected');
      assert.equal(view.apps.find((a) => a.name === missing)?.status, 'error');
      return started.workflowId;
    },
  },
  {
    scenario: 'install-code-refused',
    workflowType: 'InstallHerokuIntegration',
    description: 'Heroku refuses the authorization code (401): the install fails, status error "reconnect needed"',
    closes: 'FAILED',
    async run(stack) {
      stack.heroku.faults.add({ host: 'id', method: 'POST', path: '/oauth/token', status: 401, errorId: 'unauthorized', message: 'Invalid authorization code.' });
      const started = await installThroughOAuth(stack, { apps: [uniqueApp('replay-refused')] });
      await waitForStatus(stack, started.integrationId, 'error');
      return started.workflowId;
    },
  },
  {
    scenario: 'sync-apps',
    workflowType: 'SyncHerokuIntegrationApps',
    description: 'PUT .../apps on a connected integration: one app removed, one kept, one added',
    closes: 'COMPLETED',
    async run(stack) {
      const [a, b, c] = [uniqueApp('replay-a'), uniqueApp('replay-b'), uniqueApp('replay-c')];
      const { integrationId, accountId } = await installed(stack, [a, b]);
      stack.heroku.createApp({ name: c, owner: accountId });
      const res = await stack.api(`/api/integrations/heroku/${integrationId}/apps`, { method: 'PUT', body: JSON.stringify({ apps: [b, c] }) });
      assert.equal(res.status, 202, await res.clone().text());
      return ((await res.json()) as { workflowId: string }).workflowId;
    },
  },
  {
    scenario: 'disconnect',
    workflowType: 'DisconnectHerokuIntegration',
    description: 'DELETE on a connected integration: webhooks removed, authorization revoked, tokens erased',
    closes: 'COMPLETED',
    async run(stack) {
      const { integrationId } = await installed(stack, [uniqueApp('replay-leave')]);
      const res = await stack.api(`/api/integrations/heroku/${integrationId}`, { method: 'DELETE' });
      assert.equal(res.status, 202, await res.clone().text());
      await waitForStatus(stack, integrationId, 'disconnected');
      return ((await res.json()) as { workflowId: string }).workflowId;
    },
  },
  {
    scenario: 'run-command-succeeded',
    workflowType: 'RunCommandOnHeroku',
    description: 'exit 0, output posted to Slack #ops and to the incident timeline',
    closes: 'COMPLETED',
    run: (stack) =>
      runCommand(
        stack,
        { command: 'echo "rollback for {{ incident.id }}"', slackChannels: ['#ops'], postToIncidentTimeline: true, incident: { id: 'INC-1', title: 'Checkout down' } },
        'succeeded',
      ),
  },
  {
    scenario: 'run-command-exit-code',
    workflowType: 'RunCommandOnHeroku',
    description: 'the command exits 3: the run is failed with exitCode 3 (the workflow itself completes)',
    closes: 'COMPLETED',
    run: (stack) => runCommand(stack, { command: 'echo before; exit 3' }, 'failed'),
  },
  {
    scenario: 'run-command-timed-out',
    workflowType: 'RunCommandOnHeroku',
    description: 'the command outlives timeToLiveSeconds (3 s): the workflow timer stops the dyno; timed_out',
    closes: 'COMPLETED',
    run: (stack) => runCommand(stack, { command: 'echo started; sleep 600', timeToLiveSeconds: 3 }, 'timed_out'),
  },
  {
    scenario: 'run-command-template-error',
    workflowType: 'RunCommandOnHeroku',
    description: 'started directly with the Temporal client (as an incident workflow does); the template names an unknown variable: no dyno, the run and the workflow fail with the Liquid error',
    closes: 'FAILED',
    async run(stack) {
      const app = uniqueApp('replay-direct');
      const integration = await connectIntegration(stack, { apps: [app] });
      const workflowId = workflowIdForRun(randomUUID());
      await stack.h.temporal.workflow.start('RunCommandOnHeroku', {
        taskQueue: stack.config.temporal.taskQueue,
        workflowId,
        args: [{ integrationId: integration.integrationId, appName: app, command: 'echo {{ nope }}' }],
      });
      return workflowId;
    },
  },
  {
    scenario: 'run-command-approved',
    workflowType: 'RunCommandOnHeroku',
    description: 'approval gate: the request posted to #ops, approved through the API by a listed approver, then run (exit 0), the Slack message updated',
    closes: 'COMPLETED',
    run: (stack) => gatedRunCommand(stack, { timeoutSeconds: 600, approvers: ['lead@example.com'] }, { kind: 'approve', by: 'lead@example.com', reason: 'checked' }),
  },
  {
    scenario: 'run-command-rejected',
    workflowType: 'RunCommandOnHeroku',
    description: 'approval gate: rejected through the API; no dyno, the run ends rejected, the workflow fails ApprovalRejected',
    closes: 'FAILED',
    run: (stack) => gatedRunCommand(stack, { timeoutSeconds: 600 }, { kind: 'reject', by: 'U0LEAD001', reason: 'not now' }),
  },
  {
    scenario: 'run-command-expired',
    workflowType: 'RunCommandOnHeroku',
    description: 'approval gate: no answer within 2 s, the timer expires it; no dyno, the workflow fails ApprovalExpired',
    closes: 'FAILED',
    run: (stack) => gatedRunCommand(stack, { timeoutSeconds: 2 }, null),
  },
  {
    scenario: 'enrich-pulse',
    workflowType: 'EnrichHerokuPulse',
    description: 'a release delivery without slug.commit: the commit is looked up from the slug',
    closes: 'COMPLETED',
    async run(stack) {
      const app = uniqueApp('replay-deploy');
      const integration = await connectIntegration(stack, { apps: [app] });
      const deploy = await stack.heroku.deploy(app, { omitSlugCommit: true });
      await stack.heroku.waitForDeliveriesSettled();
      assertAllAccepted(stack.heroku, deploy.eventIds);
      const release = await eventually('the release pulse has its commit', async () => {
        const found = (await pulsesOf(stack, { orgId: integration.orgId })).find((p) => p.summary.startsWith('[Heroku][Release]'));
        return found?.data['commit'] ? found : undefined;
      });
      return enrichPulseWorkflowId(release.id);
    },
  },
  {
    scenario: 'nexus-run-command-succeeded',
    workflowType: 'NexusRunCommand',
    description: 'the Nexus runCommand wrapper: its child run exits 0, the result goes back to the caller',
    closes: 'COMPLETED',
    run: (stack) => nexusRunCommand(stack, 'echo "from nexus {{ incident.id }}"'),
  },
  {
    scenario: 'nexus-run-command-failed',
    workflowType: 'NexusRunCommand',
    description: 'the Nexus runCommand wrapper: its child run exits 3, the wrapper fails with CommandFailed carrying the result',
    closes: 'FAILED',
    run: (stack) => nexusRunCommand(stack, 'echo before; exit 3'),
  },
  {
    scenario: 'run-command-live-output',
    workflowType: 'RunCommandOnHeroku',
    description: 'slackLiveOutput in #ops: a message when the command starts, live updates, the file in its thread, the final update',
    closes: 'COMPLETED',
    run: (stack) => runCommand(stack, { command: 'echo one; sleep 6; echo two', slackChannels: ['#ops'], slackLiveOutput: true }, 'succeeded'),
  },
  {
    scenario: 'rollback-succeeded',
    workflowType: 'RollbackHerokuRelease',
    description: 'roll back to "previous" (v3 of v4): target checked, one rollback release, the result in #ops and on the incident timeline',
    closes: 'COMPLETED',
    run: (stack) => rollback(stack, null),
  },
  {
    scenario: 'rollback-approved',
    workflowType: 'RollbackHerokuRelease',
    description: 'approval gate: target checked, the request posted to #ops, approved through the API by a listed approver, then one rollback release; Slack and the timeline say who approved',
    closes: 'COMPLETED',
    run: (stack) => rollback(stack, { timeoutSeconds: 600, approvers: ['lead@example.com'] }),
  },
  {
    scenario: 'rollback-not-eligible',
    workflowType: 'RollbackHerokuRelease',
    description: 'the target v3 failed (not eligible for rollback): the check refuses it, no release; the workflow fails TargetNotEligible',
    closes: 'FAILED',
    run: (stack) => ineligibleRollback(stack),
  },
  {
    scenario: 'nexus-rollback-succeeded',
    workflowType: 'NexusRollbackRelease',
    description: 'the Nexus rollbackRelease wrapper: its child rollback makes the release, the result goes back to the caller',
    closes: 'COMPLETED',
    run: (stack) => nexusRollback(stack, { ineligible: false }),
  },
  {
    scenario: 'nexus-rollback-not-eligible',
    workflowType: 'NexusRollbackRelease',
    description: 'the Nexus rollbackRelease wrapper: its child refuses a target that is not eligible, the wrapper fails TargetNotEligible',
    closes: 'FAILED',
    run: (stack) => nexusRollback(stack, { ineligible: true }),
  },
];

/** The stack the recordings run in: the command-run stack (Slack channels, one connected integration). */
export async function startRecordingStack(): Promise<Stack> {
  return (await startRunStack()).stack;
}
