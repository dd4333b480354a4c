import { describe, it, before, after } from 'mocha';
import assert from 'node:assert/strict';
import type { HerokuSimulator } from './index';
import { arr, authorizeRedirect, callApi, CLIENT, obj, oauthInstall, startSimulator, tokenRequest } from './test-support';

describe('Heroku simulator: OAuth on id.heroku.com', () => {
  let sim: HerokuSimulator;
  let accountId: string;

  before(async () => {
    sim = await startSimulator();
    accountId = sim.createAccount({ email: 'admin@example.com', name: 'Admin' }).id;
  });
  after(() => sim.close());

  describe('GET /oauth/authorize', () => {
    it('redirects to the registered callback with a code and the same state', async () => {
      const { status, location } = await authorizeRedirect(sim, { client_id: CLIENT.id, response_type: 'code', scope: 'global', state: 'st-123' });
      assert.equal(status, 302);
      assert.ok(location);
      assert.equal(`${location.origin}${location.pathname}`, CLIENT.redirectUri);
      assert.equal(location.searchParams.get('state'), 'st-123');
      assert.match(location.searchParams.get('code') ?? '', /^[0-9a-f-]{36}$/);
    });

    it('answers a 400 page (no redirect) for an unknown client', async () => {
      const { status, location } = await authorizeRedirect(sim, { client_id: 'nope', response_type: 'code', scope: 'global', state: 's' });
      assert.equal(status, 400);
      assert.equal(location, null);
    });

    it('answers a 400 page for a redirect_uri that is not the registered one', async () => {
      const { status } = await authorizeRedirect(sim, {
        client_id: CLIENT.id,
        response_type: 'code',
        scope: 'global',
        state: 's',
        redirect_uri: 'https://evil.example.com/cb',
      });
      assert.equal(status, 400);
    });

    it('redirects with error=unsupported_response_type for response_type=token', async () => {
      const { status, location } = await authorizeRedirect(sim, { client_id: CLIENT.id, response_type: 'token', scope: 'global', state: 's9' });
      assert.equal(status, 302);
      assert.equal(location?.searchParams.get('error'), 'unsupported_response_type');
      assert.equal(location?.searchParams.get('state'), 's9');
      assert.equal(location?.searchParams.get('code'), null);
    });

    it('redirects with error=invalid_scope for an unknown scope', async () => {
      const { location } = await authorizeRedirect(sim, { client_id: CLIENT.id, response_type: 'code', scope: 'everything', state: 's' });
      assert.equal(location?.searchParams.get('error'), 'invalid_scope');
    });

    it('redirects with error=access_denied when the user denies', async () => {
      sim.consent = 'deny';
      try {
        const { location } = await authorizeRedirect(sim, { client_id: CLIENT.id, response_type: 'code', scope: 'global', state: 's' });
        assert.equal(location?.searchParams.get('error'), 'access_denied');
      } finally {
        sim.consent = 'allow';
      }
    });
  });

  describe('POST /oauth/token', () => {
    it('exchanges a code for the token response of heroku.md §2', async () => {
      const { location } = await authorizeRedirect(sim, { client_id: CLIENT.id, response_type: 'code', scope: 'global', state: 's' });
      const code = location?.searchParams.get('code') ?? '';
      const { status, json } = await tokenRequest(sim, { grant_type: 'authorization_code', code, client_secret: CLIENT.secret });
      assert.equal(status, 200);
      assert.deepEqual(Object.keys(json).sort(), ['access_token', 'expires_in', 'refresh_token', 'session_nonce', 'token_type', 'user_id']);
      assert.match(String(json['access_token']), /^HRKU-/);
      assert.equal(json['token_type'], 'Bearer');
      assert.equal(json['expires_in'], 28799);
      assert.equal(json['user_id'], accountId);
      const account = await callApi(sim, 'GET', '/account', { token: String(json['access_token']) });
      assert.equal(obj(account.json)['id'], accountId);
    });

    it('rejects a reused code with 401 unauthorized', async () => {
      const { location } = await authorizeRedirect(sim, { client_id: CLIENT.id, response_type: 'code', scope: 'global', state: 's' });
      const code = location?.searchParams.get('code') ?? '';
      assert.equal((await tokenRequest(sim, { grant_type: 'authorization_code', code, client_secret: CLIENT.secret })).status, 200);
      const reused = await tokenRequest(sim, { grant_type: 'authorization_code', code, client_secret: CLIENT.secret });
      assert.equal(reused.status, 401);
      assert.equal(reused.json['id'], 'unauthorized');
    });

    it('rejects a wrong client secret with 401 and leaves the code usable', async () => {
      const { location } = await authorizeRedirect(sim, { client_id: CLIENT.id, response_type: 'code', scope: 'global', state: 's' });
      const code = location?.searchParams.get('code') ?? '';
      const wrong = await tokenRequest(sim, { grant_type: 'authorization_code', code, client_secret: 'guess' });
      assert.equal(wrong.status, 401);
      assert.equal((await tokenRequest(sim, { grant_type: 'authorization_code', code, client_secret: CLIENT.secret })).status, 200);
    });

    it('rejects an unsupported grant_type with 400 bad_request', async () => {
      const res = await tokenRequest(sim, { grant_type: 'password', client_secret: CLIENT.secret });
      assert.equal(res.status, 400);
      assert.equal(res.json['id'], 'bad_request');
    });

    it('refreshes: a new access token works, and with rotation the old refresh token stops working', async () => {
      const first = await oauthInstall(sim);
      const refreshed = await tokenRequest(sim, { grant_type: 'refresh_token', refresh_token: first.refreshToken, client_secret: CLIENT.secret });
      assert.equal(refreshed.status, 200);
      assert.notEqual(refreshed.json['access_token'], first.accessToken);
      assert.notEqual(refreshed.json['refresh_token'], first.refreshToken);
      assert.equal((await callApi(sim, 'GET', '/account', { token: String(refreshed.json['access_token']) })).status, 200);
      const stale = await tokenRequest(sim, { grant_type: 'refresh_token', refresh_token: first.refreshToken, client_secret: CLIENT.secret });
      assert.equal(stale.status, 401);
      const again = await tokenRequest(sim, { grant_type: 'refresh_token', refresh_token: String(refreshed.json['refresh_token']), client_secret: CLIENT.secret });
      assert.equal(again.status, 200);
    });

    it('recovers from an expired access token by refreshing', async () => {
      const tokens = await oauthInstall(sim);
      sim.expireAccessTokens(accountId);
      assert.equal((await callApi(sim, 'GET', '/account', { token: tokens.accessToken })).status, 401);
      const refreshed = await tokenRequest(sim, { grant_type: 'refresh_token', refresh_token: tokens.refreshToken, client_secret: CLIENT.secret });
      assert.equal((await callApi(sim, 'GET', '/account', { token: String(refreshed.json['access_token']) })).status, 200);
    });
  });

  describe('revocation', () => {
    it('DELETE /oauth/authorizations/{id} kills the access and the refresh token', async () => {
      const tokens = await oauthInstall(sim);
      const list = await callApi(sim, 'GET', '/oauth/authorizations', { token: tokens.accessToken });
      const mine = arr(list.json).find((a) => (a['access_token'] as { token?: string } | null)?.token === tokens.accessToken);
      assert.ok(mine);
      assert.equal(obj(mine['client'])['id'], CLIENT.id);
      const deleted = await callApi(sim, 'DELETE', `/oauth/authorizations/${String(mine['id'])}`, { token: tokens.accessToken });
      assert.equal(deleted.status, 200);
      assert.equal(obj(deleted.json)['id'], mine['id']);
      assert.equal((await callApi(sim, 'GET', '/account', { token: tokens.accessToken })).status, 401);
      const refresh = await tokenRequest(sim, { grant_type: 'refresh_token', refresh_token: tokens.refreshToken, client_secret: CLIENT.secret });
      assert.equal(refresh.status, 401);
    });

    it('revokeAllAuthorizations (Dashboard) makes every token of the account fail', async () => {
      const tokens = await oauthInstall(sim);
      assert.ok(sim.revokeAllAuthorizations(accountId) >= 1);
      assert.equal((await callApi(sim, 'GET', '/account', { token: tokens.accessToken })).status, 401);
      assert.equal(
        (await tokenRequest(sim, { grant_type: 'refresh_token', refresh_token: tokens.refreshToken, client_secret: CLIENT.secret })).status,
        401,
      );
    });
  });
});

