import { describe, it, before, after, beforeEach, afterEach } from 'mocha';
import assert from 'node:assert/strict';
import type { HerokuSimulator } from './index';
import { callApi, obj, startSimulator, WebhookReceiver } from './test-support';

// The deliveries of app-changes.ts (config vars, scaling, add-ons, maintenance, renames), checked
// against the shapes named there (Platform API schema / Dev Center "Webhook events" examples).

describe('Heroku simulator: changes other than deploys and their webhook events', () => {
  let sim: HerokuSimulator;
  let token: string;
  let receiver: WebhookReceiver;
  const ALL = ['api:addon', 'api:app', 'api:build', 'api:dyno', 'api:formation', 'api:release'];

  before(async () => {
    sim = await startSimulator();
    const account = sim.createAccount({ email: 'owner@example.com' });
    sim.createApp({ name: 'changing-app', owner: account.id });
    token = sim.authorize(account.id).accessToken;
  });
  after(() => sim.close());
  beforeEach(async () => {
    receiver = await WebhookReceiver.start();
  });
  afterEach(async () => {
    for (const w of sim.webhooksOf(currentName)) await callApi(sim, 'DELETE', `/apps/${currentName}/webhooks/${w.id}`, { token });
    await receiver.close();
  });
  let currentName = 'changing-app';

  async function subscribe(include: string[]): Promise<string> {
    const res = await callApi(sim, 'POST', `/apps/${currentName}/webhooks`, { token, body: { url: receiver.url, include, level: 'sync' } });
    assert.equal(res.status, 201);
    return String(obj(res.json)['id']);
  }
  async function delivered(): Promise<Record<string, unknown>[]> {
    await sim.waitForDeliveriesSettled();
    return receiver.bodies();
  }
  const dataOf = (b: Record<string, unknown>) => obj(b['data']);
  const includeOf = (b: Record<string, unknown>) => obj(obj(b['webhook_metadata'])['event'])['include'];

  it('config:set / config:unset: a release create + final update with the config-var description, previous_data {}', async () => {
    await subscribe(ALL);
    sim.setConfigVars(currentName, { FOO: 'v1', BAR: 'v2' });
    sim.removeConfigVars(currentName, ['FOO']);
    const bodies = await delivered();
    assert.deepEqual(bodies.map((b) => [b['resource'], b['action'], dataOf(b)['status'], dataOf(b)['current'], dataOf(b)['description']]), [
      ['release', 'create', 'pending', false, 'Set FOO, BAR config vars'],
      ['release', 'update', 'succeeded', true, 'Set FOO, BAR config vars'],
      ['release', 'create', 'pending', false, 'Remove FOO config vars'],
      ['release', 'update', 'succeeded', true, 'Remove FOO config vars'],
    ]);
    for (const b of bodies) assert.deepEqual(b['previous_data'], {});
    assert.ok(!JSON.stringify(bodies).includes('v1'), 'release payloads carry no config var value');
  });

  it('ps:scale: api:formation create then update with the schema fields', async () => {
    await subscribe(ALL);
    sim.scale(currentName, 'web', { quantity: 1 });
    sim.scale(currentName, 'web', { quantity: 3, size: 'Standard-2X' });
    const bodies = await delivered();
    assert.deepEqual(bodies.map((b) => [includeOf(b), b['resource'], b['action']]), [['api:formation', 'formation', 'create'], ['api:formation', 'formation', 'update']]);
    const data = dataOf(bodies[1]!);
    assert.deepEqual(Object.keys(data).sort(), ['app', 'command', 'created_at', 'id', 'quantity', 'size', 'type', 'updated_at']);
    assert.deepEqual([data['type'], data['quantity'], data['size']], ['web', 3, 'Standard-2X']);
    assert.equal(dataOf(bodies[0]!)['id'], data['id'], 'one formation per process type');
  });

  it('add-ons: create (provisioning), update (provisioned), the Attach release, a plan change, then Detach and destroy', async () => {
    await subscribe(ALL);
    const name = sim.createAddon(currentName, { plan: 'heroku-postgresql:essential-0' });
    sim.changeAddonPlan(currentName, name, 'heroku-postgresql:standard-0');
    sim.destroyAddon(currentName, name);
    const bodies = await delivered();
    const summary = bodies.map((b) => `${String(b['resource'])} ${String(b['action'])} ${String(b['resource'] === 'addon' ? `${String(obj(dataOf(b)['plan'])['name'])} ${String(dataOf(b)['state'])}` : dataOf(b)['description'])}`);
    assert.deepEqual(summary, [
      'addon create heroku-postgresql:essential-0 provisioning',
      'addon update heroku-postgresql:essential-0 provisioned',
      `release create Attach DATABASE (@ref:${name})`,
      `release update Attach DATABASE (@ref:${name})`,
      'addon update heroku-postgresql:standard-0 provisioned',
      `release create Detach DATABASE (@ref:${name})`,
      `release update Detach DATABASE (@ref:${name})`,
      'addon destroy heroku-postgresql:standard-0 deprovisioned',
    ]);
    const addon = dataOf(bodies[0]!);
    assert.deepEqual(Object.keys(addon).sort(), ['actions', 'addon_service', 'app', 'billed_price', 'config_vars', 'created_at', 'id', 'name', 'plan', 'provider_id', 'state', 'updated_at', 'web_url']);
    assert.deepEqual(addon['config_vars'], ['DATABASE_URL'], 'names only');
    assert.deepEqual(Object.keys(obj(addon['addon_service'])).sort(), ['id', 'name']);
  });

  it('maintenance and rename: api:app updates whose data is the app itself; the app answers to its new name only', async () => {
    await subscribe(['api:app']);
    sim.setMaintenance(currentName, true);
    sim.renameApp(currentName, 'changed-app');
    const old = currentName;
    currentName = 'changed-app';
    const bodies = await delivered();
    assert.deepEqual(bodies.map((b) => [b['resource'], b['action'], dataOf(b)['name'], dataOf(b)['maintenance']]), [
      ['app', 'update', old, true],
      ['app', 'update', 'changed-app', true],
    ]);
    assert.equal(dataOf(bodies[0]!)['app'], undefined, 'no data.app in app events');
    assert.equal((await callApi(sim, 'GET', '/apps/changed-app', { token })).status, 200);
    assert.equal((await callApi(sim, 'GET', `/apps/${old}`, { token })).status, 404);
  });

  it('delivers only the entities a subscription includes, and refuses an unknown entity on PATCH as on create', async () => {
    const id = await subscribe(['api:release']);
    sim.scale(currentName, 'worker', { quantity: 2 });
    sim.setMaintenance(currentName, false);
    assert.deepEqual(await delivered(), []);
    const refused = await callApi(sim, 'PATCH', `/apps/${currentName}/webhooks/${id}`, { token, body: { include: ['api:formation', 'api:formations'] } });
    assert.equal(refused.status, 422);
    assert.equal(obj(refused.json)['id'], 'invalid_params');
    assert.deepEqual(sim.webhooksOf(currentName)[0]?.include, ['api:release'], 'nothing changed');
    const patched = await callApi(sim, 'PATCH', `/apps/${currentName}/webhooks/${id}`, { token, body: { include: ['api:release', 'api:formation'] } });
    assert.equal(patched.status, 200);
    sim.scale(currentName, 'worker', { quantity: 1 });
    assert.deepEqual((await delivered()).map((b) => includeOf(b)), ['api:formation']);
  });
});
