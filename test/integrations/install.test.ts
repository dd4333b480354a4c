import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { webhookSecretAad } from '../../src/crypto/aad';
import { startStack, type Stack } from '../support/stack';
import { apiCalls, closeStatus, createIntegration, consent, installThroughOAuth, openCallback, ourUrl, ourWebhooksOn, waitForStatus } from './support';

describe('InstallHerokuIntegration through the OAuth flow', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  it('happy path: tokens sealed, account recorded, one webhook per app with our URL, entities, level and a secret we hold', async () => {
    const apps = ['happy-a', 'happy-b', 'happy-c'];
    const started = await installThroughOAuth(stack, { apps, orgId: 'acme' });
    assert.equal(started.workflowId, `heroku-install-${started.integrationId}`);
    const view = await waitForStatus(stack, started.integrationId, 'connected');
    assert.equal(await closeStatus(stack, started.workflowId), 'COMPLETED');

    const account = stack.heroku.account(started.accountId);
    assert.deepEqual(view.account, { id: account.id, email: account.email });
    assert.equal(view.orgId, 'acme');
    assert.ok(view.tokenExpiresAt && new Date(view.tokenExpiresAt).getTime() > Date.now());
    assert.deepEqual(view.apps.map((a) => [a.name, a.status, a.lastError]), apps.map((a) => [a, 'active', null]));

    const row = await stack.h.db('integrations').where({ id: started.integrationId }).first();
    assert.match(row.access_token_sealed, /^v1\./);
    assert.match(row.refresh_token_sealed, /^v1\./);
    assert.ok(row.heroku_authorization_id, 'the authorization to revoke on disconnect is known');
    for (const app of apps) {
      const hooks = ourWebhooksOn(stack, app, started.integrationId);
      assert.equal(hooks.length, 1, `${app}: one webhook of ours`);
      const [hook] = hooks;
      assert.deepEqual([...hook!.include].sort(), ['api:addon', 'api:app', 'api:build', 'api:dyno', 'api:formation', 'api:release']);
      assert.equal(hook!.level, 'sync');
      assert.equal(view.apps.find((a) => a.name === app)?.webhookId, hook!.id);
      const appRow = await stack.h.db('integration_apps').where({ integration_id: started.integrationId, app_name: app }).first();
      assert.equal(stack.h.box.open(appRow.webhook_secret_sealed, webhookSecretAad(started.integrationId, app)), hook!.secret);
    }
  });

  it("one bad app (unknown, no access, 2FA-protected) is marked error with Heroku's message; the others still sync", async () => {
    const stranger = stack.heroku.createAccount({ email: 'stranger@example.com' });
    stack.heroku.createApp({ name: 'foreign-app', owner: stranger.id });
    const accountId = stack.heroku.createAccount({ email: 'mixed@example.com' }).id;
    stack.heroku.createApp({ name: 'guarded-app', owner: accountId, twoFactor: true });
    const apps = ['good-one', 'ghost-app', 'foreign-app', 'guarded-app', 'good-two'];
    const started = await installThroughOAuth(stack, { apps, accountId, skipCreate: ['ghost-app', 'foreign-app', 'guarded-app'] });
    const view = await waitForStatus(stack, started.integrationId, 'connected');
    const byName = new Map(view.apps.map((a) => [a.name, a]));
    assert.equal(byName.get('good-one')?.status, 'active');
    assert.equal(byName.get('good-two')?.status, 'active');
    assert.deepEqual(byName.get('ghost-app'), { name: 'ghost-app', webhookId: null, status: 'error', lastError: "Couldn't find that app." });
    assert.deepEqual(byName.get('foreign-app'), { name: 'foreign-app', webhookId: null, status: 'error', lastError: 'You do not have access to the app foreign-app.' });
    assert.equal(byName.get('guarded-app')?.status, 'error');
    assert.match(byName.get('guarded-app')?.lastError ?? '', /second authentication factor/);
    assert.equal(ourWebhooksOn(stack, 'good-one', started.integrationId).length, 1);
    assert.equal(ourWebhooksOn(stack, 'good-two', started.integrationId).length, 1);
    assert.equal(ourWebhooksOn(stack, 'guarded-app', started.integrationId).length, 0);
  });

  it('5xx on webhook create, then success: the create is retried and exactly one webhook exists', async () => {
    const creates = () => apiCalls(stack, 'POST', /^\/apps\/flaky-app\/webhooks$/);
    stack.heroku.faults.add({ method: 'POST', path: '/apps/flaky-app/webhooks', status: 503, times: 2 });
    const started = await installThroughOAuth(stack, { apps: ['flaky-app', 'steady-app'] });
    const view = await waitForStatus(stack, started.integrationId, 'connected');
    assert.deepEqual(view.apps.map((a) => [a.name, a.status]), [['flaky-app', 'active'], ['steady-app', 'active']]);
    assert.equal(creates(), 3, 'two 503s, then the create that worked');
    assert.equal(ourWebhooksOn(stack, 'flaky-app', started.integrationId).length, 1);
  });

  it('a webhook already pointing at our URL is reused and made ours (entities, level, secret), never duplicated', async () => {
    const accountId = stack.heroku.createAccount({ email: 'reuse@example.com' }).id;
    for (const app of ['reuse-app', 'twice-app']) stack.heroku.createApp({ name: app, owner: accountId });
    stack.heroku.setBrowserUser(accountId);
    const created = await createIntegration(stack, { apps: ['reuse-app', 'twice-app'] });
    const admin = stack.heroku.authorize(accountId);
    const put = (app: string, include: string[]) =>
      fetch(`${stack.heroku.apiUrl}/apps/${app}/webhooks`, {
        method: 'POST',
        headers: { Accept: 'application/vnd.heroku+json; version=3', Authorization: `Bearer ${admin.accessToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ url: ourUrl(stack, created.id), include, level: 'notify' }),
      }).then((r) => r.json() as Promise<{ id: string }>);
    const existing = await put('reuse-app', ['api:build']);
    await put('twice-app', ['api:build']);
    await put('twice-app', ['api:release']);
    // Someone else's webhook on the same app is left alone.
    const foreign = await fetch(`${stack.heroku.apiUrl}/apps/reuse-app/webhooks`, {
      method: 'POST',
      headers: { Accept: 'application/vnd.heroku+json; version=3', Authorization: `Bearer ${admin.accessToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ url: 'https://elsewhere.example.com/hook', include: ['api:build'], level: 'notify' }),
    }).then((r) => r.json() as Promise<{ id: string }>);

    assert.equal((await openCallback(await consent(created.authorizeUrl))).status, 200);
    const view = await waitForStatus(stack, created.id, 'connected');
    const [hook] = ourWebhooksOn(stack, 'reuse-app', created.id);
    assert.equal(ourWebhooksOn(stack, 'reuse-app', created.id).length, 1);
    assert.equal(hook!.id, existing.id, 'the existing subscription was reused');
    assert.deepEqual([...hook!.include].sort(), ['api:addon', 'api:app', 'api:build', 'api:dyno', 'api:formation', 'api:release']);
    assert.equal(hook!.level, 'sync');
    const row = await stack.h.db('integration_apps').where({ integration_id: created.id, app_name: 'reuse-app' }).first();
    assert.equal(stack.h.box.open(row.webhook_secret_sealed, webhookSecretAad(created.id, 'reuse-app')), hook!.secret);
    assert.equal(ourWebhooksOn(stack, 'twice-app', created.id).length, 1, 'duplicates of ours are cleaned up');
    assert.ok(stack.heroku.webhooksOf('reuse-app').some((w) => w.id === foreign.id));
    assert.deepEqual(view.apps.map((a) => a.status), ['active', 'active']);
  });

  it("follows Next-Range when listing an app's webhooks", async () => {
    const paged = await startStack({ heroku: { pageSize: 2 } });
    try {
      const accountId = paged.heroku.createAccount({ email: 'paged@example.com' }).id;
      paged.heroku.createApp({ name: 'busy-app', owner: accountId });
      paged.heroku.setBrowserUser(accountId);
      const created = await createIntegration(paged, { apps: ['busy-app'] });
      const admin = paged.heroku.authorize(accountId);
      const add = (url: string) =>
        fetch(`${paged.heroku.apiUrl}/apps/busy-app/webhooks`, {
          method: 'POST',
          headers: { Accept: 'application/vnd.heroku+json; version=3', Authorization: `Bearer ${admin.accessToken}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ url, include: ['api:build'], level: 'notify' }),
        });
      for (let i = 0; i < 5; i++) await add(`https://other-${i}.example.com/hook`);
      await add(ourUrl(paged, created.id));
      assert.equal((await openCallback(await consent(created.authorizeUrl))).status, 200);
      await waitForStatus(paged, created.id, 'connected');
      assert.equal(ourWebhooksOn(paged, 'busy-app', created.id).length, 1, 'the webhook on the last page was found and reused');
      assert.ok(apiCalls(paged, 'GET', /^\/apps\/busy-app\/webhooks$/) >= 3, 'every page was read');
      const row = await paged.h.db('integrations').where({ id: created.id }).first();
      assert.ok(row.heroku_authorization_id, 'the authorization was found across pages too');
    } finally {
      await paged.close();
    }
  });

  it('an authorization code Heroku refuses ends in error "reconnect needed" and a failed install', async () => {
    stack.heroku.faults.add({ host: 'id', method: 'POST', path: '/oauth/token', status: 401, errorId: 'unauthorized', message: 'Invalid authorization code.' });
    const started = await installThroughOAuth(stack, { apps: ['refused-app'] });
    const view = await waitForStatus(stack, started.integrationId, 'error');
    assert.match(view.statusReason ?? '', /^reconnect needed: Heroku refused the authorization_code grant \(HTTP 401, unauthorized\)/);
    assert.equal(await closeStatus(stack, started.workflowId), 'FAILED');
    assert.equal(ourWebhooksOn(stack, 'refused-app', started.integrationId).length, 0);
  });
});
