import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { after, before, describe, it } from 'mocha';
import * as nexus from 'nexus-rpc';
import { createBoundaryDataConverter } from '../../src/nexus/boundary-converter';
import { changesBeforeOperation } from '../../src/nexus/changes-before-operation';
import { nexusRollbackId, rollbackReleaseOperation } from '../../src/nexus/rollback-release-operation';
import { runCommandOperation } from '../../src/nexus/run-command-operation';
import { dynopulseService, ROLLBACK_REFUSED, type RollbackRequest, type RollbackResult } from '../../src/nexus/service';
import { nexusTaskQueue } from '../../src/nexus/task-queue';
import { startRunStack, waitFor } from '../command-runs/support';
import { getRollback, rollbackReleases, type RollbackView } from '../rollbacks/support';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack } from '../support/stack';
import { createEndpoint, startCallers, type Callers } from './caller-setup';
import type { RollbackOutcome } from './caller-workflows';

/**
 * `rollbackRelease` called by an incident workflow in a second namespace through a Nexus endpoint
 * on the real dev server, against the Heroku simulator: the rollback is the same one the API shows.
 */
describe('the Nexus operation rollbackRelease, called from another namespace', function () {
  this.timeout(180_000);
  const apps = ['nx-rb-happy', 'nx-rb-refused', 'nx-rb-cancel', 'nx-rb-gated', 'nx-rb-retried'];
  let stack: Stack;
  let integration: ConnectedIntegration;
  let callers: Callers;

  before(async () => {
    ({ stack, integration } = await startRunStack({ apps: apps.map((name) => ({ name })) }));
    callers = await startCallers(stack);
  });

  after(async () => {
    await callers?.close();
    await stack?.close();
  });

  /** v1 Initial release, v2 Enable Logplex, then two deploys: v3, v4 (current). */
  async function withDeploys(app: string): Promise<void> {
    await stack.heroku.deploy(app);
    await stack.heroku.deploy(app);
    await stack.heroku.waitForDeliveriesSettled();
  }

  const call = (request: Record<string, unknown>, scheduleToCloseTimeout = '10 minutes', endpoint = callers.endpoint): Promise<WorkflowHandle> =>
    callers.client.workflow.start('IncidentRollsBack', { taskQueue: callers.taskQueue, workflowId: `incident-rollback-${randomUUID()}`, args: [endpoint, { integrationId: integration.integrationId, ...request }, scheduleToCloseTimeout] });
  const outcomeOf = async (request: Record<string, unknown>, scheduleToCloseTimeout?: string) => (await (await call(request, scheduleToCloseTimeout)).result()) as RollbackOutcome;

  /** The app's rollbacks as GET /api/rollbacks/:id shows them, newest first. */
  async function rollbacksOf(app: string): Promise<RollbackView[]> {
    const rows = await stack.h.db('rollbacks').where({ app_name: app }).orderBy('started_at', 'desc').select<{ id: string }[]>('id');
    return Promise.all(rows.map((r) => getRollback(stack, r.id)));
  }

  it('rolls back to the previous release: the caller gets the new release Heroku made, the rollback is the one GET /api/rollbacks/:id shows', async () => {
    await withDeploys('nx-rb-happy');
    const outcome = await outcomeOf({ appName: 'nx-rb-happy', target: 'previous', requestedBy: 'incident-bot@example.com', slackChannels: ['#ops'], incident: { id: 'INC-NX-RB' } });
    assert.equal(outcome.outcome, 'succeeded', JSON.stringify(outcome));
    if (outcome.outcome !== 'succeeded') return;
    const { result } = outcome;

    const made = rollbackReleases(stack, 'nx-rb-happy', 3);
    assert.equal(made.length, 1, 'exactly one rollback release');
    assert.equal(made[0]?.current, true);
    const target = stack.heroku.releases('nx-rb-happy').find((r) => r.version === 3);
    assert.deepEqual(result, { rollbackId: result.rollbackId, releaseId: made[0]?.id, releaseVersion: made[0]?.version, targetReleaseId: target?.id, targetVersion: 3 });
    assert.equal(result.releaseVersion, 5);
    assert.match(result.rollbackId, /^nexus-[0-9a-f-]{36}$/, 'the id comes from the Nexus request id');

    const view = await getRollback(stack, result.rollbackId);
    assert.equal(view.status, 'succeeded');
    assert.equal(view.workflowId, `heroku-rollback-${result.rollbackId}`);
    assert.equal(view.releaseId, result.releaseId);
    assert.equal(view.releaseVersion, 5);
    assert.equal(view.targetReleaseId, target?.id);
    assert.deepEqual(view.slack.map((p) => p.status), ['posted'], 'told #ops like any rollback');
    const listed = (await (await stack.api(`/api/rollbacks?orgId=${integration.orgId}&appName=nx-rb-happy`)).json()) as { id: string }[];
    assert.deepEqual(listed.map((r) => r.id), [result.rollbackId]);
  });

  it('a refused rollback reaches the caller as a typed failure (not eligible, already current, no such release, unknown app, unknown integration); the rollback ends failed, nothing is released', async () => {
    const app = 'nx-rb-refused';
    await withDeploys(app);
    stack.heroku.setReleaseStatus(app, 3, 'failed');
    const current = stack.heroku.releases(app).find((r) => r.current);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ appName: app, target: 3 }, ROLLBACK_REFUSED.targetNotEligible, `release v3 of ${app} is not eligible for rollback (status failed); pick a release that succeeded`],
      [{ appName: app, target: current?.id }, ROLLBACK_REFUSED.targetIsCurrent, `release v4 is already the current release of ${app}: nothing to roll back`],
      [{ appName: app, target: 42 }, ROLLBACK_REFUSED.targetNotFound, `app ${app} has no release v42`],
    ];
    for (const [request, type, message] of cases) {
      const outcome = await outcomeOf(request);
      assert.deepEqual(outcome, { outcome: 'failed', failureType: type, message });
      const [newest] = await rollbacksOf(app);
      assert.equal(newest?.status, 'failed');
      assert.equal(newest?.error, message, 'the same error the API shows');
      assert.match(newest?.id ?? '', /^nexus-/);
    }
    assert.equal((await rollbacksOf(app)).length, cases.length, 'one rollback per call');
    assert.equal(stack.heroku.releases(app).length, 4, 'nothing released');

    const gone = await outcomeOf({ appName: 'nx-rb-nobody', target: 'previous' });
    assert.equal(gone.outcome, 'failed', JSON.stringify(gone));
    if (gone.outcome === 'failed') {
      assert.equal(gone.failureType, ROLLBACK_REFUSED.appNotFound);
      assert.match(gone.message, /^reading app nx-rb-nobody: app nx-rb-nobody was not found on Heroku/);
    }
    const unknownIntegration = randomUUID();
    const stranger = await outcomeOf({ integrationId: unknownIntegration, appName: app, target: 'previous' });
    assert.deepEqual(stranger, { outcome: 'failed', failureType: ROLLBACK_REFUSED.unknownIntegration, message: `unknown integration ${unknownIntegration}` });
  });

  it('with approval: rejected through the API the caller gets ApprovalRejected and nothing is released; expired, ApprovalExpired; approved, the new release', async () => {
    const app = 'nx-rb-gated';
    await withDeploys(app);
    const decide = (id: string, kind: 'approve' | 'reject', body: Record<string, unknown>) => stack.api(`/api/rollbacks/${encodeURIComponent(id)}/${kind}`, { method: 'POST', body: JSON.stringify(body) });
    const rollbackCalls = () => stack.heroku.calls.filter((c) => c.method === 'POST' && c.path === `/apps/${app}/releases`);
    /** Calls rollbackRelease gated and waits until its rollback (the app's newest) awaits a decision. */
    async function gatedCall(approval: Record<string, unknown>): Promise<{ handle: WorkflowHandle; rollback: RollbackView }> {
      const before = (await rollbacksOf(app)).length;
      const handle = await call({ appName: app, target: 'previous', requestedBy: 'incident-bot@example.com', approval });
      const rollback = await waitFor('the Nexus rollback to await approval', async () => {
        const all = await rollbacksOf(app);
        return all.length > before ? all[0] : undefined;
      }, (r) => r !== undefined && r.status !== 'pending' && r.status !== 'running');
      assert.equal(rollback?.status, 'awaiting_approval', rollback?.error ?? '');
      return { handle, rollback: rollback! };
    }

    const held = await gatedCall({ timeoutSeconds: 300, approvers: ['lead@example.com'] });
    assert.match(held.rollback.id, /^nexus-/);
    assert.equal(held.rollback.targetVersion, 3, 'the target is checked before the approval');
    assert.equal((await decide(held.rollback.id, 'approve', { by: 'incident-bot@example.com' })).status, 403, 'the requester may not approve');
    assert.equal((await decide(held.rollback.id, 'reject', { by: 'lead@example.com', reason: 'not now' })).status, 200);
    const rejected = (await held.handle.result()) as RollbackOutcome;
    assert.deepEqual(rejected, { outcome: 'failed', failureType: 'ApprovalRejected', message: 'not rolled back: rejected by lead@example.com (not now)' });
    const rejectedView = await getRollback(stack, held.rollback.id);
    assert.equal(rejectedView.status, 'rejected');
    assert.equal(rejectedView.error, 'not rolled back: rejected by lead@example.com (not now)', 'the same error the API shows');
    assert.deepEqual(rollbackCalls(), [], 'Heroku was not asked');

    const unanswered = await gatedCall({ timeoutSeconds: 2 });
    const expired = (await unanswered.handle.result()) as RollbackOutcome;
    assert.deepEqual(expired, { outcome: 'failed', failureType: 'ApprovalExpired', message: 'not rolled back: the approval request expired after 2 s without an answer' });
    assert.equal((await getRollback(stack, unanswered.rollback.id)).status, 'expired');
    assert.deepEqual(rollbackCalls(), []);
    assert.equal(stack.heroku.releases(app).length, 4, 'nothing released');

    const approved = await gatedCall({ timeoutSeconds: 300, approvers: ['lead@example.com'] });
    assert.deepEqual(rollbackCalls(), [], 'nothing before the approval');
    assert.equal((await decide(approved.rollback.id, 'approve', { by: 'lead@example.com' })).status, 200);
    const outcome = (await approved.handle.result()) as RollbackOutcome;
    assert.equal(outcome.outcome, 'succeeded', JSON.stringify(outcome));
    if (outcome.outcome !== 'succeeded') return;
    const made = rollbackReleases(stack, app, 3);
    assert.equal(made.length, 1, 'exactly one rollback release, after the approval');
    assert.deepEqual([outcome.result.rollbackId, outcome.result.releaseId, outcome.result.releaseVersion, outcome.result.targetVersion], [approved.rollback.id, made[0]?.id, 5, 3]);
    const view = await getRollback(stack, approved.rollback.id);
    assert.equal(view.status, 'succeeded');
    assert.equal((view.approval as { decidedBy: string }).decidedBy, 'lead@example.com');
  });

  it('a bad input is a BAD_REQUEST at once with the API message, and no rollback starts', async () => {
    const bad = await outcomeOf({ appName: 'nx-rb-refused', target: 'yesterday' });
    assert.deepEqual(bad, { outcome: 'failed', failureType: 'HandlerError:BAD_REQUEST', message: 'Invalid RollbackHerokuRelease input: target: target must be "previous", a release id (uuid) or a release version number' });
    const missing = await outcomeOf({ appName: 'nx-rb-bad', target: 'previous', postToIncidentTimeline: true });
    assert.equal(missing.outcome, 'failed');
    if (missing.outcome === 'failed') assert.match(missing.message, /postToIncidentTimeline needs incident.id/);
    assert.deepEqual(await rollbacksOf('nx-rb-bad'), []);
  });

  it('an approval the caller would stop waiting for is refused at once (scheduleToCloseTimeout not a minute past approval.timeoutSeconds): no rollback starts', async () => {
    // Accepted, the caller would time out while the rollback still awaited a decision, and a late approval would release it unobserved.
    const outlasting = await outcomeOf({ appName: 'nx-rb-bad', target: 'previous', requestedBy: 'incident-bot@example.com', approval: { timeoutSeconds: 300 } }, '5 minutes');
    assert.equal(outlasting.outcome, 'failed');
    if (outlasting.outcome === 'failed') {
      assert.equal(outlasting.failureType, 'HandlerError:BAD_REQUEST');
      assert.match(outlasting.message, /^Invalid RollbackHerokuRelease input: approval\.timeoutSeconds is 300 but the caller waits only 29\d s \(its scheduleToCloseTimeout\): make the scheduleToCloseTimeout at least 360 s/);
    }
    assert.deepEqual(await rollbacksOf('nx-rb-bad'), []);
  });

  it('cancelling the caller before the release call cancels the rollback: it ends cancelled and Heroku is not asked', async () => {
    const app = 'nx-rb-cancel';
    await withDeploys(app);
    // Hold the check on its release listing, so the cancellation lands before the rollback call.
    const listing = (c: { method: string; path: string; status: number }) => c.method === 'GET' && c.path === `/apps/${app}/releases` && c.status === 200;
    const listedBefore = stack.heroku.calls.filter(listing).length;
    const slow = stack.heroku.faults.add({ method: 'GET', path: `/apps/${app}/releases`, delayMs: 8_000 });
    try {
      const handle = await call({ appName: app, target: 'previous' });
      const running = await waitFor('the rollback to be checking its target', async () => (await rollbacksOf(app))[0], (r) => r?.status === 'running');
      await handle.cancel();
      await assert.rejects(handle.result(), (err: unknown) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure);
      const ended = await waitFor('the rollback to end', () => getRollback(stack, running!.id), (r) => r.status !== 'running' && r.status !== 'pending');
      assert.equal(ended.status, 'cancelled');
      assert.equal(ended.error, 'the rollback was cancelled');
      assert.equal(slow.fired, 1, 'the cancellation came while the check waited on Heroku');
      // The held listing answers after the cancellation; still no rollback request follows it.
      await waitFor('the held release listing to be answered', () => Promise.resolve(stack.heroku.calls.filter(listing).length), (n) => n > listedBefore, 30_000);
      const finalView = await getRollback(stack, running!.id);
      assert.equal(finalView.status, 'cancelled', 'the late answer does not revive it');
      assert.deepEqual(stack.heroku.calls.filter((c) => c.method === 'POST' && c.path === `/apps/${app}/releases`), []);
      assert.equal(stack.heroku.releases(app).length, 4);
    } finally {
      stack.heroku.faults.clear();
    }
  });
  it('a retried start (the answer to the first was lost) finds the same rollback: one rollback, one release, the caller gets its result', async () => {
    const app = 'nx-rb-retried';
    await withDeploys(app);
    // dynopulse's own handler behind an endpoint of its own, whose first answer is lost after the workflow started: the caller's server retries the start with the same request id.
    const runTaskQueue = stack.config.temporal.taskQueue;
    const real = rollbackReleaseOperation(runTaskQueue);
    const starts: string[] = [];
    const firstAnswerLost: nexus.OperationHandler<RollbackRequest, RollbackResult> = {
      async start(ctx, input) {
        const answer = await real.start(ctx, input);
        starts.push(ctx.requestId);
        if (starts.length === 1) throw new nexus.HandlerError('INTERNAL', 'the answer to the first start was lost', { retryableOverride: true });
        return answer;
      },
      cancel: (ctx, token) => real.cancel(ctx, token),
    };
    if (!stack.config.encryptionKey) throw new Error('the test stack has an encryption key');
    const taskQueue = `${nexusTaskQueue(runTaskQueue)}-lost-answer-${randomUUID().slice(0, 8)}`;
    const worker = await Worker.create({
      connection: stack.h.workerConnection,
      namespace: stack.h.namespace,
      taskQueue,
      workflowBundle: stack.h.workflowBundle,
      nexusServices: [nexus.serviceHandler(dynopulseService, { runCommand: runCommandOperation(runTaskQueue), rollbackRelease: firstAnswerLost, changesBefore: changesBeforeOperation(stack.h.db) })],
      dataConverter: createBoundaryDataConverter(stack.config.encryptionKey),
    });
    const running = worker.run();
    try {
      const endpoint = await createEndpoint(stack, taskQueue);
      // Gated, so the rollback is still waiting when the retry comes (a finished one would complete the operation through its callback, retry or not).
      const handle = await call({ appName: app, target: 'previous', requestedBy: 'incident-bot@example.com', approval: { timeoutSeconds: 300 } }, '10 minutes', endpoint);
      await waitFor('the retried start', () => Promise.resolve(starts.length), (n) => n >= 2);
      assert.equal(starts[0], starts[1], 'the retry carries the same request id');
      const waiting = await rollbacksOf(app);
      assert.deepEqual(waiting.map((r) => [r.id, r.status]), [[nexusRollbackId(starts[0] as string), 'awaiting_approval']], 'the retry found the rollback the first start made');
      assert.equal((await stack.api(`/api/rollbacks/${waiting[0]?.id}/approve`, { method: 'POST', body: JSON.stringify({ by: 'lead@example.com' }) })).status, 200);
      const outcome = (await handle.result()) as RollbackOutcome;
      assert.equal(outcome.outcome, 'succeeded', JSON.stringify(outcome));
      assert.equal(starts.length, 2, 'started, answer lost, started once more');
      if (outcome.outcome !== 'succeeded') return;
      assert.equal(outcome.result.rollbackId, nexusRollbackId(starts[0] as string));
      assert.deepEqual((await rollbacksOf(app)).map((r) => [r.id, r.status]), [[outcome.result.rollbackId, 'succeeded']], 'one rollback');
      assert.equal(stack.heroku.calls.filter((c) => c.method === 'POST' && c.path === `/apps/${app}/releases`).length, 1, 'Heroku asked once');
      assert.deepEqual(rollbackReleases(stack, app, 3).map((r) => r.id), [outcome.result.releaseId]);
      const wrapper = `heroku-nexus-rollback-${outcome.result.rollbackId}`;
      const runs = await waitFor('the wrapper in visibility', () => stack.h.temporal.workflow.count(`WorkflowId = "${wrapper}"`), (c) => c.count > 0);
      assert.equal(runs.count, 1, 'one wrapper run');
    } finally {
      worker.shutdown();
      await running;
    }
  });
});
