import { describe, it, before, after, beforeEach, afterEach } from 'mocha';
import assert from 'node:assert/strict';
import type { HerokuSimulator } from './index';
import { callApi, obj, startSimulator, WebhookReceiver } from './test-support';

type Body = Record<string, unknown>;

function summaryOf(body: Body): string {
  const data = obj(body['data']);
  const current = data['current'] === undefined ? '' : ` current=${String(data['current'])}`;
  return `${String(body['resource'])} ${String(body['action'])} ${String(data['status'])}${current}`;
}

describe('Heroku simulator: deploy event sequences', () => {
  let sim: HerokuSimulator;
  let token: string;
  let receiver: WebhookReceiver;
  let deployer: { id: string; email: string };

  before(async () => {
    sim = await startSimulator();
    const owner = sim.createAccount({ email: 'owner@example.com' });
    deployer = sim.createAccount({ email: 'dev@example.com' });
    sim.createApp({ name: 'deploy-app', owner: owner.id, collaborators: [deployer.id] });
    token = sim.authorize(owner.id).accessToken;
  });
  after(() => sim.close());

  beforeEach(async () => {
    receiver = await WebhookReceiver.start();
    const res = await callApi(sim, 'POST', '/apps/deploy-app/webhooks', {
      token,
      body: { url: receiver.url, include: ['api:build', 'api:release'], level: 'sync' },
    });
    assert.equal(res.status, 201);
  });
  afterEach(async () => {
    for (const w of sim.webhooksOf('deploy-app')) await callApi(sim, 'DELETE', `/apps/deploy-app/webhooks/${w.id}`, { token });
    await receiver.close();
  });

  it('sends build create, build update, release create, release update (current) without release phase', async () => {
    const commit = '1a5f89db9a6a62f29689b6eeea65e6b6eb0879cd';
    const summary = await sim.deploy('deploy-app', { commit, user: deployer.id });
    await sim.waitForDeliveriesSettled();
    const bodies = receiver.bodies();
    assert.deepEqual(bodies.map(summaryOf), [
      'build create pending',
      'build update succeeded',
      'release create pending current=false',
      'release update succeeded current=true',
    ]);
    assert.deepEqual(bodies.map((b) => b['id']), summary.eventIds);

    const [buildCreate, buildUpdate, releaseCreate, releaseFinal] = bodies.map((b) => obj(b['data']));
    assert.equal(buildCreate?.['slug'], null);
    assert.equal(buildCreate?.['release'], null);
    assert.deepEqual(buildUpdate?.['slug'], { id: summary.slugId, commit, commit_description: '' });
    assert.deepEqual(buildUpdate?.['release'], { id: summary.releaseId, version: summary.releaseVersion });
    assert.equal(obj(buildUpdate?.['source_blob'])['version'], commit);
    assert.deepEqual(buildUpdate?.['user'], { id: deployer.id, email: deployer.email });
    assert.deepEqual(releaseCreate?.['artifacts'], []);
    assert.equal(releaseFinal?.['description'], 'Deploy 1a5f89db');
    assert.equal(releaseFinal?.['version'], 3);
    assert.equal(obj(releaseFinal?.['slug'])['commit'], commit);
    assert.deepEqual(obj(bodies[0]?.['actor']), { id: deployer.id, email: deployer.email });

    // heroku.md §4.3: envelope timestamps differ by resource.
    assert.match(String(bodies[0]?.['created_at']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    assert.match(String(bodies[2]?.['created_at']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.match(String(bodies[2]?.['published_at']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(String(buildUpdate?.['created_at']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    // The API agrees with the final state; its release only has slug{id}.
    const release = obj((await callApi(sim, 'GET', `/apps/deploy-app/releases/${String(summary.releaseVersion)}`, { token })).json);
    assert.equal(release['current'], true);
    assert.deepEqual(release['slug'], { id: summary.slugId });
  });

  it('adds the release-phase update (succeeded, current=false) before the final one', async () => {
    await sim.deploy('deploy-app', { releasePhase: true });
    await sim.waitForDeliveriesSettled();
    assert.deepEqual(receiver.bodies().map(summaryOf), [
      'build create pending',
      'build update succeeded',
      'release create pending current=false',
      'release update succeeded current=false',
      'release update succeeded current=true',
    ]);
    assert.notEqual(obj(receiver.bodies()[4]?.['data'])['output_stream_url'], null);
  });

  it('sends only build create and build update (failed) for a failed build', async () => {
    const summary = await sim.deploy('deploy-app', { fail: true });
    await sim.waitForDeliveriesSettled();
    assert.deepEqual(receiver.bodies().map(summaryOf), ['build create pending', 'build update failed']);
    assert.equal(obj(receiver.bodies()[1]?.['data'])['slug'], null);
    assert.equal(summary.releaseId, null);
  });

  it('omitSlugCommit: the release payload has slug.commit null and the slug endpoint has the commit', async () => {
    const summary = await sim.deploy('deploy-app', { omitSlugCommit: true });
    await sim.waitForDeliveriesSettled();
    const final = obj(receiver.bodies()[3]?.['data']);
    assert.equal(obj(final['slug'])['commit'], null);
    const slugId = String(obj(final['slug'])['id']);
    const slug = await callApi(sim, 'GET', `/apps/deploy-app/slugs/${slugId}`, { token });
    assert.equal(slug.status, 200);
    assert.equal(obj(slug.json)['commit'], summary.commit);
  });

  it('duplicateReleaseEvents: every release event arrives twice, byte for byte', async () => {
    await sim.deploy('deploy-app', { duplicateReleaseEvents: true });
    await sim.waitForDeliveriesSettled();
    const releases = receiver.requests.filter((r) => r.raw.includes('"resource": "release"'));
    assert.equal(releases.length, 4);
    assert.deepEqual(releases[0]?.raw, releases[1]?.raw);
    assert.deepEqual(releases[2]?.raw, releases[3]?.raw);
  });

  it('shuffle: publishes the events in the given order', async () => {
    const summary = await sim.deploy('deploy-app', { shuffle: [0, 2, 3, 1] });
    await sim.waitForDeliveriesSettled();
    assert.deepEqual(summary.publishedOrder, [0, 2, 3, 1].map((i) => summary.eventIds[i]));
    assert.deepEqual(receiver.bodies().map(summaryOf), [
      'build create pending',
      'release create pending current=false',
      'release update succeeded current=true',
      'build update succeeded',
    ]);
  });

  it('shuffle: true never keeps the logical order', async () => {
    const summary = await sim.deploy('deploy-app', { shuffle: true });
    assert.notDeepEqual(summary.publishedOrder, summary.eventIds);
    await sim.waitForDeliveriesSettled();
  });

  it('can be triggered over HTTP by a sandbox through the simulator-only /__sim routes', async () => {
    const res = await fetch(`${sim.apiUrl}/__sim/apps/deploy-app/deploy`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ commit: 'abcdef0123456789abcdef0123456789abcdef01' }),
    });
    assert.equal(res.status, 201);
    const summary = obj(await res.json());
    assert.equal(summary['commit'], 'abcdef0123456789abcdef0123456789abcdef01');
    await fetch(`${sim.apiUrl}/__sim/deliveries/settle`, { method: 'POST' });
    assert.equal(receiver.requests.length, 4);
  });
});
