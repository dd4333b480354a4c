import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createApi } from '../../src/api/app';
import { loadConfig } from '../../src/config';
import { hashOAuthState } from '../../src/integrations/oauth-state';
import { ConsoleClient } from '../console/console-client';
import { serve } from '../support/api-client';
import { ADMIN_TOKEN, startStack, type Stack } from '../support/stack';
import { consent, createIntegration, getIntegration, openCallback, waitForStatus } from './support';

async function errorOf(res: Response): Promise<{ status: number; code: string; message: string }> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  return { status: res.status, ...body.error };
}

describe('Integration API and OAuth callback: validation, state, duplicate callbacks', () => {
  let stack: Stack;
  let accountId: string;

  before(async () => {
    stack = await startStack();
    accountId = stack.heroku.createAccount({ email: 'oauth-routes@example.com' }).id;
    stack.heroku.createApp({ name: 'routes-app', owner: accountId });
  });
  after(() => stack.close());

  const installStarted = async (integrationId: string): Promise<boolean> => {
    try {
      await stack.h.temporal.workflow.getHandle(`heroku-install-${integrationId}`).describe();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  };

  /** The callback URL the simulated id.heroku.com redirects to, for a fresh pending integration. */
  const freshCallback = async () => {
    const created = await createIntegration(stack, { apps: ['routes-app'] });
    return { id: created.id, callback: new URL(await consent(created.authorizeUrl)) };
  };

  it('POST answers an authorize URL on the id server: client id, code flow, scope global, a random state and our callback', async () => {
    const a = await createIntegration(stack, { apps: ['routes-app'] });
    const b = await createIntegration(stack, { apps: ['routes-app'] });
    const url = new URL(a.authorizeUrl);
    assert.equal(`${url.origin}${url.pathname}`, `${stack.heroku.idUrl}/oauth/authorize`);
    assert.equal(url.searchParams.get('client_id'), stack.config.heroku.oauthId);
    assert.equal(url.searchParams.get('response_type'), 'code');
    assert.equal(url.searchParams.get('scope'), 'global');
    assert.equal(url.searchParams.get('redirect_uri'), `${stack.config.publicUrl}/oauth/heroku/callback`);
    const state = url.searchParams.get('state') ?? '';
    assert.ok(state.length >= 43, 'at least 256 bits of state');
    assert.notEqual(state, new URL(b.authorizeUrl).searchParams.get('state'));
    const stored = await stack.h.db('oauth_states').where({ integration_id: a.id }).first();
    assert.equal(stored.state_hash, hashOAuthState(state), 'only a hash of the state is stored');
    const view = await getIntegration(stack, a.id);
    assert.equal(view.status, 'pending');
    assert.deepEqual(view.apps, [{ name: 'routes-app', webhookId: null, status: 'pending', lastError: null }]);
  });

  it('asks for HEROKU_OAUTH_SCOPE when it is set', async () => {
    const api = await serve(createApi({ config: loadConfig({ ...stack.env, HEROKU_OAUTH_SCOPE: 'write-protected' }), db: stack.h.db, temporal: stack.h.temporal, box: stack.h.box, logger: stack.h.logger }));
    try {
      const res = await fetch(`${api.url}/api/integrations/heroku`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ orgId: 'scoped', apps: [] }),
      });
      assert.equal(res.status, 201);
      const { authorizeUrl } = (await res.json()) as { authorizeUrl: string };
      assert.equal(new URL(authorizeUrl).searchParams.get('scope'), 'write-protected');
    } finally {
      await api.close();
    }
  });

  for (const [what, body, pattern] of [
    ['no orgId', { apps: [] }, /orgId/],
    ['an empty orgId', { orgId: ' ', apps: [] }, /orgId: must not be empty/],
    ['apps that is not a list', { orgId: 'o', apps: 'my-app' }, /apps/],
    ['an invalid app name', { orgId: 'o', apps: ['Bad_Name'] }, /apps\.0: must be a Heroku app name/],
    ['an unknown field', { orgId: 'o', apps: [], app: 'x' }, /app/],
    ['more than 500 apps', { orgId: 'o', apps: Array.from({ length: 501 }, (_, i) => `app-${i}`) }, /at most 500 apps/],
  ] as const) {
    it(`POST with ${what} answers 400 and creates nothing`, async () => {
      const before = await stack.h.db('integrations').count({ n: '*' }).first();
      const res = await stack.api('/api/integrations/heroku', { method: 'POST', body: JSON.stringify(body) });
      const error = await errorOf(res);
      assert.equal(error.status, 400);
      assert.equal(error.code, 'invalid_request');
      assert.match(error.message, pattern);
      assert.deepEqual(await stack.h.db('integrations').count({ n: '*' }).first(), before);
    });
  }

  it('POST with a body that is not JSON answers 400 invalid_json', async () => {
    const res = await stack.api('/api/integrations/heroku', { method: 'POST', body: '{"orgId":' });
    assert.equal((await errorOf(res)).code, 'invalid_json');
  });

  it('POST without a configured OAuth client answers 503 and creates nothing', async () => {
    const env = { ...stack.env, HEROKU_OAUTH_ID: '', HEROKU_OAUTH_SECRET: '' };
    const api = await serve(createApi({ config: loadConfig(env), db: stack.h.db, temporal: stack.h.temporal, box: stack.h.box, logger: stack.h.logger }));
    try {
      const res = await fetch(`${api.url}/api/integrations/heroku`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ orgId: 'no-oauth', apps: [] }),
      });
      const error = await errorOf(res);
      assert.equal(error.status, 503);
      assert.equal(error.code, 'heroku_oauth_not_configured');
      assert.equal(await stack.h.db('integrations').where({ org_id: 'no-oauth' }).first(), undefined);
    } finally {
      await api.close();
    }
  });

  it('GET of an unknown integration answers 404, of a malformed id 400', async () => {
    assert.equal((await errorOf(await stack.api('/api/integrations/heroku/0b6f3f2e-6a51-4f7c-9d47-3f0d6c1c2a11'))).status, 404);
    const malformed = await errorOf(await stack.api('/api/integrations/heroku/not-a-uuid'));
    assert.equal(malformed.status, 400);
    assert.match(malformed.message, /UUID/);
  });

  it('the integration routes need the admin token', async () => {
    const res = await fetch(`${stack.apiUrl}/api/integrations/heroku`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 401);
  });

  it('a callback without state, or with an unknown one, answers 400 and starts nothing', async () => {
    const { id, callback } = await freshCallback();
    const noState = new URL(callback);
    noState.searchParams.delete('state');
    assert.deepEqual(await errorOf(await openCallback(noState.toString())), { status: 400, code: 'invalid_state', message: 'The OAuth callback has no state' });
    const unknown = new URL(callback);
    unknown.searchParams.set('state', 'x'.repeat(43));
    const error = await errorOf(await openCallback(unknown.toString()));
    assert.equal(error.status, 400);
    assert.equal(error.code, 'invalid_state');
    assert.equal(await installStarted(id), false);
    assert.equal((await getIntegration(stack, id)).status, 'pending');
  });

  it('a callback without a code answers 400 and leaves the state usable', async () => {
    const { id, callback } = await freshCallback();
    const noCode = new URL(callback);
    noCode.searchParams.delete('code');
    assert.equal((await errorOf(await openCallback(noCode.toString()))).code, 'invalid_request');
    assert.equal(await installStarted(id), false);
    assert.equal((await openCallback(callback.toString())).status, 200);
    await waitForStatus(stack, id, 'connected');
  });

  it('an expired state answers 400 state_expired and starts nothing', async () => {
    const { id, callback } = await freshCallback();
    await stack.h.db('oauth_states').where({ integration_id: id }).update({ expires_at: new Date(Date.now() - 1000) });
    const error = await errorOf(await openCallback(callback.toString()));
    assert.equal(error.status, 400);
    assert.equal(error.code, 'state_expired');
    assert.equal(await installStarted(id), false);
    assert.equal((await getIntegration(stack, id)).status, 'pending');
  });

  it('a reused state answers 400 state_already_used; the install started once', async () => {
    const { id, callback } = await freshCallback();
    assert.equal((await openCallback(callback.toString())).status, 200);
    const again = await errorOf(await openCallback(callback.toString()));
    assert.equal(again.status, 400);
    assert.equal(again.code, 'state_already_used');
    await waitForStatus(stack, id, 'connected');
    const runs = await stack.h.temporal.workflow.count(`WorkflowId = 'heroku-install-${id}'`);
    assert.equal(runs.count, 1);
  });

  it('two simultaneous callbacks for the same integration start one install', async () => {
    const { id, callback } = await freshCallback();
    const answers = await Promise.all([openCallback(callback.toString()), openCallback(callback.toString()), openCallback(callback.toString())]);
    const statuses = answers.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 400, 400]);
    await waitForStatus(stack, id, 'connected');
    const runs = await stack.h.temporal.workflow.count(`WorkflowId = 'heroku-install-${id}'`);
    assert.equal(runs.count, 1);
    assert.equal(stack.heroku.webhooksOf('routes-app').filter((w) => w.url.endsWith(id)).length, 1);
  });

  it('a denied consent answers 400 oauth_denied, starts nothing, and the same URL can be approved later', async () => {
    const created = await createIntegration(stack, { apps: ['routes-app'] });
    stack.heroku.consent = 'deny';
    let denied: string;
    try {
      denied = await consent(created.authorizeUrl);
    } finally {
      stack.heroku.consent = 'allow';
    }
    const error = await errorOf(await openCallback(denied));
    assert.equal(error.status, 400);
    assert.equal(error.code, 'oauth_denied');
    assert.match(error.message, /access_denied/);
    assert.equal(await installStarted(created.id), false);
    assert.equal((await openCallback(await consent(created.authorizeUrl))).status, 200);
    await waitForStatus(stack, created.id, 'connected');
  });

  it('a browser callback is redirected to the integration page of the console, which asks to sign in first', async () => {
    const { id, callback } = await freshCallback();
    const res = await openCallback(callback.toString(), 'text/html,application/xhtml+xml,*/*;q=0.8');
    assert.equal(res.status, 302);
    const location = res.headers.get('location') ?? '';
    assert.equal(location, `${stack.config.publicUrl}/integrations/${id}`);
    await waitForStatus(stack, id, 'connected');
    const signedOut = await fetch(location, { redirect: 'manual' });
    assert.equal(signedOut.status, 302);
    assert.equal(signedOut.headers.get('location'), `/sign-in?next=${encodeURIComponent(`/integrations/${id}`)}`);
    const browser = new ConsoleClient(stack.apiUrl);
    await browser.signIn(ADMIN_TOKEN);
    const page = await browser.request(`/integrations/${id}`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), new RegExp(`data-page="integration" data-id="${id}"`));
    const earlier = await fetch(`${stack.apiUrl}/integrations/heroku/${id}`, { redirect: 'manual' });
    assert.equal(earlier.status, 301, 'the earlier landing URL leads to the console page');
    assert.equal(earlier.headers.get('location'), `/integrations/${id}`);
  });
});
