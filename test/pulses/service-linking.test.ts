import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import { webhookSecretAad } from '../../src/crypto/aad';
import { appPath } from '../../src/heroku/client';
import { storeTokens } from '../../src/heroku/integration-tokens';
import { connectIntegration, type ConnectedIntegration } from '../support/fixtures';
import { OAUTH_CLIENT, startStack, type Stack } from '../support/stack';
import { assertAllAccepted, getPage, type ApiPage, pulsesOf, putService, uniqueName, webhookUrl } from './support';

/**
 * A second org connecting the same Heroku account and watching the same app (app names are
 * global on Heroku): its own integration, authorization and webhook, like an install would make.
 */
async function watchSameApp(stack: Stack, first: ConnectedIntegration, app: string): Promise<{ integrationId: string; orgId: string }> {
  const { db, box } = stack.h;
  const integrationId = randomUUID();
  const orgId = uniqueName('org');
  const creds = stack.heroku.authorize(first.accountId, { clientId: OAUTH_CLIENT.id, scope: ['global'] });
  await db('integrations').insert({ id: integrationId, org_id: orgId, status: 'connected', heroku_account_id: first.accountId, heroku_account_email: first.accountEmail });
  await storeTokens(db, box, integrationId, { accessToken: creds.accessToken, refreshToken: creds.refreshToken, expiresAt: creds.expiresAt, userId: first.accountId });
  const secret = randomBytes(32).toString('hex');
  const hook = await first.heroku.post<{ id: string }>(`${appPath(app)}/webhooks`, {
    url: webhookUrl(stack, integrationId),
    include: ['api:build', 'api:release', 'api:dyno'],
    level: 'sync',
    secret,
  });
  await db('integration_apps').insert({
    integration_id: integrationId,
    app_name: app,
    status: 'active',
    webhook_id: hook.id,
    webhook_secret_sealed: box.seal(secret, webhookSecretAad(integrationId, app)),
  });
  return { integrationId, orgId };
}

