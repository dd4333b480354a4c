import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { startStack, type Stack } from '../support/stack';
import { activityAttempts, closeStatus, consent, createIntegration, eventually, getIntegration, installThroughOAuth, openCallback, ourWebhooksOn, waitForStatus } from './support';

describe('PUT /api/integrations/heroku/:id/apps: webhooks follow the app list', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  const putApps = async (id: string, apps: unknown) => {
    const res = await stack.api(`/api/integrations/heroku/${id}/apps`, { method: 'PUT', body: JSON.stringify({ apps }) });
    return { status: res.status, body: (await res.json()) as { workflowId?: string; error?: { code: string; message: string } } };
  };

  const ensureApps = (accountId: string, apps: string[]) => {
    for (const app of apps) if (!appExists(app)) stack.heroku.createApp({ name: app, owner: accountId });
  };
  const appExists = (app: string) => {
    try {
      stack.heroku.app(app);
      return true;
    } catch {
      return false;
    }
  };

  it('creates webhooks on added apps, deletes ours from removed ones, leaves unchanged ones alone', async () => {
    const started = await installThroughOAuth(stack, { apps: ['list-a', 'list-b'] });
    await waitForStatus(stack, started.integrationId, 'connected');
    const [kept] = ourWebhooksOn(stack, 'list-b', started.integrationId);
    ensureApps(started.accountId, ['list-c']);

    const { status, body } = await putApps(started.integrationId, ['list-b', 'list-c', 'list-c']);
    assert.equal(status, 202);
    assert.equal(body.workflowId, `heroku-sync-${started.integrationId}`);
    assert.equal(await closeStatus(stack, body.workflowId as string), 'COMPLETED');

    assert.equal(ourWebhooksOn(stack, 'list-a', started.integrationId).length, 0, 'removed app: our webhook deleted');
    assert.deepEqual(ourWebhooksOn(stack, 'list-b', started.integrationId).map((w) => w.id), [kept!.id], 'unchanged app: same webhook');
    assert.equal(ourWebhooksOn(stack, 'list-c', started.integrationId).length, 1, 'added app: one webhook');
    const view = await getIntegration(stack, started.integrationId);
    assert.deepEqual(view.apps.map((a) => [a.name, a.status]), [['list-b', 'active'], ['list-c', 'active']]);
    assert.equal(view.status, 'connected');
  });

  it('with an empty list no webhook of ours exists', async () => {
    const apps = ['empty-a', 'empty-b', 'empty-c'];
    const started = await installThroughOAuth(stack, { apps });
    await waitForStatus(stack, started.integrationId, 'connected');
    const { status, body } = await putApps(started.integrationId, []);
    assert.equal(status, 202);
    assert.equal(await closeStatus(stack, body.workflowId as string), 'COMPLETED');
    for (const app of apps) assert.equal(ourWebhooksOn(stack, app, started.integrationId).length, 0, app);
    assert.deepEqual((await getIntegration(stack, started.integrationId)).apps, []);
    assert.equal(await stack.h.db('integration_apps').where({ integration_id: started.integrationId }).first(), undefined);
  });

  it('a removal Heroku refuses stays listed as removing with the reason; the next sync deletes it', async () => {
    const started = await installThroughOAuth(stack, { apps: ['sticky-app', 'other-app'] });
    await waitForStatus(stack, started.integrationId, 'connected');
    const [hook] = ourWebhooksOn(stack, 'sticky-app', started.integrationId);
    stack.heroku.faults.add({ method: 'DELETE', path: `/apps/sticky-app/webhooks/${hook!.id}`, status: 403, errorId: 'forbidden', message: 'You do not have access to the app sticky-app.' });
    let put = await putApps(started.integrationId, ['other-app']);
    assert.equal(await closeStatus(stack, put.body.workflowId as string), 'COMPLETED');
    let view = await getIntegration(stack, started.integrationId);
    assert.deepEqual(view.apps.find((a) => a.name === 'sticky-app'), {
      name: 'sticky-app',
      webhookId: hook!.id,
      status: 'removing',
      lastError: 'webhook not deleted: You do not have access to the app sticky-app.',
    });
    assert.equal(ourWebhooksOn(stack, 'sticky-app', started.integrationId).length, 1);

    put = await putApps(started.integrationId, ['other-app']);
    assert.equal(await closeStatus(stack, put.body.workflowId as string), 'COMPLETED');
    view = await getIntegration(stack, started.integrationId);
    assert.deepEqual(view.apps.map((a) => a.name), ['other-app']);
    assert.equal(ourWebhooksOn(stack, 'sticky-app', started.integrationId).length, 0);
  });

  it('a list changed before the callback is what the install syncs', async () => {
    const accountId = stack.heroku.createAccount({ email: 'early-list@example.com' }).id;
    ensureApps(accountId, ['early-a', 'early-b']);
    stack.heroku.setBrowserUser(accountId);
    const created = await createIntegration(stack, { apps: ['early-a'] });
    const put = await putApps(created.id, ['early-b']);
    assert.equal(put.status, 202);
    assert.equal(put.body.workflowId, `heroku-install-${created.id}`, 'the install will do the sync');
    assert.equal((await openCallback(await consent(created.authorizeUrl))).status, 200);
    const view = await waitForStatus(stack, created.id, 'connected');
    assert.deepEqual(view.apps.map((a) => [a.name, a.status]), [['early-b', 'active']]);
    assert.equal(ourWebhooksOn(stack, 'early-a', created.id).length, 0);
  });

  it('a list changed while the install runs: the sync waits for the install, then applies the change', async () => {
    const apps = Array.from({ length: 12 }, (_, i) => `during-${String(i).padStart(2, '0')}`);
    const accountId = stack.heroku.createAccount({ email: 'during@example.com' }).id;
    ensureApps(accountId, [...apps, 'during-new']);
    stack.heroku.faults.add({ method: 'POST', path: '/apps/during-00/webhooks', delayMs: 3_000 });
    const started = await installThroughOAuth(stack, { apps, accountId, skipCreate: apps });
    await eventually(async () => assert.equal((await getIntegration(stack, started.integrationId)).apps.some((a) => a.status === 'active'), true), {
      what: 'the install to be under way',
    });
    const changed = [...apps.slice(0, 6), 'during-new'];
    const put = await putApps(started.integrationId, changed);
    assert.equal(put.status, 202);
    assert.equal(await closeStatus(stack, started.workflowId), 'COMPLETED');
    assert.equal(await closeStatus(stack, put.body.workflowId as string), 'COMPLETED');
    const [leaseAttempt] = await activityAttempts(stack, put.body.workflowId as string, 'acquireLifecycleLease');
    assert.ok((leaseAttempt ?? 0) > 1, 'the sync waited for the install to release the integration');
    const view = await getIntegration(stack, started.integrationId);
    assert.equal(view.status, 'connected');
    assert.deepEqual(view.apps.map((a) => [a.name, a.status]), [...changed].sort().map((a) => [a, 'active']));
    for (const app of [...apps, 'during-new']) {
      assert.equal(ourWebhooksOn(stack, app, started.integrationId).length, changed.includes(app) ? 1 : 0, app);
    }
  });

  it('bad input answers 400 and changes nothing; unknown integrations 404', async () => {
    const started = await installThroughOAuth(stack, { apps: ['bad-input-app'] });
    await waitForStatus(stack, started.integrationId, 'connected');
    for (const body of [{}, { apps: 'x' }, { apps: ['UPPER'] }, { apps: [], extra: 1 }]) {
      const res = await stack.api(`/api/integrations/heroku/${started.integrationId}/apps`, { method: 'PUT', body: JSON.stringify(body) });
      assert.equal(res.status, 400, JSON.stringify(body));
    }
    assert.deepEqual((await getIntegration(stack, started.integrationId)).apps.map((a) => a.name), ['bad-input-app']);
    assert.equal((await putApps('0b6f3f2e-6a51-4f7c-9d47-3f0d6c1c2a11', [])).status, 404);
  });
});
