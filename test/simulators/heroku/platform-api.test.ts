import { describe, it, before, after, beforeEach } from 'mocha';
import assert from 'node:assert/strict';
import type { HerokuSimulator } from './index';
import { callApi, HEROKU_ACCEPT, obj, oauthInstall, startSimulator } from './test-support';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('Heroku simulator: Platform API strictness', () => {
  let sim: HerokuSimulator;
  let token: string;
  let ownerId: string;

  before(async () => {
    sim = await startSimulator();
    ownerId = sim.createAccount({ email: 'owner@example.com', name: 'Owner' }).id;
    sim.createApp({ name: 'my-app', owner: ownerId, configVars: { DATABASE_URL: 'postgres://secret' } });
    token = (await oauthInstall(sim)).accessToken;
  });
  after(() => sim.close());

  describe('version header', () => {
    it('rejects a request without the version Accept header with 400 missing_version', async () => {
      const res = await fetch(`${sim.apiUrl}/account`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), {
        id: 'missing_version',
        message: "Please specify a version along with Heroku's API MIME type. For example, Accept: application/vnd.heroku+json; version=3",
      });
    });

    it('rejects Accept: application/json', async () => {
      const res = await callApi(sim, 'GET', '/account', { token, headers: { Accept: 'application/json' } });
      assert.equal(res.status, 400);
      assert.equal(obj(res.json)['id'], 'missing_version');
    });

    it('rejects the Heroku media type without a version', async () => {
      const res = await callApi(sim, 'GET', '/account', { token, headers: { Accept: 'application/vnd.heroku+json' } });
      assert.equal(res.status, 400);
    });

    for (const variant of ['3', '3.sdk', '3.webhooks']) {
      it(`accepts version=${variant}`, async () => {
        const res = await callApi(sim, 'GET', '/account', { token, headers: { Accept: `application/vnd.heroku+json; version=${variant}` } });
        assert.equal(res.status, 200);
      });
    }
  });

  describe('credentials', () => {
    it('answers 401 unauthorized without an Authorization header', async () => {
      const res = await callApi(sim, 'GET', '/account');
      assert.equal(res.status, 401);
      assert.deepEqual(res.json, { id: 'unauthorized', message: 'Invalid credentials provided.' });
    });

    it('answers 401 for an unknown token', async () => {
      const res = await callApi(sim, 'GET', '/account', { token: 'HRKU-not-a-real-token' });
      assert.equal(res.status, 401);
    });

    it('accepts Basic auth with an empty user and the token as password', async () => {
      const basic = Buffer.from(`:${token}`).toString('base64');
      const res = await callApi(sim, 'GET', '/account', { headers: { Authorization: `Basic ${basic}` } });
      assert.equal(res.status, 200);
      assert.equal(obj(res.json)['email'], 'owner@example.com');
    });

    it('answers 401 once the access token was expired (expireAccessTokens)', async () => {
      const tokens = await oauthInstall(sim);
      assert.equal((await callApi(sim, 'GET', '/account', { token: tokens.accessToken })).status, 200);
      assert.ok(sim.expireAccessTokens(ownerId) >= 1);
      assert.equal((await callApi(sim, 'GET', '/account', { token: tokens.accessToken })).status, 401);
      token = (await oauthInstall(sim)).accessToken; // later tests need a live token again
    });

    it('answers 401 for tokens of a revoked authorization', async () => {
      const issued = sim.authorize(ownerId);
      assert.equal((await callApi(sim, 'GET', '/account', { token: issued.accessToken })).status, 200);
      sim.revokeAuthorization(issued.authorizationId);
      assert.equal((await callApi(sim, 'GET', '/account', { token: issued.accessToken })).status, 401);
    });
  });

  describe('every response', () => {
    it('carries a Request-Id uuid and RateLimit-Remaining', async () => {
      for (const res of [await callApi(sim, 'GET', '/account', { token }), await callApi(sim, 'GET', '/account')]) {
        assert.match(res.headers.get('request-id') ?? '', UUID);
        assert.match(res.headers.get('ratelimit-remaining') ?? '', /^\d+$/);
      }
    });

    it('carries an ETag on GET and answers 304 to If-None-Match', async () => {
      const first = await callApi(sim, 'GET', '/apps/my-app', { token });
      const etag = first.headers.get('etag');
      assert.ok(etag);
      const second = await callApi(sim, 'GET', '/apps/my-app', { token, headers: { 'If-None-Match': etag } });
      assert.equal(second.status, 304);
    });
  });

  describe('request bodies', () => {
    it('answers 400 bad_request to malformed JSON', async () => {
      const res = await callApi(sim, 'POST', '/apps/my-app/webhooks', { token, body: '{"url": ' });
      assert.equal(res.status, 400);
      assert.equal(obj(res.json)['id'], 'bad_request');
    });

    it('answers 400 bad_request to a body that is not sent as application/json', async () => {
      const res = await fetch(`${sim.apiUrl}/apps/my-app/webhooks`, {
        method: 'POST',
        headers: { Accept: HEROKU_ACCEPT, Authorization: `Bearer ${token}` }, // fetch sends text/plain
        body: JSON.stringify({ url: 'https://example.com/hook', include: ['api:release'], level: 'sync' }),
      });
      assert.equal(res.status, 400);
    });

    it('answers 404 with the endpoint-not-found message for an unknown route', async () => {
      const res = await callApi(sim, 'GET', '/apps/my-app/nonsense', { token });
      assert.equal(res.status, 404);
      assert.match(String(obj(res.json)['message']), /requested API endpoint was not found/);
    });
  });

  describe('access control', () => {
    let strangerToken: string;
    before(() => {
      const stranger = sim.createAccount({ email: 'stranger@example.com' });
      sim.createApp({ name: 'strangers-app', owner: stranger.id });
      strangerToken = sim.authorize(stranger.id).accessToken;
    });

    it('lists only the apps of the calling account', async () => {
      const mine = await callApi(sim, 'GET', '/apps', { token });
      assert.deepEqual((mine.json as { name: string }[]).map((a) => a.name), ['my-app']);
      const theirs = await callApi(sim, 'GET', '/apps', { token: strangerToken });
      assert.deepEqual((theirs.json as { name: string }[]).map((a) => a.name), ['strangers-app']);
    });

    it("answers 403 forbidden for another account's app, by name and by id", async () => {
      const byName = await callApi(sim, 'GET', '/apps/strangers-app', { token });
      assert.equal(byName.status, 403);
      assert.deepEqual(byName.json, { id: 'forbidden', message: 'You do not have access to the app strangers-app.' });
      const id = sim.app('strangers-app').id;
      assert.equal((await callApi(sim, 'GET', `/apps/${id}/releases`, { token })).status, 403);
      assert.equal((await callApi(sim, 'POST', '/apps/strangers-app/dynos', { token, body: { command: 'ls' } })).status, 403);
    });

    it('answers 404 not_found for an unknown app', async () => {
      const res = await callApi(sim, 'GET', '/apps/no-such-app', { token });
      assert.equal(res.status, 404);
      assert.deepEqual(res.json, { id: 'not_found', message: "Couldn't find that app.", resource: 'app' });
    });

    it('answers 403 two_factor to write calls on a two-factor app, reads still work', async () => {
      sim.createApp({ name: 'paranoid-app', owner: ownerId, twoFactor: true });
      const write = await callApi(sim, 'POST', '/apps/paranoid-app/webhooks', {
        token,
        body: { url: 'https://example.com/hook', include: ['api:release'], level: 'sync' },
      });
      assert.equal(write.status, 403);
      assert.equal(obj(write.json)['id'], 'two_factor');
      assert.equal((await callApi(sim, 'GET', '/apps/paranoid-app', { token })).status, 200);
    });

    it('refuses config vars to a token with the plain read scope', async () => {
      const readOnly = sim.authorize(ownerId, { scope: ['read'] }).accessToken;
      assert.equal((await callApi(sim, 'GET', '/apps/my-app', { token: readOnly })).status, 200);
      const vars = await callApi(sim, 'GET', '/apps/my-app/config-vars', { token: readOnly });
      assert.equal(vars.status, 403);
      const full = await callApi(sim, 'GET', '/apps/my-app/config-vars', { token });
      assert.deepEqual(full.json, { DATABASE_URL: 'postgres://secret' });
    });
  });

  describe('injected faults', () => {
    beforeEach(() => sim.faults.clear());

    it('answers the injected status the given number of times, then recovers', async () => {
      sim.faults.add({ method: 'GET', path: /^\/apps\/my-app$/, status: 503, times: 2 });
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await callApi(sim, 'GET', '/apps/my-app', { token })).status);
      assert.deepEqual(statuses, [503, 503, 200]);
    });

    it('can reset the connection', async () => {
      sim.faults.add({ path: '/account', reset: true });
      await assert.rejects(callApi(sim, 'GET', '/account', { token }), /fetch failed/);
      assert.equal((await callApi(sim, 'GET', '/account', { token })).status, 200);
    });

    it('can delay a response', async () => {
      sim.faults.add({ path: '/account', delayMs: 100 });
      const started = Date.now();
      assert.equal((await callApi(sim, 'GET', '/account', { token })).status, 200);
      assert.ok(Date.now() - started >= 100);
    });

    it('logs every call with method, path, status and account', async () => {
      sim.resetCalls();
      await callApi(sim, 'GET', '/account', { token });
      await callApi(sim, 'GET', '/account');
      assert.deepEqual(
        sim.calls.map((c) => [c.host, c.method, c.path, c.status, c.accountId]),
        [
          ['api', 'GET', '/account', 200, ownerId],
          ['api', 'GET', '/account', 401, null],
        ],
      );
    });
  });
});

