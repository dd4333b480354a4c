import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { connectIntegration, type ConnectedIntegration } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import { apiCalls, closeStatus, getIntegration, ourWebhooksOn } from '../integrations/support';
import { eventually, freshEventFrom, pulsesOf, putService, rawBodyOf, uniqueName, webhookUrl, type PulseJson } from './support';

// Every kind of change driven through the Heroku simulator (test/simulators/heroku/app-changes.ts
// says where each delivery's shape comes from), received by the real API, stored in PostgreSQL.

const NEW_INCLUDE = ['api:addon', 'api:app', 'api:build', 'api:dyno', 'api:formation', 'api:release'];

describe('More kinds of change from the same webhooks (config, scaling, add-ons, maintenance, renames)', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  const putApps = async (id: string, apps: string[]) => {
    const res = await stack.api(`/api/integrations/heroku/${id}/apps`, { method: 'PUT', body: JSON.stringify({ apps }) });
    assert.equal(res.status, 202);
    return ((await res.json()) as { workflowId: string }).workflowId;
  };
  const putKinds = async (id: string, body: unknown) => {
    const res = await stack.api(`/api/integrations/heroku/${id}/kinds`, { method: 'PUT', body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } } };
  };

  /** An integration made with the old subscription (build, release, dyno), moved to the new one by the normal sync. */
  async function syncedApp(): Promise<{ app: string; integration: ConnectedIntegration }> {
    const app = uniqueName('kinds');
    const integration = await connectIntegration(stack, { apps: [app] });
    assert.equal(await closeStatus(stack, await putApps(integration.integrationId, [app])), 'COMPLETED');
    return { app, integration };
  }

  /** Waits until every delivery so far settled and all were accepted, then the org's pulses (newest first). */
  async function settledPulses(integration: ConnectedIntegration): Promise<PulseJson[]> {
    await stack.heroku.waitForDeliveriesSettled();
    const failed = stack.heroku.deliveries.filter((d) => d.status !== 'succeeded' && d.attempts.some((a) => a.url.includes(integration.integrationId)));
    assert.deepEqual(failed.map((d) => `${d.include} ${d.status} ${d.attempts.map((a) => a.responseStatus).join(',')}`), []);
    return pulsesOf(stack, { orgId: integration.orgId });
  }

  const kindOf = async (pulseId: string) => ((await stack.h.db('pulses').where({ id: pulseId }).first('kind')) as { kind: string }).kind;
  const summaries = (pulses: PulseJson[]) => pulses.map((p) => p.summary).reverse();

  it('an existing integration moves to the new subscription through the sync: PATCHed in place, no duplicate, no delivery missed', async () => {
    const app = uniqueName('move');
    const integration = await connectIntegration(stack, { apps: [app] });
    const [old] = ourWebhooksOn(stack, app, integration.integrationId);
    assert.deepEqual([...old!.include].sort(), ['api:build', 'api:dyno', 'api:release']);
    const creates = apiCalls(stack, 'POST', /\/webhooks$/);

    // Before the sync, Heroku does not deliver formation events to this subscription at all.
    stack.heroku.scale(app, 'web', { quantity: 1 });
    const first = await stack.heroku.deploy(app);
    // The PATCH is slow, so a deploy happens while the subscription is being changed.
    const slowPatch = stack.heroku.faults.add({ method: 'PATCH', path: /\/webhooks\//, delayMs: 1500 });
    const workflowId = await putApps(integration.integrationId, [app]);
    await eventually('the PATCH in flight', () => Promise.resolve(slowPatch.fired > 0 ? true : undefined));
    const during = await stack.heroku.deploy(app);
    assert.equal((await stack.h.temporal.workflow.getHandle(workflowId).describe()).status.name, 'RUNNING', 'the deploy happened during the sync');
    assert.equal(await closeStatus(stack, workflowId), 'COMPLETED');
    const afterwards = await stack.heroku.deploy(app);
    stack.heroku.scale(app, 'web', { quantity: 2 });

    const pulses = await settledPulses(integration);
    const hooks = ourWebhooksOn(stack, app, integration.integrationId);
    assert.equal(hooks.length, 1, 'no duplicate webhook');
    assert.equal(hooks[0]!.id, old!.id, 'the same webhook, updated in place');
    assert.equal(hooks[0]!.secret, old!.secret, 'still signing with the secret we hold');
    assert.deepEqual([...hooks[0]!.include].sort(), NEW_INCLUDE);
    assert.equal(apiCalls(stack, 'PATCH', new RegExp(`/webhooks/${old!.id}$`)), 1);
    assert.equal(apiCalls(stack, 'POST', /\/webhooks$/), creates, 'no webhook created');
    for (const deploy of [first, during, afterwards]) {
      assert.ok(pulses.some((p) => p.summary === `[Heroku][Release] Deploy ${deploy.commit.slice(0, 8)}`), `release pulse of ${deploy.commit}`);
      for (const id of deploy.eventIds) assert.ok(stack.heroku.deliveries.some((d) => d.eventId === id && d.status === 'succeeded'), `event ${id} delivered`);
    }
    // The first scale was never delivered (not subscribed), so 1 → 2 has no "before": `?`.
    assert.deepEqual(pulses.filter((p) => p.summary.startsWith('[Heroku][Scaling]')).map((p) => p.summary), [`[Heroku][Scaling] ${app} web ? → 2 (Standard-1X)`]);
    const row = (await stack.h.db('integration_apps').where({ integration_id: integration.integrationId, app_name: app }).first()) as { heroku_app_id: string; status: string };
    assert.equal(row.heroku_app_id, stack.heroku.app(app).id, 'the app id is recorded (renames are followed by it)');
    assert.equal(row.status, 'active');
  });

  it('config vars: set and removed variables are named, their values appear nowhere', async () => {
    const { app, integration } = await syncedApp();
    stack.heroku.setConfigVars(app, { FOO: 'value-of-foo-8d1f', BAR: 'value-of-bar-77aa' });
    stack.heroku.removeConfigVars(app, ['FOO']);
    const pulses = await settledPulses(integration);
    assert.deepEqual(summaries(pulses), [`[Heroku][Config] ${app}: set FOO, BAR`, `[Heroku][Config] ${app}: remove FOO`]);
    for (const p of pulses) assert.equal(await kindOf(p.id), 'config');
    assert.deepEqual(pulses.map((p) => p.data['variables']).reverse(), [['FOO', 'BAR'], ['FOO']]);
    const everything = JSON.stringify([pulses, await stack.h.db('pulses').where({ integration_id: integration.integrationId }), await stack.h.db('heroku_webhook_events').where({ integration_id: integration.integrationId })]);
    assert.ok(!everything.includes('value-of-foo-8d1f') && !everything.includes('value-of-bar-77aa'), 'no config var value stored or shown');
  });

  it('scaling: process type, quantity before → after and size before → after', async () => {
    const { app, integration } = await syncedApp();
    stack.heroku.scale(app, 'worker', { quantity: 1 });
    stack.heroku.scale(app, 'worker', { quantity: 3 });
    stack.heroku.scale(app, 'worker', { size: 'Performance-M' });
    stack.heroku.scale(app, 'worker', { quantity: 1, size: 'Standard-2X' });
    const pulses = await settledPulses(integration);
    assert.deepEqual(summaries(pulses), [
      `[Heroku][Scaling] ${app} worker 0 → 1 (Standard-1X)`,
      `[Heroku][Scaling] ${app} worker 1 → 3 (Standard-1X)`,
      `[Heroku][Scaling] ${app} worker 3 (Standard-1X → Performance-M)`,
      `[Heroku][Scaling] ${app} worker 3 → 1 (Performance-M → Standard-2X)`,
    ]);
    for (const p of pulses) assert.equal(await kindOf(p.id), 'scaling');
    const last = pulses[0]!;
    assert.deepEqual([last.data['processType'], last.data['quantityBefore'], last.data['quantity'], last.data['sizeBefore'], last.data['size']], ['worker', 3, 1, 'Performance-M', 'Standard-2X']);
    assert.equal(last.data['userEmail'], integration.accountEmail);
  });

  it('add-ons: created, plan changed and destroyed (service and plan names), with their attachment releases as config', async () => {
    const { app, integration } = await syncedApp();
    const addon = stack.heroku.createAddon(app, { plan: 'heroku-postgresql:essential-0', configValue: 'postgres://user:pw-5e3b@db/x' });
    stack.heroku.changeAddonPlan(app, addon, 'heroku-postgresql:standard-0');
    stack.heroku.destroyAddon(app, addon);
    const pulses = await settledPulses(integration);
    assert.deepEqual(summaries(pulses), [
      `[Heroku][Add-on] ${app} heroku-postgresql:essential-0 created`,
      `[Heroku][Config] ${app}: attach DATABASE (${addon})`,
      `[Heroku][Add-on] ${app} heroku-postgresql:essential-0 → heroku-postgresql:standard-0`,
      `[Heroku][Config] ${app}: detach DATABASE (${addon})`,
      `[Heroku][Add-on] ${app} heroku-postgresql:standard-0 destroyed`,
    ]);
    const addonPulses = pulses.filter((p) => p.summary.startsWith('[Heroku][Add-on]'));
    for (const p of addonPulses) {
      assert.equal(await kindOf(p.id), 'addon');
      assert.equal(p.data['service'], 'heroku-postgresql');
    }
    assert.ok(!JSON.stringify(pulses).includes('pw-5e3b'));
  });

  it('maintenance mode on and off', async () => {
    const { app, integration } = await syncedApp();
    stack.heroku.setMaintenance(app, true);
    stack.heroku.setMaintenance(app, false);
    const pulses = await settledPulses(integration);
    assert.deepEqual(summaries(pulses), [`[Heroku][Maintenance] ${app} on`, `[Heroku][Maintenance] ${app} off`]);
    for (const p of pulses) assert.equal(await kindOf(p.id), 'maintenance');
  });

  it('a rename is a pulse, the integration follows it and the service link keeps working', async () => {
    const { app, integration } = await syncedApp();
    const serviceId = uniqueName('svc');
    assert.equal((await putService(stack, serviceId, { orgId: integration.orgId, name: 'Shop', herokuAppName: app })).status, 201);
    const renamed = uniqueName('renamed');
    stack.heroku.renameApp(app, renamed);
    const deploy = await stack.heroku.deploy(renamed);
    const pulses = await settledPulses(integration);
    const rename = pulses.find((p) => p.summary === `[Heroku][Rename] ${app} → ${renamed}`);
    assert.ok(rename, summaries(pulses).join(' | '));
    assert.equal(await kindOf(rename.id), 'rename');
    assert.deepEqual(rename.serviceIds, [serviceId]);
    const release = pulses.find((p) => p.summary === `[Heroku][Release] Deploy ${deploy.commit.slice(0, 8)}`);
    assert.ok(release, 'the deploy under the new name was accepted');
    assert.deepEqual(release.serviceIds, [serviceId], 'and linked to the same service');
    const services = (await (await stack.api(`/api/services?orgId=${integration.orgId}`)).json()) as { id: string; herokuAppName: string }[];
    assert.equal(services.find((s) => s.id === serviceId)?.herokuAppName, renamed);
    const view = await getIntegration(stack, integration.integrationId);
    assert.deepEqual(view.apps.map((a) => a.name), [renamed]);
    // The next sync works on the new name and keeps the one webhook.
    assert.equal(await closeStatus(stack, await putApps(integration.integrationId, [renamed])), 'COMPLETED');
    assert.equal(ourWebhooksOn(stack, renamed, integration.integrationId).length, 1);
  });

  it('a rename signed with anything but the app’s webhook secret changes nothing', async () => {
    const { app, integration } = await syncedApp();
    const serviceId = uniqueName('svc');
    await putService(stack, serviceId, { orgId: integration.orgId, name: 'Shop', herokuAppName: app });
    stack.heroku.setMaintenance(app, true);
    await settledPulses(integration);
    const delivered = stack.heroku.deliveries.filter((d) => d.include === 'api:app' && d.attempts.some((a) => a.url.includes(integration.integrationId)));
    const forged = freshEventFrom(rawBodyOf(stack.heroku, delivered.at(-1)!.eventId), (body) => {
      (body['data'] as Record<string, unknown>)['name'] = 'hijacked-name';
    });
    const res = await stack.heroku.sendSigned(webhookUrl(stack, integration.integrationId), 'not-the-secret', forged);
    assert.equal(res.status, 404, res.body);
    assert.deepEqual((await getIntegration(stack, integration.integrationId)).apps.map((a) => a.name), [app]);
    const services = (await (await stack.api(`/api/services?orgId=${integration.orgId}`)).json()) as { id: string; herokuAppName: string }[];
    assert.equal(services.find((s) => s.id === serviceId)?.herokuAppName, app);
    assert.ok(!(await pulsesOf(stack, { orgId: integration.orgId })).some((p) => p.summary.includes('hijacked-name')));
  });

  it('unwatched kinds: the delivery is accepted and recorded, without a pulse', async () => {
    const { app, integration } = await syncedApp();
    const view = await getIntegration(stack, integration.integrationId);
    assert.deepEqual((view as unknown as { watchedKinds: string[] }).watchedKinds, ['build', 'release', 'config', 'scaling', 'addon', 'maintenance', 'rename'], 'all by default');
    const put = await putKinds(integration.integrationId, { watchedKinds: ['release', 'build'] });
    assert.equal(put.status, 200);
    assert.deepEqual(put.body['watchedKinds'], ['build', 'release']);
    stack.heroku.scale(app, 'web', { quantity: 2 });
    stack.heroku.setConfigVars(app, { ONLY_NAME: 'x' });
    const deploy = await stack.heroku.deploy(app);
    const pulses = await settledPulses(integration);
    assert.ok(pulses.every((p) => p.summary.startsWith('[Heroku][Build]') || p.summary.startsWith('[Heroku][Release]')), summaries(pulses).join(' | '));
    assert.ok(pulses.some((p) => p.summary === `[Heroku][Release] Deploy ${deploy.commit.slice(0, 8)}`));
    const stored = (await stack.h.db('heroku_webhook_events').where({ integration_id: integration.integrationId }).select('resource')) as { resource: string }[];
    assert.ok(stored.some((e) => e.resource === 'formation'), 'the formation event is recorded');
    // Watching again applies to the next deliveries.
    assert.equal((await putKinds(integration.integrationId, { watchedKinds: ['scaling'] })).status, 200);
    stack.heroku.scale(app, 'web', { quantity: 4 });
    await eventually('the scaling pulse', async () => (await pulsesOf(stack, { orgId: integration.orgId })).find((p) => p.summary === `[Heroku][Scaling] ${app} web 2 → 4 (Standard-1X)`));
  });

  it('watched kinds are validated (install input and PUT), with clear errors that change nothing', async () => {
    const { integration } = await syncedApp();
    const cases: [unknown, RegExp][] = [
      [{ watchedKinds: ['scaling', 'weather'] }, /watchedKinds\.1: must be one of build, release, config, scaling, addon, maintenance, rename/],
      [{ watchedKinds: 'scaling' }, /watchedKinds/],
      [{}, /watchedKinds/],
      [{ watchedKinds: ['scaling'], extra: true }, /extra/],
    ];
    for (const [body, message] of cases) {
      const res = await putKinds(integration.integrationId, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.body.error?.message ?? '', message);
    }
    assert.equal((await getIntegration(stack, integration.integrationId) as unknown as { watchedKinds: string[] }).watchedKinds.length, 7, 'unchanged');
    assert.equal((await putKinds('6f1c1a9e-0000-4000-8000-000000000000', { watchedKinds: [] })).status, 404);
    await stack.h.db('integrations').where({ id: integration.integrationId }).update({ status: 'disconnected' });
    const gone = await putKinds(integration.integrationId, { watchedKinds: ['build'] });
    assert.equal(gone.status, 409);
    assert.equal(gone.body.error?.code, 'integration_disconnected');

    const created = await stack.api('/api/integrations/heroku', { method: 'POST', body: JSON.stringify({ orgId: 'org-kinds', apps: [], watchedKinds: ['addon', 'config', 'addon'] }) });
    assert.equal(created.status, 201);
    const { id } = (await created.json()) as { id: string };
    assert.deepEqual((await getIntegration(stack, id) as unknown as { watchedKinds: string[] }).watchedKinds, ['config', 'addon']);
    const refused = await stack.api('/api/integrations/heroku', { method: 'POST', body: JSON.stringify({ orgId: 'org-kinds', apps: [], watchedKinds: ['rollback'] }) });
    assert.equal(refused.status, 400);
    assert.equal(await stack.h.db('integrations').where({ org_id: 'org-kinds' }).count({ n: '*' }).then((r) => Number((r[0] as { n: string }).n)), 1, 'the refused install stored nothing');
  });
});
