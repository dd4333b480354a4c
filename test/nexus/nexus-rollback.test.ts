import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { after, before, describe, it } from 'mocha';
import { ROLLBACK_REFUSED } from '../../src/nexus/service';
import { startRunStack, waitFor } from '../command-runs/support';
import { getRollback, rollbackReleases, type RollbackView } from '../rollbacks/support';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack } from '../support/stack';
import { startCallers, type Callers } from './caller-setup';
import type { RollbackOutcome } from './caller-workflows';

/**
 * `rollbackRelease` called by an incident workflow in a second namespace through a Nexus endpoint
 * on the real dev server, against the Heroku simulator: the rollback is the same one the API shows.
 */
describe('the Nexus operation rollbackRelease, called from another namespace', function () {
  this.timeout(180_000);
  const apps = ['nx-rb-happy', 'nx-rb-refused', 'nx-rb-cancel'];
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

  const call = (request: Record<string, unknown>): Promise<WorkflowHandle> =>
    callers.client.workflow.start('IncidentRollsBack', { taskQueue: callers.taskQueue, workflowId: `incident-rollback-${randomUUID()}`, args: [callers.endpoint, { integrationId: integration.integrationId, ...request }] });
  const outcomeOf = async (request: Record<string, unknown>) => (await (await call(request)).result()) as RollbackOutcome;

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

  it('a bad input is a BAD_REQUEST at once with the API message, and no rollback starts', async () => {
    const bad = await outcomeOf({ appName: 'nx-rb-refused', target: 'yesterday' });
    assert.deepEqual(bad, { outcome: 'failed', failureType: 'HandlerError:BAD_REQUEST', message: 'Invalid RollbackHerokuRelease input: target: target must be "previous", a release id (uuid) or a release version number' });
    const missing = await outcomeOf({ appName: 'nx-rb-bad', target: 'previous', postToIncidentTimeline: true });
    assert.equal(missing.outcome, 'failed');
    if (missing.outcome === 'failed') assert.match(missing.message, /postToIncidentTimeline needs incident.id/);
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
});
