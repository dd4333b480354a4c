import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import { failureOf, startRunStack, waitFor } from '../command-runs/support';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack } from '../support/stack';
import { FINAL_ROLLBACK, getRollback, narrowScope, postRollback, rollbackReleases, rollbackToEnd } from './support';

describe('RollbackHerokuRelease through POST /api/rollbacks', function () {
  this.timeout(120_000);
  let stack: Stack;
  let integration: ConnectedIntegration;
  const apps = ['rb-happy', 'rb-ineligible', 'rb-current', 'rb-gone', 'rb-scope', 'rb-busy', 'rb-flaky', 'rb-twice', 'rb-cancel-late'];
  before(async () => ({ stack, integration } = await startRunStack({ apps: apps.map((name) => ({ name })) })));
  after(async () => stack?.close());

  /** v1 Initial release, v2 Enable Logplex, then two deploys: v3, v4 (current). */
  async function withDeploys(app: string): Promise<void> {
    await stack.heroku.deploy(app);
    await stack.heroku.deploy(app);
    await stack.heroku.waitForDeliveriesSettled();
  }

  it('rolls back to the previous release: one new release "Rollback to v3", the result in Slack and on the timeline, its webhook pulse linked', async () => {
    await withDeploys('rb-happy');
    const id = randomUUID();
    const rollback = await rollbackToEnd(stack, {
      id,
      integrationId: integration.integrationId,
      appName: 'rb-happy',
      target: 'previous',
      requestedBy: 'alice@example.com',
      slackChannels: ['#ops'],
      postToIncidentTimeline: true,
      incident: { id: 'INC-rb-1', title: 'bad deploy' },
    });
    assert.equal(rollback.status, 'succeeded', rollback.error ?? '');
    assert.equal(rollback.targetVersion, 3);
    assert.equal(rollback.releaseVersion, 5);
    const releases = stack.heroku.releases('rb-happy');
    const made = rollbackReleases(stack, 'rb-happy', 3);
    assert.equal(made.length, 1, 'exactly one rollback release');
    assert.equal(made[0]?.id, rollback.releaseId);
    assert.equal(made[0]?.current, true);
    assert.equal(releases.filter((r) => r.current).length, 1);
    assert.equal(rollback.targetReleaseId, releases.find((r) => r.version === 3)?.id);

    const result = await stack.h.temporal.workflow.getHandle(`heroku-rollback-${id}`).result();
    assert.deepEqual(result, { rollbackId: id, releaseId: rollback.releaseId, releaseVersion: 5, targetReleaseId: rollback.targetReleaseId, targetVersion: 3 });

    const posts = stack.slack.messages.filter((m) => m.text?.includes('Rolled back rb-happy'));
    assert.equal(posts.length, 1);
    assert.equal(posts[0]?.channel, 'C1');
    assert.match(posts[0]?.text ?? '', /Rolled back rb-happy to v3: new release v5/);
    assert.deepEqual(rollback.slack.map((p) => p.status), ['posted']);

    const timeline = (await (await stack.api('/api/incidents/INC-rb-1/timeline')).json()) as { id: string; kind: string; summary: string; data: Record<string, unknown> }[];
    const event = timeline.find((e) => e.kind === 'heroku_rollback');
    assert.equal(event?.id, rollback.timelineEventId);
    assert.equal(event?.data['releaseVersion'], 5);

    // The rollback's own api:release webhook becomes a release pulse, shown on the rollback.
    const linked = await waitFor('the release pulse', () => getRollback(stack, id), (r) => r.releasePulseId !== null);
    const pulses = (await (await stack.api(`/api/pulses?orgId=${integration.orgId}&app=rb-happy`)).json()) as { id: string; summary: string; data: Record<string, unknown> }[];
    const pulse = pulses.find((p) => p.id === linked.releasePulseId);
    assert.equal(pulse?.summary, '[Heroku][Release] Rollback to v3');
    assert.equal(pulse?.data['releaseId'], rollback.releaseId);
    // As a change ("what changed before"), the same release is a rollback.
    const changes = (await (await stack.api(`/api/changes?orgId=${integration.orgId}&app=rb-happy`)).json()) as { id: string; kind: string }[];
    assert.deepEqual(changes.filter((c) => c.id === linked.releasePulseId).map((c) => c.kind), ['rollback']);
    assert.equal(changes.filter((c) => c.kind === 'rollback').length, 1, 'the deploys stay releases');

    const list = (await (await stack.api(`/api/rollbacks?orgId=${integration.orgId}`)).json()) as { id: string }[];
    assert.ok(list.some((r) => r.id === id));
    const otherOrg = (await (await stack.api('/api/rollbacks?orgId=some-other-org')).json()) as unknown[];
    assert.deepEqual(otherOrg, []);
  });

  it('the same id twice starts one rollback; the same id with another input is 409', async () => {
    await withDeploys('rb-twice');
    const id = randomUUID();
    const body = { id, integrationId: integration.integrationId, appName: 'rb-twice', target: 3 };
    assert.equal((await postRollback(stack, body)).status, 202);
    assert.equal((await postRollback(stack, body)).status, 202);
    const done = await waitFor('rollback', () => getRollback(stack, id), (r) => r.status === 'succeeded' || r.status === 'failed');
    assert.equal(done.status, 'succeeded', done.error ?? '');
    assert.equal((await postRollback(stack, body)).status, 202, 'after the end too');
    const conflict = await postRollback(stack, { ...body, target: 2 });
    assert.equal(conflict.status, 409);
    assert.equal(rollbackReleases(stack, 'rb-twice', 3).length, 1);
  });

  it('refuses bad input with a clear 400 and stores nothing: a bad approval, a bad target, an unknown integration', async () => {
    const base = { integrationId: integration.integrationId, appName: 'rb-happy', target: 'previous' };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, approval: { timeoutSeconds: 0 } }, /approval\.timeoutSeconds must be positive/],
      [{ ...base, approval: { timeoutSeconds: 900, approvers: ['not a person'] } }, /approval\.approvers entries must be an email address or a Slack user id/],
      [{ ...base, target: 'yesterday' }, /target must be "previous", a release id \(uuid\) or a release version number/],
      [{ ...base, target: 0 }, /target must be/],
      [{ ...base, integrationId: randomUUID() }, /unknown integration/],
      [{ ...base, postToIncidentTimeline: true }, /postToIncidentTimeline needs incident.id/],
    ];
    for (const [body, message] of cases) {
      const id = randomUUID();
      const res = await postRollback(stack, { ...body, id });
      assert.equal(res.status, 400, JSON.stringify(res.json));
      assert.match((res.json["error"] as { message: string }).message, message);
      assert.equal((await stack.api(`/api/rollbacks/${id}`)).status, 404, 'nothing stored');
    }
  });

  it('a target that is not eligible for rollback fails clearly, and nothing is released', async () => {
    await withDeploys('rb-ineligible');
    stack.heroku.setReleaseStatus('rb-ineligible', 3, 'failed');
    const rollback = await rollbackToEnd(stack, { integrationId: integration.integrationId, appName: 'rb-ineligible', target: 'v3' });
    assert.equal(rollback.status, 'failed');
    assert.equal(rollback.error, 'release v3 of rb-ineligible is not eligible for rollback (status failed); pick a release that succeeded');
    assert.equal(stack.heroku.releases('rb-ineligible').length, 4);
  });

  it('the current release as target fails clearly ("already the current release")', async () => {
    await withDeploys('rb-current');
    const current = stack.heroku.releases('rb-current').find((r) => r.current);
    const rollback = await rollbackToEnd(stack, { integrationId: integration.integrationId, appName: 'rb-current', target: current?.id });
    assert.equal(rollback.status, 'failed');
    assert.equal(rollback.error, 'release v4 is already the current release of rb-current: nothing to roll back');
    const missing = await rollbackToEnd(stack, { integrationId: integration.integrationId, appName: 'rb-current', target: 42 });
    assert.equal(missing.error, 'app rb-current has no release v42');
  });

  it('an app that is gone (404) fails clearly', async () => {
    await withDeploys('rb-gone');
    stack.heroku.destroyApp('rb-gone');
    const id = randomUUID();
    const rollback = await rollbackToEnd(stack, { id, integrationId: integration.integrationId, appName: 'rb-gone', target: 'previous' });
    assert.equal(rollback.status, 'failed');
    assert.match(rollback.error ?? '', /^reading app rb-gone: app rb-gone was not found on Heroku \(destroyed or renamed\?\): Heroku answered 404 not_found/);
    assert.equal((await failureOf(stack, `heroku-rollback-${id}`)).type, 'AppNotFound');
  });

  it('a token without the write scope (403) fails clearly, without a release', async () => {
    await withDeploys('rb-scope');
    await narrowScope(stack, integration, ['read']);
    try {
      const rollback = await rollbackToEnd(stack, { integrationId: integration.integrationId, appName: 'rb-scope', target: 'previous' });
      assert.equal(rollback.status, 'failed');
      assert.match(rollback.error ?? '', /^rolling back rb-scope to v3: the integration's Heroku authorization does not allow it \(a rollback needs the "write" scope or wider; reconnect the integration with that scope\): Heroku answered 403 forbidden/);
      assert.equal(stack.heroku.releases('rb-scope').length, 4);
    } finally {
      await narrowScope(stack, integration, ['global']);
    }
  });

  it('Heroku 503 on every try: retried, then a clear failure; still no second release', async () => {
    await withDeploys('rb-busy');
    const fault = stack.heroku.faults.add({ method: 'POST', path: '/apps/rb-busy/releases', status: 503, times: 100 });
    try {
      const rollback = await rollbackToEnd(stack, { integrationId: integration.integrationId, appName: 'rb-busy', target: 'previous' });
      assert.equal(rollback.status, 'failed');
      assert.equal(rollback.error, 'rolling back rb-busy to v3: Heroku answered 503 service_unavailable: Service temporarily unavailable. Please try again later.');
      assert.equal(fault.fired, 5, 'five attempts');
      assert.equal(stack.heroku.releases('rb-busy').length, 4);
    } finally {
      stack.heroku.faults.clear();
    }
  });

  it('Heroku 429 twice: retried, then one rollback release', async () => {
    await withDeploys('rb-flaky');
    stack.heroku.faults.add({ method: 'POST', path: '/apps/rb-flaky/releases', status: 429, times: 2 });
    const rollback = await rollbackToEnd(stack, { integrationId: integration.integrationId, appName: 'rb-flaky', target: 'previous' });
    assert.equal(rollback.status, 'succeeded', rollback.error ?? '');
    assert.equal(rollbackReleases(stack, 'rb-flaky', 3).length, 1);
  });

  it('a cancellation that arrives while Heroku is asked does not take the release back: the rollback ends succeeded with its one release', async () => {
    await withDeploys('rb-cancel-late');
    const held = stack.heroku.faults.add({ method: 'POST', path: '/apps/rb-cancel-late/releases', delayMs: 3_000 });
    const id = randomUUID();
    assert.equal((await postRollback(stack, { id, integrationId: integration.integrationId, appName: 'rb-cancel-late', target: 'previous' })).status, 202);
    await waitFor('the rollback request to reach Heroku', async () => held.fired, (fired) => fired === 1);
    await stack.h.temporal.workflow.getHandle(`heroku-rollback-${id}`).cancel();
    const ended = await waitFor('the rollback to end', () => getRollback(stack, id), (r) => FINAL_ROLLBACK.includes(r.status));
    assert.equal(ended.status, 'succeeded', ended.error ?? '');
    const made = rollbackReleases(stack, 'rb-cancel-late', 3);
    assert.equal(made.length, 1);
    assert.equal(ended.releaseId, made[0]?.id);
  });
});
