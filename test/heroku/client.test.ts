import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { HerokuApiError, HerokuClient, appPath } from '../../src/heroku/client';
import { ReconnectNeededError } from '../../src/heroku/integration-tokens';
import { connectIntegration, type ConnectedIntegration } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';

describe('HerokuClient against the Heroku simulator (heroku.md §1)', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  const fastClient = () =>
    new HerokuClient({
      apiUrl: stack.config.heroku.apiUrl,
      tokens: integration.tokens,
      baseDelayMs: 5,
      maxDelayMs: 20,
    });

  before(async () => {
    stack = await startStack({ heroku: { pageSize: 3 } });
    integration = await connectIntegration(stack, { apps: ['client-a', 'client-b'] });
  });
  after(() => stack.close());

  it('reads the account with the version Accept header and a bearer token', async () => {
    const account = await integration.heroku.get<{ id: string; email: string }>('/account');
    assert.equal(account.id, integration.accountId);
    assert.equal(account.email, integration.accountEmail);
  });

  it('follows Next-Range across 206 pages until the last item', async () => {
    for (let i = 0; i < 7; i++) stack.heroku.createApp({ name: `client-page-${i}`, owner: integration.accountId });
    const apps = await integration.heroku.list<{ name: string }>('/apps');
    assert.equal(apps.length, 9);
    assert.equal(new Set(apps.map((a) => a.name)).size, 9);
  });

  it('retries a 503 on an idempotent call, then succeeds', async () => {
    stack.heroku.faults.add({ method: 'GET', path: /\/account$/, status: 503, times: 2 });
    const client = fastClient();
    await client.get('/account');
    assert.equal(client.callCount, 3);
  });

  it('retries a 429 even on POST (the call was not processed), then succeeds', async () => {
    stack.heroku.faults.add({ method: 'POST', path: /\/webhooks$/, status: 429, times: 1 });
    const client = fastClient();
    const hook = await client.post<{ id: string }>(`${appPath('client-b')}/webhooks`, { url: `${stack.apiUrl}/x`, include: ['api:build'], level: 'notify' });
    assert.ok(hook.id);
    assert.equal(client.callCount, 2);
  });

  it('does not repeat a POST that failed with 5xx (it may have been applied); the caller decides', async () => {
    stack.heroku.faults.add({ method: 'POST', path: /\/webhooks$/, status: 500, times: 1 });
    const client = fastClient();
    await assert.rejects(client.post(`${appPath('client-b')}/webhooks`, { url: `${stack.apiUrl}/y`, include: ['api:build'], level: 'notify' }), (err: unknown) => {
      assert.ok(err instanceof HerokuApiError);
      assert.equal(err.status, 500);
      assert.equal(err.retryable, true);
      return true;
    });
    assert.equal(client.callCount, 1);
  });

  it("surfaces Heroku's error id and message, e.g. for an unknown app", async () => {
    await assert.rejects(integration.heroku.get(appPath('no-such-app-xyz')), (err: unknown) => {
      assert.ok(err instanceof HerokuApiError);
      assert.equal(err.status, 404);
      assert.equal(err.id, 'not_found');
      assert.equal(err.retryable, false);
      assert.match(err.message, /Couldn't find that app/);
      return true;
    });
  });

  it('refreshes once after a 401 and keeps the newest tokens', async () => {
    const before = await stack.h.db('integrations').where({ id: integration.integrationId }).first();
    stack.heroku.expireAccessTokens(integration.accountId);
    await integration.heroku.get('/account');
    const afterRow = await stack.h.db('integrations').where({ id: integration.integrationId }).first();
    assert.notEqual(afterRow.access_token_sealed, before.access_token_sealed);
    assert.notEqual(afterRow.refresh_token_sealed, before.refresh_token_sealed);
    await integration.heroku.get('/account'); // the stored refresh token is the rotated one
  });

  it('marks the integration "reconnect needed" when the authorization was revoked', async () => {
    const other = await connectIntegration(stack, { apps: ['client-revoked'] });
    const row = await stack.h.db('integrations').where({ id: other.integrationId }).first();
    stack.heroku.revokeAuthorization(row.heroku_authorization_id);
    await assert.rejects(other.heroku.get('/account'), ReconnectNeededError);
    const after = await stack.h.db('integrations').where({ id: other.integrationId }).first();
    assert.equal(after.status, 'error');
    assert.match(after.status_reason, /reconnect needed/);
  });
});