describe('Services and how pulses link to them', () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack.close();
  });

  async function deploy(app: string, options: Parameters<Stack['heroku']['deploy']>[1] = {}): Promise<void> {
    const summary = await stack.heroku.deploy(app, options);
    await stack.heroku.waitForDeliveriesSettled();
    assertAllAccepted(stack.heroku, summary.eventIds);
  }

  describe('PUT /api/services/:id and GET /api/services', () => {
    it('creates (201), replaces (200) and lists an org’s services', async () => {
      const orgId = uniqueName('org');
      const id = uniqueName('svc');
      let res = await putService(stack, id, { orgId, name: 'Checkout', herokuAppName: 'checkout-web' });
      assert.equal(res.status, 201);
      assert.deepEqual(res.body, { id, orgId, name: 'Checkout', herokuAppName: 'checkout-web' });
      res = await putService(stack, id, { orgId, name: 'Checkout API', herokuAppName: 'checkout-api' });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { id, orgId, name: 'Checkout API', herokuAppName: 'checkout-api' });
      res = await putService(stack, `${id}-b`, { orgId, name: 'No Heroku' });
      assert.equal(res.status, 201);
      assert.equal(res.body['herokuAppName'], null);

      const page = await getPage<Record<string, unknown>>(stack, `/api/services?orgId=${orgId}`);
      assert.equal(page.status, 200);
      assert.deepEqual(page.items, [
        { id, orgId, name: 'Checkout API', herokuAppName: 'checkout-api' },
        { id: `${id}-b`, orgId, name: 'No Heroku', herokuAppName: null },
      ]);
      assert.equal(page.next, null);
      assert.deepEqual((await getPage(stack, `/api/services?orgId=${uniqueName('org')}`)).items, []);
    });

    it('pages services with a Link header', async () => {
      const orgId = uniqueName('org');
      const ids = Array.from({ length: 5 }, (_, i) => `${orgId}-svc-${i}`);
      for (const id of ids) assert.equal((await putService(stack, id, { orgId, name: id })).status, 201);
      const seen: string[] = [];
      let next: string | null = `/api/services?orgId=${orgId}&limit=2`;
      let pages = 0;
      while (next !== null) {
        const page: ApiPage<{ id: string }> = await getPage<{ id: string }>(stack, next.replace(stack.apiUrl, ''));
        assert.equal(page.status, 200);
        seen.push(...page.items.map((s) => s.id));
        next = page.next;
        pages += 1;
      }
      assert.deepEqual(seen, ids);
      assert.equal(pages, 3);
    });

    it('rejects bad input with 400 and changes nothing', async () => {
      const orgId = uniqueName('org');
      const id = uniqueName('svc');
      for (const body of [
        { name: 'x', herokuAppName: 'a' },
        { orgId, herokuAppName: 'a' },
        { orgId, name: '', herokuAppName: 'a' },
        { orgId, name: 'x', herokuAppName: 42 },
        { orgId, name: 'x', herokuApp: 'typo' },
      ]) {
        const res = await putService(stack, id, body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal((res.body['error'] as { code: string }).code, 'invalid_request');
      }
      assert.equal((await getPage(stack, `/api/services?orgId=${orgId}`)).items.length, 0);
      assert.equal((await getPage(stack, '/api/services')).status, 400, 'orgId is required');
    });

    it('409 when a service id is reused in another org; the service is unchanged', async () => {
      const id = uniqueName('svc');
      const orgA = uniqueName('org');
      await putService(stack, id, { orgId: orgA, name: 'A', herokuAppName: 'a-app' });
      const res = await putService(stack, id, { orgId: uniqueName('org'), name: 'B', herokuAppName: 'b-app' });
      assert.equal(res.status, 409);
      assert.equal((res.body['error'] as { code: string }).code, 'service_in_other_org');
      assert.deepEqual((await getPage(stack, `/api/services?orgId=${orgA}`)).items, [{ id, orgId: orgA, name: 'A', herokuAppName: 'a-app' }]);
    });

    it('requires the admin token', async () => {
      const res = await fetch(`${stack.apiUrl}/api/services?orgId=x`);
      assert.equal(res.status, 401);
    });
  });

  describe('linking', () => {
    it('links a pulse to every service of the org whose Heroku App Name equals the app name exactly (case-sensitive)', async () => {
      const app = uniqueName('shop');
      const integration = await connectIntegration(stack, { apps: [app] });
      const org = integration.orgId;
      const [a, b, upper, other, none] = ['a', 'b', 'upper', 'other', 'none'].map((s) => `${org}-${s}`) as [string, string, string, string, string];
      await putService(stack, a, { orgId: org, name: 'A', herokuAppName: app });
      await putService(stack, b, { orgId: org, name: 'B', herokuAppName: app });
      await putService(stack, upper, { orgId: org, name: 'Upper', herokuAppName: `${app[0]?.toUpperCase()}${app.slice(1)}` });
      await putService(stack, other, { orgId: org, name: 'Other', herokuAppName: `${app}-staging` });
      await putService(stack, none, { orgId: org, name: 'None' });
      await deploy(app);
      const pulses = await pulsesOf(stack, { orgId: org });
      assert.equal(pulses.length, 3);
      for (const p of pulses) assert.deepEqual(p.serviceIds, [a, b].sort(), p.summary);
    });

    it('a service added later does not rewrite old pulses unless asked (?relinkPulses=true)', async () => {
      const app = uniqueName('late');
      const integration = await connectIntegration(stack, { apps: [app] });
      const org = integration.orgId;
      await deploy(app);
      const late = `${org}-late`;
      assert.equal((await putService(stack, late, { orgId: org, name: 'Late', herokuAppName: app })).status, 201);
      const old = await pulsesOf(stack, { orgId: org });
      assert.equal(old.length, 3);
      assert.ok(old.every((p) => p.serviceIds.length === 0), 'old pulses are not rewritten');

      await deploy(app);
      const all = await pulsesOf(stack, { orgId: org });
      const oldIds = new Set(old.map((p) => p.id));
      const fresh = all.filter((p) => !oldIds.has(p.id));
      assert.equal(fresh.length, 3);
      assert.ok(fresh.every((p) => p.serviceIds.includes(late)), 'new pulses link to the new service');

      const res = await putService(stack, late, { orgId: org, name: 'Late', herokuAppName: app }, '?relinkPulses=true');
      assert.equal(res.status, 200);
      assert.equal(res.body['relinkedPulses'], 6);
      assert.ok((await pulsesOf(stack, { orgId: org })).every((p) => p.serviceIds.includes(late)), 'asked: old pulses link too');
    });

    it('renaming a service’s Heroku app keeps old links; relinkPulses moves them to the new app’s pulses', async () => {
      const [first, second] = [uniqueName('one'), uniqueName('two')];
      const integration = await connectIntegration(stack, { apps: [first, second] });
      const org = integration.orgId;
      const svc = `${org}-svc`;
      await putService(stack, svc, { orgId: org, name: 'S', herokuAppName: first });
      await deploy(first);
      await deploy(second);
      await putService(stack, svc, { orgId: org, name: 'S', herokuAppName: second });
      assert.equal((await pulsesOf(stack, { orgId: org, serviceId: svc })).length, 3);
      assert.ok((await pulsesOf(stack, { orgId: org, serviceId: svc })).every((p) => p.labels['app'] === first));

      await putService(stack, svc, { orgId: org, name: 'S', herokuAppName: second }, '?relinkPulses=true');
      const linked = await pulsesOf(stack, { orgId: org, serviceId: svc });
      assert.equal(linked.length, 3);
      assert.ok(linked.every((p) => p.labels['app'] === second));
    });

    it('two orgs watching apps with the same name: each org’s pulses link only its own services', async () => {
      const app = uniqueName('same');
      const orgA = await connectIntegration(stack, { apps: [app] });
      const orgB = await watchSameApp(stack, orgA, app);
      const svcA = `${orgA.orgId}-svc`;
      const svcB = `${orgB.orgId}-svc`;
      await putService(stack, svcA, { orgId: orgA.orgId, name: 'A', herokuAppName: app });
      await putService(stack, svcB, { orgId: orgB.orgId, name: 'B', herokuAppName: app });
      await deploy(app);

      const pulsesA = await pulsesOf(stack, { orgId: orgA.orgId });
      const pulsesB = await pulsesOf(stack, { orgId: orgB.orgId });
      assert.equal(pulsesA.length, 3);
      assert.equal(pulsesB.length, 3);
      for (const p of pulsesA) assert.deepEqual(p.serviceIds, [svcA]);
      for (const p of pulsesB) assert.deepEqual(p.serviceIds, [svcB]);
      assert.equal(new Set([...pulsesA, ...pulsesB].map((p) => p.id)).size, 6, 'each org has its own pulses');
      // Asking with another org's service finds nothing.
      assert.deepEqual(await pulsesOf(stack, { orgId: orgA.orgId, serviceId: svcB }), []);
    });
  });
});
