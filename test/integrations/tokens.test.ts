import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'mocha';
import { startStack, type Stack } from '../support/stack';
import { closeStatus, eventually, getIntegration, installThroughOAuth, ourWebhooksOn, tokenCalls, waitForStatus, type InstallStarted } from './support';

describe('Token freshness: refresh before expiry and after a 401, once, under concurrency', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.close());

  const putApps = async (id: string, apps: string[]): Promise<string> => {
    const res = await stack.api(`/api/integrations/heroku/${id}/apps`, { method: 'PUT', body: JSON.stringify({ apps }) });
    assert.equal(res.status, 202);
    return ((await res.json()) as { workflowId: string }).workflowId;
  };

  const connectedWith = async (prefix: string, count: number): Promise<{ started: InstallStarted; apps: string[] }> => {
    const apps = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(2, '0')}`);
    const started = await installThroughOAuth(stack, { apps });
    await waitForStatus(stack, started.integrationId, 'connected');
    return { started, apps };
  };

  const sealedTokens = async (id: string) => {
    const row = await stack.h.db('integrations').where({ id }).first('access_token_sealed', 'refresh_token_sealed', 'token_expires_at');
    return row as { access_token_sealed: string; refresh_token_sealed: string; token_expires_at: Date };
  };

  it('an access token close to expiry is refreshed before use, once, although 12 activities need it at the same time', async () => {
    const { started, apps } = await connectedWith('soon', 12);
    const before = await sealedTokens(started.integrationId);
    // Expires within the refresh margin (5 minutes): every activity of the next sync sees it stale.
    await stack.h.db('integrations').where({ id: started.integrationId }).update({ token_expires_at: new Date(Date.now() + 60_000) });
    stack.heroku.createApp({ name: 'soon-added', owner: started.accountId });
    const refreshesBefore = tokenCalls(stack);

    const workflowId = await putApps(started.integrationId, [...apps, 'soon-added']);
    assert.equal(await closeStatus(stack, workflowId), 'COMPLETED');
    assert.equal(tokenCalls(stack) - refreshesBefore, 1, 'exactly one refresh');
    const after = await sealedTokens(started.integrationId);
    assert.notEqual(after.access_token_sealed, before.access_token_sealed);
    assert.notEqual(after.refresh_token_sealed, before.refresh_token_sealed, 'the rotated refresh token is the one stored');
    assert.ok(new Date(after.token_expires_at).getTime() > Date.now() + 60 * 60_000);
    const view = await getIntegration(stack, started.integrationId);
    assert.equal(view.status, 'connected');
    assert.equal(ourWebhooksOn(stack, 'soon-added', started.integrationId).length, 1);
  });

  it('access tokens Heroku expired early (401): one refresh for all concurrent activities, then the sync goes on', async () => {
    const { started, apps } = await connectedWith('expired', 12);
    assert.ok(stack.heroku.expireAccessTokens(started.accountId) >= 1);
    stack.heroku.createApp({ name: 'expired-added', owner: started.accountId });
    const refreshesBefore = tokenCalls(stack);

    const workflowId = await putApps(started.integrationId, [...apps, 'expired-added']);
    assert.equal(await closeStatus(stack, workflowId), 'COMPLETED');
    assert.equal(tokenCalls(stack) - refreshesBefore, 1, 'exactly one refresh');
    assert.equal((await getIntegration(stack, started.integrationId)).status, 'connected');
    assert.equal(ourWebhooksOn(stack, 'expired-added', started.integrationId).length, 1);

    // The stored refresh token is the newest: one more forced refresh still works.
    stack.heroku.expireAccessTokens(started.accountId);
    const again = await putApps(started.integrationId, apps);
    assert.equal(await closeStatus(stack, again), 'COMPLETED');
    assert.equal((await getIntegration(stack, started.integrationId)).status, 'connected');
  });

  it('a revoked authorization: status error "reconnect needed", logged, and the sync stops instead of retrying', async () => {
    const { started, apps } = await connectedWith('revoked', 3);
    const row = await stack.h.db('integrations').where({ id: started.integrationId }).first('heroku_authorization_id');
    assert.ok(stack.heroku.revokeAuthorization(row.heroku_authorization_id));
    stack.heroku.createApp({ name: 'revoked-added', owner: started.accountId });

    const workflowId = await putApps(started.integrationId, [...apps, 'revoked-added']);
    assert.equal(await closeStatus(stack, workflowId), 'FAILED');
    const view = await getIntegration(stack, started.integrationId);
    assert.equal(view.status, 'error');
    assert.match(view.statusReason ?? '', /^reconnect needed: Heroku refused the refresh_token grant/);
    assert.equal(ourWebhooksOn(stack, 'revoked-added', started.integrationId).length, 0);
    const refused = await stack.api(`/api/integrations/heroku/${started.integrationId}/apps`, { method: 'PUT', body: JSON.stringify({ apps }) });
    assert.equal(refused.status, 409, 'further list changes are refused until reconnected');
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'reconnect_needed');
    await eventually(
      async () => {
        const log = await readFile(stack.h.logFile, 'utf8');
        const line = log.split('\n').find((l) => l.includes(started.integrationId) && l.includes('needs to be reconnected'));
        assert.ok(line, 'a log line says the integration needs to be reconnected');
        assert.match(line, /reconnect needed/);
      },
      { what: 'the reconnect-needed log line' },
    );
  });
});