describe('Heroku simulator: rate limit', () => {
  let sim: HerokuSimulator;
  let token: string;

  before(async () => {
    sim = await startSimulator({ rateLimit: { capacity: 5, refillPerMinute: 0 } });
    const account = sim.createAccount({ email: 'busy@example.com' });
    token = sim.authorize(account.id).accessToken;
  });
  after(() => sim.close());

  it('counts RateLimit-Remaining down and answers 429 rate_limit once the bucket is empty', async () => {
    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await callApi(sim, 'GET', '/account', { token });
      assert.equal(res.status, 200);
      remaining.push(res.headers.get('ratelimit-remaining') ?? '');
    }
    assert.deepEqual(remaining, ['4', '3', '2', '1', '0']);
    const limited = await callApi(sim, 'GET', '/account', { token });
    assert.equal(limited.status, 429);
    assert.equal(obj(limited.json)['id'], 'rate_limit');
    assert.equal(limited.headers.get('ratelimit-remaining'), '0');
  });

  it('does not charge GET /account/rate-limits', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await callApi(sim, 'GET', '/account/rate-limits', { token });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, { remaining: 0 });
    }
  });
});

describe('Heroku simulator: simulator-only control routes', () => {
  let sim: HerokuSimulator;
  before(async () => {
    sim = await startSimulator();
  });
  after(() => sim.close());

  it('create accounts and apps over HTTP without Heroku auth, outside the call log', async () => {
    const post = (path: string, body: unknown): Promise<Response> =>
      fetch(`${sim.apiUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const account = obj(await (await post('/__sim/accounts', { email: 'sandbox@example.com' })).json());
    const created = await post('/__sim/apps', { name: 'sandbox-app', owner: 'sandbox@example.com' });
    assert.equal(created.status, 201);
    assert.equal(obj(await created.json())['owner'], account['id']);
    const bad = await post('/__sim/apps', { name: 'Bad Name', owner: 'sandbox@example.com' });
    assert.equal(bad.status, 422);
    assert.equal(sim.calls.length, 0);
    const token = sim.authorize(String(account['id'])).accessToken;
    assert.equal((await callApi(sim, 'GET', '/apps/sandbox-app', { token })).status, 200);
  });
});