describe('Heroku simulator: OAuth options', () => {
  it('keeps the refresh token when rotateRefreshTokens is false', async () => {
    const sim = await startSimulator({ rotateRefreshTokens: false });
    try {
      sim.createAccount({ email: 'a@example.com' });
      const tokens = await oauthInstall(sim);
      for (let i = 0; i < 2; i++) {
        const res = await tokenRequest(sim, { grant_type: 'refresh_token', refresh_token: tokens.refreshToken, client_secret: CLIENT.secret });
        assert.equal(res.status, 200);
        assert.equal(res.json['refresh_token'], tokens.refreshToken);
      }
    } finally {
      await sim.close();
    }
  });

  it('lets access tokens expire after accessTokenTtlSeconds', async () => {
    const sim = await startSimulator({ accessTokenTtlSeconds: 1 });
    try {
      sim.createAccount({ email: 'a@example.com' });
      const tokens = await oauthInstall(sim);
      assert.equal(tokens.expiresIn, 0);
      assert.equal((await callApi(sim, 'GET', '/account', { token: tokens.accessToken })).status, 200);
      // Expiry is a point in time; nothing to await but the clock.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      assert.equal((await callApi(sim, 'GET', '/account', { token: tokens.accessToken })).status, 401);
    } finally {
      await sim.close();
    }
  });
});
