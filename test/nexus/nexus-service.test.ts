import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { type Client, WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { after, before, describe, it } from 'mocha';
import { getRun, waitFor } from '../command-runs/support';
import { startRunStack } from '../command-runs/support';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack } from '../support/stack';
import { startCallers, type Callers } from './caller-setup';
import type { CallerOutcome, ChangesOutcome } from './caller-workflows';

/**
 * An incident workflow in a second namespace, with its own worker and task queue and no key of
 * ours, calls dynopulse through a Nexus endpoint created with the CLI, on the real dev server.
 */
describe('the dynopulse Nexus service, called from another namespace', function () {
  this.timeout(180_000);
  let stack: Stack;
  let integration: ConnectedIntegration;
  let callers: Callers;
  let caller: Client;

  before(async () => {
    ({ stack, integration } = await startRunStack());
    callers = await startCallers(stack);
    caller = callers.client;
  });

  after(async () => {
    await callers?.close();
    await stack?.close();
  });

  const call = (request: Record<string, unknown>) =>
    caller.workflow.start('IncidentRunsCommand', { taskQueue: callers.taskQueue, workflowId: `incident-${randomUUID()}`, args: [callers.endpoint, { integrationId: integration.integrationId, appName: 'app-one', ...request }] });

  it('a caller workflow bundle pulls in nothing of dynopulse but the service definition', () => {
    for (const heavy of ['koa', 'knex', 'pg', 'pino', 'liquidjs', 'zod', '@temporalio/nexus']) {
      assert.ok(!callers.bundle.code.includes(`node_modules/${heavy}/`), `the caller's bundle includes ${heavy}`);
    }
    assert.ok(callers.bundle.code.includes('node_modules/nexus-rpc/'));
  });

  it('runs a command through the endpoint: the caller gets the exit code and output size, the run is a normal run', async () => {
    const handle = await call({ command: 'echo "hello from nexus"', incident: { id: 'INC-N1' } });
    const outcome = (await handle.result()) as CallerOutcome;
    assert.equal(outcome.outcome, 'succeeded', JSON.stringify(outcome));
    if (outcome.outcome !== 'succeeded') return;
    assert.equal(outcome.exitCode, 0);
    assert.equal(outcome.outputBytes, 'hello from nexus\n'.length);
    // The same run the API shows, with its output stored as for any run.
    const run = await getRun(stack, outcome.runId);
    assert.equal(run.status, 'succeeded');
    assert.equal(run.exitCode, 0);
    assert.equal(run.workflowId, `heroku-run-${outcome.runId}`);
  });

  it('with approval, the run waits until approved through the API; a rejected or expired one is an ApprovalRejected / ApprovalExpired failure the caller catches', async () => {
    const runOf = async (command: string) => (await stack.h.db('command_runs').whereRaw("input->>'command' = ?", [command]).first<{ id: string; status: string } | undefined>('id', 'status')) ?? null;
    const decideRun = (id: string, kind: string, by: string) => stack.api(`/api/command-runs/${encodeURIComponent(id)}/${kind}`, { method: 'POST', body: JSON.stringify({ by }) });
    const approvedCommand = `echo approved through nexus ${randomUUID()}`;
    const approved = await call({ command: approvedCommand, requestedBy: 'caller@example.com', approval: { timeoutSeconds: 600 } });
    const waiting = await waitFor('the Nexus run to await approval', () => runOf(approvedCommand), (r) => r?.status === 'awaiting_approval');
    assert.equal((await decideRun(waiting!.id, 'approve', 'caller@example.com')).status, 403, 'the requester may not approve');
    assert.equal((await decideRun(waiting!.id, 'approve', 'lead@example.com')).status, 200);
    const outcome = (await approved.result()) as CallerOutcome;
    assert.equal(outcome.outcome, 'succeeded', JSON.stringify(outcome));

    const rejectedCommand = `echo rejected through nexus ${randomUUID()}`;
    const rejected = await call({ command: rejectedCommand, approval: { timeoutSeconds: 600 } });
    const held = await waitFor('the second Nexus run to await approval', () => runOf(rejectedCommand), (r) => r?.status === 'awaiting_approval');
    assert.equal((await decideRun(held!.id, 'reject', 'lead@example.com')).status, 200);
    const refused = (await rejected.result()) as CallerOutcome;
    assert.equal(refused.outcome, 'failed', JSON.stringify(refused));
    if (refused.outcome === 'failed') {
      assert.equal(refused.failureType, 'ApprovalRejected');
      assert.match(refused.message, /^not run: rejected by lead@example.com$/);
    }
    assert.equal((await getRun(stack, held!.id)).dynoId, null);

    const expired = (await (await call({ command: 'echo never', approval: { timeoutSeconds: 1 } })).result()) as CallerOutcome;
    assert.equal(expired.outcome, 'failed', JSON.stringify(expired));
    if (expired.outcome === 'failed') assert.equal(expired.failureType, 'ApprovalExpired');
  });

  it('a command that fails surfaces as a CommandFailed failure the caller catches, carrying the result', async () => {
    const outcome = (await (await call({ command: 'echo oops; exit 3' })).result()) as CallerOutcome;
    assert.equal(outcome.outcome, 'failed', JSON.stringify(outcome));
    if (outcome.outcome !== 'failed') return;
    assert.equal(outcome.failureType, 'CommandFailed');
    assert.match(outcome.message, /exited with code 3/);
    assert.equal((outcome.details[0] as { exitCode: number }).exitCode, 3, 'the result is in the details, readable without our key');
  });

  it('a run that cannot run keeps its own failure type (an app of no integration: HerokuRefused); a bad input is a BAD_REQUEST at once', async () => {
    const refused = (await (await call({ appName: 'app-of-nobody', command: 'true' })).result()) as CallerOutcome;
    assert.equal(refused.outcome, 'failed', JSON.stringify(refused));
    if (refused.outcome === 'failed') {
      assert.equal(refused.failureType, 'HerokuRefused');
      assert.match(refused.message, /app-of-nobody: Heroku answered 404/, 'the message readable in clear, without our key');
    }

    const bad = (await (await call({ command: '' })).result()) as CallerOutcome;
    assert.equal(bad.outcome, 'failed', JSON.stringify(bad));
    if (bad.outcome === 'failed') {
      assert.equal(bad.failureType, 'HandlerError:BAD_REQUEST');
      assert.match(bad.message, /command must not be empty/);
    }
  });

  it('changesBefore answers synchronously what changed before an instant, the same list as GET /api/changes; a bad window is a BAD_REQUEST', async () => {
    const deployed = await stack.heroku.deploy('app-one');
    await stack.heroku.waitForDeliveriesSettled();
    const before = new Date().toISOString();
    const ask = async (request: Record<string, unknown>) =>
      (await (await caller.workflow.start('IncidentAsksWhatChanged', { taskQueue: callers.taskQueue, workflowId: `incident-changes-${randomUUID()}`, args: [callers.endpoint, { orgId: integration.orgId, ...request }] })).result()) as ChangesOutcome;
    const answer = await ask({ app: 'app-one', before, window: 'PT1H' });
    assert.equal(answer.outcome, 'succeeded', JSON.stringify(answer));
    if (answer.outcome !== 'succeeded') return;
    const release = answer.changes.find((c) => c.kind === 'release' && c.data['releaseId'] === deployed.releaseId);
    assert.ok(release, 'the deploy just made is in the answer');
    assert.ok(answer.changes.some((c) => c.kind === 'build' && c.data['buildId'] === deployed.buildId));
    const api = (await (await stack.api(`/api/changes?${new URLSearchParams({ orgId: integration.orgId, app: 'app-one', before, window: 'PT1H', limit: '500' }).toString()}`)).json()) as unknown[];
    assert.deepEqual(answer.changes, api);
    const otherOrg = await ask({ orgId: `org-${randomUUID().slice(0, 8)}`, app: 'app-one', before, window: 'PT1H' });
    assert.deepEqual(otherOrg, { outcome: 'succeeded', changes: [] }, 'another org sees none of them');

    const bad = await ask({ app: 'app-one', window: 'P30D' });
    assert.equal(bad.outcome, 'failed');
    if (bad.outcome === 'failed') {
      assert.equal(bad.failureType, 'HandlerError:BAD_REQUEST');
      assert.match(bad.message, /window: window must be at most P7D/);
    }
  });

  it('cancelling the caller cancels the run: its dyno is stopped and the run ends cancelled', async () => {
    const incidentId = `INC-CANCEL-${randomUUID().slice(0, 8)}`;
    const handle = await call({ command: 'echo started; sleep 600', incident: { id: incidentId } });
    const dynosBefore = stack.heroku.dynos('app-one').length;
    const run = await waitFor(
      'the run to stream',
      async () => {
        const runs = (await (await stack.api(`/api/command-runs?incidentId=${incidentId}`)).json()) as { id: string; status: string }[];
        return runs.find((r) => r.status === 'running');
      },
      (r) => r !== undefined,
    );
    assert.ok(run);
    await handle.cancel();
    await assert.rejects(handle.result(), (err: unknown) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure);
    const ended = await waitFor('the run to end', () => getRun(stack, run.id), (r) => r.status !== 'running' && r.status !== 'pending');
    assert.equal(ended.status, 'cancelled');
    const dyno = stack.heroku.dynos('app-one').slice(dynosBefore - 1).find((d) => d.spec.dynoId === ended.dynoId);
    assert.equal(dyno?.endReason, 'stopped');
  });
});
