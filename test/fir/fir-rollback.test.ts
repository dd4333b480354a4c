import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import { failureOf, startRunStack, waitFor } from '../command-runs/support';
import { eventually, pulsesOf } from '../pulses/support';
import { getRollback, postRollback, rollbackReleases, rollbackToEnd } from '../rollbacks/support';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack } from '../support/stack';

const COMMIT_V3 = '3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a';
const COMMIT_V4 = '4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b';

describe('Release rollback on a Fir app and a Cedar app of the same integration (README "Release rollback", docs/heroku-fir.md)', function () {
  this.timeout(120_000);
  let stack: Stack;
  let integration: ConnectedIntegration;
  before(async () => {
    ({ stack, integration } = await startRunStack({
      apps: [{ name: 'fir-rb', generation: 'fir' }, { name: 'fir-rb-expired', generation: 'fir' }, { name: 'fir-rb-race', generation: 'fir' }, { name: 'cedar-rb' }],
    }));
  });
  after(async () => stack?.close());

  /** v1 Initial release, v2 Enable Logplex, then deploys of COMMIT_V3 (v3) and COMMIT_V4 (v4, current). */
  async function withDeploys(app: string): Promise<void> {
    await stack.heroku.deploy(app, { commit: COMMIT_V3 });
    await stack.heroku.deploy(app, { commit: COMMIT_V4 });
    await stack.heroku.waitForDeliveriesSettled();
  }
  const rollbackPosts = (app: string) => stack.heroku.calls.filter((c) => c.method === 'POST' && c.path === `/apps/${app}/releases`);

  /** The pulse of the rollback's own release, once its commit has been looked up. */
  async function releasePulse(rollbackId: string, app: string) {
    const linked = await waitFor('the release pulse', () => getRollback(stack, rollbackId), (r) => r.releasePulseId !== null);
    return eventually('the release pulse with its commit', async () => {
      const pulse = (await pulsesOf(stack, { orgId: integration.orgId, app })).find((p) => p.id === linked.releasePulseId);
      return pulse?.data['commit'] ? pulse : undefined;
    });
  }

  it('Fir: rolls back to the previous release with one POST; the new release points at v3\'s OCI image and its pulse carries v3\'s commit', async () => {
    await withDeploys('fir-rb');
    const v3Image = stack.heroku.releaseOciImage('fir-rb', 3);
    assert.ok(v3Image, 'a Fir deploy makes an OCI image');
    const id = randomUUID();
    const rollback = await rollbackToEnd(stack, { id, integrationId: integration.integrationId, appName: 'fir-rb', target: 'previous', requestedBy: 'alice@example.com' });
    assert.equal(rollback.status, 'succeeded', rollback.error ?? '');
    assert.equal(rollback.targetVersion, 3);
    assert.equal(rollback.releaseVersion, 5);
    assert.equal(rollbackPosts('fir-rb').length, 1, 'one rollback request');
    const made = rollbackReleases(stack, 'fir-rb', 3);
    assert.equal(made.length, 1, 'exactly one rollback release');
    assert.equal(made[0]?.id, rollback.releaseId);
    assert.equal(made[0]?.current, true);
    assert.equal(stack.heroku.releaseOciImage('fir-rb', 5), v3Image, 'the rollback release runs the target\'s OCI image');
    const row = await stack.h.db('rollbacks').where({ id }).first<{ status: string; release_version: number; target_version: number }>('status', 'release_version', 'target_version');
    assert.deepEqual(row, { status: 'succeeded', release_version: 5, target_version: 3 });

    const pulse = await releasePulse(id, 'fir-rb');
    assert.equal(pulse.summary, '[Heroku][Release] Rollback to v3');
    assert.equal(pulse.data['releaseId'], rollback.releaseId);
    assert.equal(pulse.data['commit'], COMMIT_V3, 'the commit of the OCI image rolled back to, not of v4');
    const imageLookups = stack.heroku.calls.filter((c) => c.method === 'GET' && c.path === `/apps/fir-rb/oci-images/${v3Image}`);
    assert.ok(imageLookups.length >= 1 && imageLookups.every((c) => c.status === 200), JSON.stringify(imageLookups));
    assert.equal(stack.heroku.calls.filter((c) => c.path.startsWith('/apps/fir-rb/slugs/')).length, 0, 'a Fir release has no slug to look up');
  });

  it('Fir: a target whose OCI image expired is refused clearly before Heroku is asked; nothing is released', async () => {
    await withDeploys('fir-rb-expired');
    stack.heroku.expireRelease('fir-rb-expired', 3);
    const id = randomUUID();
    const rollback = await rollbackToEnd(stack, { id, integrationId: integration.integrationId, appName: 'fir-rb-expired', target: 'v3' });
    assert.equal(rollback.status, 'failed');
    assert.equal(
      rollback.error,
      'release v3 of fir-rb-expired is expired: Heroku destroyed its OCI image under its retention policy (releases older than 30 days and 20 releases) and does not support rollback to expired releases; pick a newer release or deploy that commit again',
    );
    assert.equal(rollback.releaseId, null);
    assert.equal((await failureOf(stack, `heroku-rollback-${id}`)).type, 'TargetExpired');
    assert.equal(rollbackPosts('fir-rb-expired').length, 0, 'Heroku was not asked');
    assert.equal(stack.heroku.releases('fir-rb-expired').length, 4, 'no release made');
  });

  it('Fir: the image expires between the check and the request: Heroku\'s 422 is the clear failure, one request, no release', async () => {
    await withDeploys('fir-rb-race');
    // The request is held at the simulator; the retention policy runs while it waits.
    const held = stack.heroku.faults.add({ method: 'POST', path: '/apps/fir-rb-race/releases', delayMs: 3_000 });
    try {
      const id = randomUUID();
      assert.equal((await postRollback(stack, { id, integrationId: integration.integrationId, appName: 'fir-rb-race', target: 3 })).status, 202);
      await waitFor('the rollback request to reach Heroku', () => Promise.resolve(held.fired), (n) => n === 1, 60_000);
      stack.heroku.expireRelease('fir-rb-race', 3);
      const rollback = await waitFor('rollback to end', () => getRollback(stack, id), (r) => r.status === 'failed' || r.status === 'succeeded');
      assert.equal(rollback.status, 'failed');
      assert.equal(rollback.error, 'rolling back fir-rb-race to v3: Heroku answered 422 invalid_params: Release v3 is expired: its OCI image was destroyed. Rollback to expired releases is not supported.');
      assert.equal((await failureOf(stack, `heroku-rollback-${id}`)).type, 'HerokuRefused');
      assert.equal(rollbackPosts('fir-rb-race').length, 1, 'a refusal is not retried');
      assert.equal(stack.heroku.releases('fir-rb-race').length, 4, 'no release made');
    } finally {
      stack.heroku.faults.clear();
    }
  });

  it('Cedar in the same integration still rolls back: the new release carries the slug, its pulse the slug\'s commit', async () => {
    await withDeploys('cedar-rb');
    const id = randomUUID();
    const rollback = await rollbackToEnd(stack, { id, integrationId: integration.integrationId, appName: 'cedar-rb', target: 'previous' });
    assert.equal(rollback.status, 'succeeded', rollback.error ?? '');
    assert.equal(rollback.targetVersion, 3);
    assert.equal(rollback.releaseVersion, 5);
    assert.equal(rollbackPosts('cedar-rb').length, 1);
    assert.equal(rollbackReleases(stack, 'cedar-rb', 3).length, 1);
    assert.equal(stack.heroku.releaseOciImage('cedar-rb', 5), null, 'no OCI image on Cedar');
    const pulse = await releasePulse(id, 'cedar-rb');
    assert.equal(pulse.summary, '[Heroku][Release] Rollback to v3');
    assert.equal(pulse.data['commit'], COMMIT_V3);

    // An expired Cedar target says "slug", not "OCI image".
    stack.heroku.expireRelease('cedar-rb', 4);
    const expired = await rollbackToEnd(stack, { integrationId: integration.integrationId, appName: 'cedar-rb', target: 4 });
    assert.match(expired.error ?? '', /^release v4 of cedar-rb is expired: Heroku destroyed its slug under its retention policy/);
    assert.equal(rollbackPosts('cedar-rb').length, 1);
  });
});
