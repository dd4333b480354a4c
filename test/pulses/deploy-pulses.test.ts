import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { createPulseActivities } from '../../src/activities/pulses';
import { enrichPulseWorkflowId } from '../../src/workflows/enrich-pulse';
import type { DeploySummary } from '../simulators/heroku';
import { connectIntegration, type ConnectedIntegration } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import {
  assertAllAccepted,
  eventually,
  freshEventFrom,
  pulsesOf,
  rawBodyOf,
  storedCounts,
  storedEventIds,
  uniqueName,
  webhookUrl,
  type PulseJson,
} from './support';

/** The pulses of one deploy, keyed by summary suffix, with sanity checks common to all of them. */
function byKind(pulses: PulseJson[]): { pending?: PulseJson; succeeded?: PulseJson; failed?: PulseJson; release?: PulseJson } {
  const out: Record<string, PulseJson> = {};
  for (const p of pulses) {
    assert.equal(p.source, 'heroku');
    const key = p.summary.startsWith('[Heroku][Release] ') ? 'release' : (p.summary.split(' ').pop() ?? '');
    assert.equal(out[key], undefined, `two ${key} pulses: ${pulses.map((x) => x.summary).join(' | ')}`);
    out[key] = p;
  }
  return out;
}

describe('Pulses from Heroku deploys (deliveries made and signed by the Heroku simulator)', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack.close();
  });

  /** A fresh integration watching one fresh app: each test gets its own pulses. */
  async function watchedApp(): Promise<{ app: string; integration: ConnectedIntegration }> {
    const app = uniqueName('app');
    return { app, integration: await connectIntegration(stack, { apps: [app] }) };
  }

  async function deployAndSettle(app: string, options: Parameters<Stack['heroku']['deploy']>[1] = {}): Promise<DeploySummary> {
    const summary = await stack.heroku.deploy(app, options);
    await stack.heroku.waitForDeliveriesSettled();
    assertAllAccepted(stack.heroku, summary.eventIds);
    return summary;
  }

  it('a full deploy makes build pending, build succeeded and one release pulse with the CONTRACT §5 summaries and fields', async () => {
    const { app, integration } = await watchedApp();
    const deploy = await deployAndSettle(app);
    const pulses = await pulsesOf(stack, { orgId: integration.orgId });
    assert.equal(pulses.length, 3);
    const { pending, succeeded, release } = byKind(pulses);
    assert.ok(pending && succeeded && release);

    assert.equal(pending.summary, `[Heroku][Build] ${app} pending`);
    assert.equal(succeeded.summary, `[Heroku][Build] ${app} succeeded`);
    assert.equal(release.summary, `[Heroku][Release] Deploy ${deploy.commit.slice(0, 8)}`);

    for (const build of [pending, succeeded]) {
      assert.equal(build.data['buildId'], deploy.buildId);
      assert.equal(build.data['commit'], deploy.commit);
      assert.equal(build.data['userEmail'], integration.accountEmail);
      assert.equal(build.data['appName'], app);
      assert.equal(build.labels['app'], app);
    }
    assert.equal(pending.data['status'], 'pending');
    assert.equal(pending.endedAt, null, 'a pending build has not ended');
    assert.equal(succeeded.data['status'], 'succeeded');
    assert.equal(succeeded.data['releaseVersion'], deploy.releaseVersion);
    assert.ok(succeeded.endedAt !== null && succeeded.endedAt >= succeeded.startedAt);
    assert.equal(pending.startedAt, succeeded.startedAt, 'both pulses of a build start when the build was created');

    assert.equal(release.data['version'], deploy.releaseVersion);
    assert.equal(release.data['status'], 'succeeded');
    assert.equal(release.data['commit'], deploy.commit);
    assert.equal(release.data['appName'], app);
    assert.equal(release.data['releaseId'], deploy.releaseId);
    assert.equal(release.labels['version'], `v${deploy.releaseVersion}`);
    assert.ok(release.endedAt !== null && release.endedAt >= release.startedAt);

    // Newest first: the release ended last.
    assert.equal(pulses[0]?.id, release.id);
    // Every event of the deploy is recorded once.
    assert.deepEqual(await storedEventIds(stack.h.db, integration.integrationId), [...deploy.eventIds].sort());
  });

  it('a deploy with release phase (3 release events) still makes exactly one release pulse', async () => {
    const { app, integration } = await watchedApp();
    const deploy = await deployAndSettle(app, { releasePhase: true });
    assert.equal(deploy.events.filter((e) => e.include === 'api:release').length, 3);
    const { pending, succeeded, release } = byKind(await pulsesOf(stack, { orgId: integration.orgId }));
    assert.ok(pending && succeeded && release);
    assert.equal(release.data['version'], deploy.releaseVersion);
    assert.deepEqual(await storedCounts(stack.h.db, integration.integrationId), { events: 5, pulses: 3 });
  });

  it('a failed build makes pending and failed pulses and no release pulse', async () => {
    const { app, integration } = await watchedApp();
    const deploy = await deployAndSettle(app, { fail: true });
    const pulses = await pulsesOf(stack, { orgId: integration.orgId });
    assert.deepEqual(pulses.map((p) => p.summary).sort(), [`[Heroku][Build] ${app} failed`, `[Heroku][Build] ${app} pending`]);
    const failed = byKind(pulses).failed;
    assert.equal(failed?.data['buildId'], deploy.buildId);
    assert.equal(failed?.data['commit'], deploy.commit);
    assert.equal(failed?.data['userEmail'], integration.accountEmail);
    assert.notEqual(failed?.endedAt, null);
  });

  it('duplicates of every event (byte-identical re-sends, redeliveries, re-sent copies under new ids) change nothing and are answered 2xx', async () => {
    const { app, integration } = await watchedApp();
    const hook = integration.webhooks.get(app);
    assert.ok(hook);
    stack.heroku.duplicateNextDeliveries(6); // every delivery of this deploy is POSTed twice
    const deploy = await deployAndSettle(app, { releasePhase: true, duplicateReleaseEvents: true });
    const duplicatesSent = stack.heroku.deliveries
      .filter((d) => deploy.eventIds.includes(d.eventId))
      .flatMap((d) => d.attempts.filter((a) => a.duplicate));
    assert.ok(duplicatesSent.length >= deploy.eventIds.length, 'the simulator re-sent every event');
    assert.ok(duplicatesSent.every((a) => a.responseStatus === 200));
    const before = await pulsesOf(stack, { orgId: integration.orgId });
    assert.equal(before.length, 3);

    // A redelivery of each event, byte for byte (what a Heroku retry after a lost 2xx looks like).
    for (const eventId of deploy.eventIds) {
      const res = await stack.heroku.sendSigned(webhookUrl(stack, integration.integrationId), hook.secret, rawBodyOf(stack.heroku, eventId).toString('utf8'));
      assert.equal(res.status, 200);
      assert.equal((JSON.parse(res.body) as { duplicate: boolean }).duplicate, true);
    }
    // Copies of each event under a new event id (Heroku's duplicate release events, HELP-REL): business keys dedupe them.
    for (const eventId of deploy.eventIds) {
      const res = await stack.heroku.sendSigned(webhookUrl(stack, integration.integrationId), hook.secret, freshEventFrom(rawBodyOf(stack.heroku, eventId)));
      assert.equal(res.status, 200);
      assert.equal((JSON.parse(res.body) as { duplicate: boolean }).duplicate, true);
    }

    assert.deepEqual(await pulsesOf(stack, { orgId: integration.orgId }), before);
    assert.deepEqual(await storedEventIds(stack.h.db, integration.integrationId), [...deploy.eventIds].sort());
  });

  const orders: [string, number[] | true][] = [
    ['the order of the 2025 capture (build update after the release events)', [0, 2, 3, 4, 1]],
    ['release events reversed, final one first', [4, 3, 2, 1, 0]],
    ['a random order', true],
  ];
  for (const [what, shuffle] of orders) {
    it(`events out of order (${what}) make the same pulses`, async () => {
      const { app, integration } = await watchedApp();
      const deploy = await deployAndSettle(app, { releasePhase: true, shuffle });
      assert.notDeepEqual(deploy.publishedOrder, deploy.eventIds);
      const { pending, succeeded, release } = byKind(await pulsesOf(stack, { orgId: integration.orgId }));
      assert.ok(pending && succeeded && release, 'build pending, build succeeded and release pulses exist');
      assert.equal(release.data['version'], deploy.releaseVersion);
      assert.equal(release.data['commit'], deploy.commit);
      assert.equal(pending.endedAt, null);
      assert.deepEqual(await storedCounts(stack.h.db, integration.integrationId), { events: 5, pulses: 3 });
    });
  }

  it('a release payload without slug.commit gets its commit from GET /apps/{app}/slugs/{id} through a workflow', async () => {
    const { app, integration } = await watchedApp();
    stack.heroku.resetCalls();
    const deploy = await deployAndSettle(app, { omitSlugCommit: true });
    const release = await eventually('the release pulse has its commit', async () => {
      const found = byKind(await pulsesOf(stack, { orgId: integration.orgId })).release;
      return found?.data['commit'] ? found : undefined;
    });
    assert.equal(release.data['commit'], deploy.commit);
    assert.ok(stack.heroku.calls.some((c) => c.method === 'GET' && c.path === `/apps/${app}/slugs/${deploy.slugId}`));
    const result = (await stack.h.temporal.workflow.getHandle(enrichPulseWorkflowId(release.id)).result()) as { commit: string };
    assert.equal(result.commit, deploy.commit);
  });

  it('the commit lookup outlasts Heroku errors (503) and gives up cleanly on a 404: the pulse keeps a null commit, no longer pending', async () => {
    const { app, integration } = await watchedApp();
    stack.heroku.faults.add({ method: 'GET', path: /\/slugs\//, status: 503, times: 3 });
    const flaky = await deployAndSettle(app, { omitSlugCommit: true });
    const releaseOf = async (version: number | null) =>
      (await pulsesOf(stack, { orgId: integration.orgId })).find((p) => p.summary.startsWith('[Heroku][Release]') && p.data['version'] === version);
    const recovered = await eventually('the commit after 503s', async () => {
      const found = await releaseOf(flaky.releaseVersion);
      return found?.data['commit'] ? found : undefined;
    });
    assert.equal(recovered.data['commit'], flaky.commit);

    stack.heroku.faults.add({ method: 'GET', path: /\/slugs\//, status: 404, times: 1 });
    const gone = await deployAndSettle(app, { omitSlugCommit: true });
    const pulse = await releaseOf(gone.releaseVersion);
    assert.ok(pulse);
    const result = (await stack.h.temporal.workflow.getHandle(enrichPulseWorkflowId(pulse.id)).result()) as { commit: string | null };
    assert.equal(result.commit, null);
    assert.equal((await releaseOf(gone.releaseVersion))?.data['commit'], null);
    const row = (await stack.h.db('pulses').where({ id: pulse.id }).first('commit_pending')) as { commit_pending: boolean };
    assert.equal(row.commit_pending, false);
  });

  it('the commit lookup finds the slug through GET /apps/{app}/releases/{id} when the payload names no slug, and gives null when the release has none', async () => {
    const { app, integration } = await watchedApp();
    const deploy = await deployAndSettle(app);
    const activities = createPulseActivities(stack.deps);
    stack.heroku.resetCalls();
    const commit = await activities.lookupReleaseCommit({ integrationId: integration.integrationId, appName: app, releaseId: String(deploy.releaseId), slugId: null });
    assert.equal(commit, deploy.commit);
    assert.deepEqual(
      stack.heroku.calls.map((c) => `${c.method} ${c.path}`),
      [`GET /apps/${app}/releases/${deploy.releaseId}`, `GET /apps/${app}/slugs/${deploy.slugId}`],
    );
    // v2 "Enable Logplex" has no slug: there is no commit to tell, and that is not an error.
    const v2 = await integration.heroku.get<{ id: string }>(`/apps/${app}/releases/2`);
    assert.equal(await activities.lookupReleaseCommit({ integrationId: integration.integrationId, appName: app, releaseId: v2.id, slugId: null }), null);
  });

  it('api:dyno events are recorded and make no pulse', async () => {
    const { app, integration } = await watchedApp();
    const event = stack.heroku.emitEvent(app, 'api:dyno', 'create', {
      id: '0f7bb4b7-4d1b-4a56-a0e6-2b2b1c7d3b11',
      app: { id: stack.heroku.app(app).id, name: app },
      command: 'bash',
      name: 'run.1234',
      size: 'standard-1X',
      state: 'starting',
      type: 'run',
      attach_url: null,
      release: { id: '6a7a16d4-8e52-4d1b-9d15-0a3c2b1f4e21', version: 3 },
      created_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      updated_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
    await stack.heroku.waitForDeliveriesSettled();
    assertAllAccepted(stack.heroku, [event.id]);
    assert.deepEqual(await storedEventIds(stack.h.db, integration.integrationId), [event.id]);
    const stored = (await stack.h.db('heroku_webhook_events').where({ integration_id: integration.integrationId }).first()) as { resource: string; action: string; payload: { id: string } };
    assert.equal(stored.resource, 'dyno');
    assert.equal(stored.action, 'create');
    assert.equal(stored.payload.id, event.id);
    assert.deepEqual(await pulsesOf(stack, { orgId: integration.orgId }), []);
  });
});
