import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { webhookSecretAad } from '../../src/crypto/aad';
import { startStack, type Stack } from '../support/stack';
import { closeStatus, installThroughOAuth, ourWebhooksOn, waitForStatus } from './support';

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
      assert.deepEqual([...hook!.include].sort(), ['api:build', 'api:dyno', 'api:release']);
      assert.equal(hook!.level, 'sync');
      assert.equal(view.apps.find((a) => a.name === app)?.webhookId, hook!.id);
      const appRow = await stack.h.db('integration_apps').where({ integration_id: started.integrationId, app_name: app }).first();
      assert.equal(stack.h.box.open(appRow.webhook_secret_sealed, webhookSecretAad(started.integrationId, app)), hook!.secret);
    }
  });
});
