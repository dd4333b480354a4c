import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { startStack, type Stack } from '../support/stack';
import {
  activityAttempts,
  apiCalls,
  closeStatus,
  consent,
  createIntegration,
  eventually,
  getIntegration,
  installThroughOAuth,
  openCallback,
  ourWebhooksOn,
  waitForStatus,
} from './support';

describe('DisconnectHerokuIntegration', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  const disconnect = async (id: string): Promise<string> => {
    const res = await stack.api(`/api/integrations/heroku/${id}`, { method: 'DELETE' });
    assert.equal(res.status, 202);
    const { workflowId } = (await res.json()) as { workflowId: string };
    assert.equal(workflowId, `heroku-disconnect-${id}`);
    return workflowId;
  };

  const assertErased = async (id: string) => {
    const row = await stack.h.db('integrations').where({ id }).first();
    assert.equal(row.status, 'disconnected');
    assert.equal(row.access_token_sealed, null);
    assert.equal(row.refresh_token_sealed, null);
    assert.equal(row.token_expires_at, null);
    const secrets = await stack.h.db('integration_apps').where({ integration_id: id }).whereNotNull('webhook_secret_sealed');
    assert.deepEqual(secrets, []);
  };

  it('deletes every webhook we created, revokes the authorization, erases tokens and secrets', async () => {
    const apps = ['bye-a', 'bye-b', 'bye-c'];
    const started = await installThroughOAuth(stack, { apps });
    await waitForStatus(stack, started.integrationId, 'connected');
    const { heroku_authorization_id: authorizationId } = await stack.h.db('integrations').where({ id: started.integrationId }).first('heroku_authorization_id');

    const workflowId = await disconnect(started.integrationId);
    assert.equal(await closeStatus(stack, workflowId), 'COMPLETED');
    const view = await getIntegration(stack, started.integrationId);
    assert.equal(view.status, 'disconnected');
    assert.equal(view.statusReason, null);
    assert.deepEqual(view.apps, []);
    for (const app of apps) assert.equal(ourWebhooksOn(stack, app, started.integrationId).length, 0, app);
    assert.ok(!stack.heroku.authorizationsOf(started.accountId).some((a) => a.id === authorizationId), 'authorization revoked');
    await assertErased(started.integrationId);
  });

  it('running it twice is harmless: the second run calls nobody and changes nothing', async () => {
    const started = await installThroughOAuth(stack, { apps: ['twice-a'] });
    await waitForStatus(stack, started.integrationId, 'connected');
    assert.equal(await closeStatus(stack, await disconnect(started.integrationId)), 'COMPLETED');
    const callsBefore = apiCalls(stack);
    assert.equal(await closeStatus(stack, await disconnect(started.integrationId)), 'COMPLETED');
    assert.equal(apiCalls(stack), callsBefore);
    assert.equal((await getIntegration(stack, started.integrationId)).status, 'disconnected');
    await assertErased(started.integrationId);
  });

  it('also deletes the webhook of an app removed earlier whose deletion failed', async () => {
    const started = await installThroughOAuth(stack, { apps: ['left-a', 'left-b'] });
    await waitForStatus(stack, started.integrationId, 'connected');
    const [hook] = ourWebhooksOn(stack, 'left-a', started.integrationId);
    stack.heroku.faults.add({ method: 'DELETE', path: `/apps/left-a/webhooks/${hook!.id}`, status: 403, errorId: 'forbidden', message: 'Not now.' });
    const res = await stack.api(`/api/integrations/heroku/${started.integrationId}/apps`, { method: 'PUT', body: JSON.stringify({ apps: ['left-b'] }) });
    assert.equal(await closeStatus(stack, ((await res.json()) as { workflowId: string }).workflowId), 'COMPLETED');
    assert.equal((await getIntegration(stack, started.integrationId)).apps.find((a) => a.name === 'left-a')?.status, 'removing');

    assert.equal(await closeStatus(stack, await disconnect(started.integrationId)), 'COMPLETED');
    assert.equal(ourWebhooksOn(stack, 'left-a', started.integrationId).length, 0);
    assert.equal(ourWebhooksOn(stack, 'left-b', started.integrationId).length, 0);
    assert.equal((await getIntegration(stack, started.integrationId)).statusReason, null);
  });

  it('disconnect requested while the install runs: the install stops, the disconnect cleans up after it', async () => {
    const apps = Array.from({ length: 16 }, (_, i) => `race-${String(i).padStart(2, '0')}`);
    // One slow create keeps the install busy long enough to be interrupted.
    stack.heroku.faults.add({ method: 'POST', path: '/apps/race-03/webhooks', delayMs: 6_000 });
    const started = await installThroughOAuth(stack, { apps });
    await eventually(async () => assert.ok((await getIntegration(stack, started.integrationId)).apps.filter((a) => a.status === 'active').length >= 3), {
      what: 'some webhooks to exist',
    });

    const workflowId = await disconnect(started.integrationId);
    assert.equal(await closeStatus(stack, workflowId), 'COMPLETED');
    assert.equal(await closeStatus(stack, started.workflowId), 'CANCELLED', 'the install was stopped, not finished');
    const [leaseAttempt] = await activityAttempts(stack, workflowId, 'acquireLifecycleLease');
    assert.ok((leaseAttempt ?? 0) > 1, 'the disconnect waited for the install to let go');

    const view = await getIntegration(stack, started.integrationId);
    assert.equal(view.status, 'disconnected', 'the install did not overwrite the outcome');
    // The slow create has been answered by now: a create still in flight would land after the cleanup.
    assert.ok(stack.heroku.calls.some((c) => c.method === 'POST' && c.path === '/apps/race-03/webhooks' && c.status === 201), 'the slow create was applied');
    for (const app of apps) assert.equal(ourWebhooksOn(stack, app, started.integrationId).length, 0, app);
    await assertErased(started.integrationId);
  });

  it('a lifecycle workflow terminated while holding the integration does not block the next one', async () => {
    const slow = stack.heroku.faults.add({ method: 'POST', path: '/apps/stuck-01/webhooks', delayMs: 2_000 });
    const started = await installThroughOAuth(stack, { apps: ['stuck-00', 'stuck-01', 'stuck-02'] });
    const owner = async () => (await stack.h.db('integrations').where({ id: started.integrationId }).first('lifecycle_owner')).lifecycle_owner as string | null;
    await eventually(async () => assert.equal(slow.fired, 1), { what: 'the install to be creating webhooks' });
    assert.equal(await owner(), started.workflowId);
    await stack.h.temporal.workflow.getHandle(started.workflowId).terminate('test: an operator terminated it');
    assert.equal(await owner(), started.workflowId, 'a terminated workflow cannot let go by itself');
    // Let the create that was in flight land, as it would on Heroku.
    await eventually(async () => assert.ok(stack.heroku.calls.some((c) => c.path === '/apps/stuck-01/webhooks' && c.status === 201)), { what: 'the slow create' });

    const workflowId = await disconnect(started.integrationId);
    assert.equal(await closeStatus(stack, workflowId), 'COMPLETED');
    assert.equal((await getIntegration(stack, started.integrationId)).status, 'disconnected');
    for (const app of ['stuck-00', 'stuck-01', 'stuck-02']) assert.equal(ourWebhooksOn(stack, app, started.integrationId).length, 0, app);
    assert.equal(await owner(), null);
  });

  it('a pending integration is disconnected without calling Heroku; its OAuth callback is then refused', async () => {
    stack.heroku.createAccount({ email: 'never-installed@example.com' });
    const created = await createIntegration(stack, { apps: ['never-app'] });
    const callback = await consent(created.authorizeUrl);
    const callsBefore = apiCalls(stack);
    assert.equal(await closeStatus(stack, await disconnect(created.id)), 'COMPLETED');
    assert.equal(apiCalls(stack), callsBefore);
    assert.equal((await getIntegration(stack, created.id)).status, 'disconnected');
    const res = await openCallback(callback);
    assert.equal(res.status, 409);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'integration_not_pending');
  });

  it('after the user revoked the authorization: disconnected, erased, and the leftover webhooks are reported', async () => {
    const started = await installThroughOAuth(stack, { apps: ['orphan-a', 'orphan-b'] });
    await waitForStatus(stack, started.integrationId, 'connected');
    const { heroku_authorization_id: authorizationId } = await stack.h.db('integrations').where({ id: started.integrationId }).first('heroku_authorization_id');
    stack.heroku.revokeAuthorization(authorizationId);

    assert.equal(await closeStatus(stack, await disconnect(started.integrationId)), 'COMPLETED');
    const view = await getIntegration(stack, started.integrationId);
    assert.equal(view.status, 'disconnected');
    assert.match(view.statusReason ?? '', /2 webhook\(s\) could not be deleted/);
    assert.deepEqual(view.apps.map((a) => [a.name, a.status]), [['orphan-a', 'removing'], ['orphan-b', 'removing']]);
    assert.match(view.apps[0]?.lastError ?? '', /^webhook not deleted: reconnect needed/);
    await assertErased(started.integrationId);
  });

  it('a PUT of the app list after disconnect answers 409 and changes nothing', async () => {
    const started = await installThroughOAuth(stack, { apps: ['late-a'] });
    await waitForStatus(stack, started.integrationId, 'connected');
    assert.equal(await closeStatus(stack, await disconnect(started.integrationId)), 'COMPLETED');
    const res = await stack.api(`/api/integrations/heroku/${started.integrationId}/apps`, { method: 'PUT', body: JSON.stringify({ apps: ['late-a'] }) });
    assert.equal(res.status, 409);
    assert.deepEqual((await getIntegration(stack, started.integrationId)).apps, []);
  });

  it('DELETE of an unknown integration answers 404', async () => {
    const res = await stack.api('/api/integrations/heroku/0b6f3f2e-6a51-4f7c-9d47-3f0d6c1c2a11', { method: 'DELETE' });
    assert.equal(res.status, 404);
  });
});
