import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { createApi } from '../../src/api/app';
import { CONSOLE_CSP } from '../../src/api/console/security-headers';
import { sessionIdOf } from '../../src/api/console/session-tokens';
import { loadConfig } from '../../src/config';
import { serve } from '../support/api-client';
import { harness, type Harness } from '../support/harness';
import { ConsoleClient } from './console-client';

const TOKEN = 'console-admin-token-0123456789';

type Served = { url: string; close(): Promise<void> };

describe('console sign-in, session cookie and CSRF', () => {
  let h: Harness;
  let api: Served;
  const servers: Served[] = [];

  const start = async (env: NodeJS.ProcessEnv = {}): Promise<Served> => {
    const served = await serve(createApi({ db: h.db, temporal: h.temporal, box: h.box, logger: h.logger, config: loadConfig({ ADMIN_API_TOKEN: TOKEN, ...env }) }));
    servers.push(served);
    return served;
  };

  before(async () => {
    h = await harness();
    api = await start();
  });
  after(async () => {
    for (const s of servers) await s.close();
  });

  it('sends a signed-out visitor of a page to sign-in, remembering where they were going', async () => {
    const res = await new ConsoleClient(api.url).request('/pulses?org=acme');
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), `/sign-in?next=${encodeURIComponent('/pulses?org=acme')}`);
  });

  it('answers a cross-site arrival without a cookie (OAuth redirect, SameSite=Strict) with a same-site reload, not the sign-in page', async () => {
    const res = await new ConsoleClient(api.url).request('/integrations/abc-123', { headers: { 'Sec-Fetch-Site': 'cross-site' } });
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<meta http-equiv="refresh" content="0; url=\/integrations\/abc-123">/);
    assert.ok(!html.includes('csrf-token'), 'no session data on that page');
  });

  it('signs in with the admin token: 303 to next, an httpOnly SameSite=Strict session cookie, and /api answers with it', async () => {
    const client = new ConsoleClient(api.url);
    const form = await client.signInForm('/services?org=acme');
    assert.equal(form.res.status, 200);
    assert.equal(form.res.headers.get('content-security-policy'), CONSOLE_CSP);
    assert.equal(form.res.headers.get('cache-control'), 'no-store');
    const res = await client.postForm('/sign-in', { csrf: form.csrf, next: '/services?org=acme', token: TOKEN });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/services?org=acme');
    const session = client.lastSetCookies.find((c) => c.startsWith('dynopulse_session='));
    assert.ok(session, client.lastSetCookies.join('\n'));
    assert.match(session, /; HttpOnly/);
    assert.match(session, /; SameSite=Strict/);
    assert.match(session, /; Path=\//);
    assert.doesNotMatch(session, /Secure/, 'plain http PUBLIC_URL: not Secure');

    const authed = await client.request('/api/no-such-route');
    assert.equal(authed.status, 404, 'past the admin check: the route is simply unknown');
    const anonymous = await fetch(`${api.url}/api/no-such-route`);
    assert.equal(anonymous.status, 401);
  });

  it('uses Secure __Host- cookies when PUBLIC_URL is https', async () => {
    const secure = await start({ PUBLIC_URL: 'https://dynopulse.example.com' });
    const client = new ConsoleClient(secure.url);
    const { csrf } = await client.signInForm();
    assert.ok(client.lastSetCookies.some((c) => c.startsWith('__Host-dynopulse_signin=') && c.includes('; Secure')));
    const res = await client.postForm('/sign-in', { csrf, next: '/integrations', token: TOKEN });
    assert.equal(res.status, 303);
    const session = client.lastSetCookies.find((c) => c.startsWith('__Host-dynopulse_session='));
    assert.ok(session && session.includes('; Secure') && session.includes('; HttpOnly') && session.includes('; SameSite=Strict'), client.lastSetCookies.join('\n'));
  });

  it('refuses a wrong token with 401 and sets no session', async () => {
    const client = new ConsoleClient(api.url);
    const { csrf } = await client.signInForm();
    const res = await client.postForm('/sign-in', { csrf, next: '/integrations', token: `${TOKEN}x` }, { 'X-Forwarded-For': '203.0.113.9' });
    assert.equal(res.status, 401);
    assert.match(await res.text(), /That is not the admin token/);
    assert.ok(!client.cookies.has('dynopulse_session'));
  });

  it('refuses a sign-in post without the form CSRF value, with a mismatched one, or from another origin (403)', async () => {
    const client = new ConsoleClient(api.url);
    const { csrf } = await client.signInForm();
    for (const [fields, headers] of [
      [{ next: '/', token: TOKEN }, {}],
      [{ csrf: `${csrf}x`, next: '/', token: TOKEN }, {}],
      [{ csrf, next: '/', token: TOKEN }, { Origin: 'https://evil.example' }],
    ] as const) {
      const res = await client.postForm('/sign-in', fields, headers);
      assert.equal(res.status, 403, JSON.stringify({ fields, headers }));
      assert.ok(!client.cookies.has('dynopulse_session'));
    }
    const withoutCookie = new ConsoleClient(api.url);
    const res = await withoutCookie.postForm('/sign-in', { csrf, next: '/', token: TOKEN });
    assert.equal(res.status, 403, 'the form value alone (no matching cookie) is not enough');
  });

  it('never redirects off-site after sign-in (next= is a local path or the start page)', async () => {
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)', '/ok path']) {
      const client = new ConsoleClient(api.url);
      const { csrf } = await client.signInForm();
      const res = await client.postForm('/sign-in', { csrf, next, token: TOKEN });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/integrations', next);
    }
  });

  it('rate-limits failed sign-ins: after 10 failures even the right token gets 429 with Retry-After', async () => {
    const limited = await start();
    const client = new ConsoleClient(limited.url);
    for (let i = 0; i < 10; i++) {
      const { csrf } = await client.signInForm();
      assert.equal((await client.postForm('/sign-in', { csrf, next: '/', token: `wrong-${i}-0123456789` })).status, 401);
    }
    const { csrf } = await client.signInForm();
    const res = await client.postForm('/sign-in', { csrf, next: '/', token: TOKEN });
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers.get('retry-after')) > 0);
    assert.match(await res.text(), /Too many failed sign-ins/);
    assert.ok(!client.cookies.has('dynopulse_session'));
  });

  it('requires the CSRF token for state-changing /api calls made with the session cookie', async () => {
    const client = new ConsoleClient(api.url);
    await client.signIn(TOKEN);
    const csrf = await client.pageCsrf();
    const post = (headers: Record<string, string>) => client.request('/api/no-such-route', { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: '{}' });

    const missing = await post({});
    assert.equal(missing.status, 403);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'csrf_failed');
    assert.equal((await post({ 'X-CSRF-Token': `${csrf}x` })).status, 403);
    assert.equal((await post({ 'X-CSRF-Token': csrf, Origin: 'https://evil.example' })).status, 403);
    assert.equal((await post({ 'X-CSRF-Token': csrf })).status, 404, 'authenticated and CSRF-checked: on to the (unknown) route');
    assert.equal((await post({ 'X-CSRF-Token': csrf, Origin: api.url })).status, 404, 'same origin is fine');
  });

  it('keeps the bearer path as it was: a request with an Authorization header is judged by the bearer token alone', async () => {
    const client = new ConsoleClient(api.url);
    await client.signIn(TOKEN);
    const res = await client.request('/api/no-such-route', { headers: { Authorization: 'Bearer wrong-token-0123456789' } });
    assert.equal(res.status, 401);
    const bearer = await fetch(`${api.url}/api/no-such-route`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(bearer.status, 404, 'no CSRF token needed with the bearer token');
  });

  it('signs out: the session ends on the server (the old cookie no longer opens /api), and sign-out itself needs the CSRF token', async () => {
    const client = new ConsoleClient(api.url);
    await client.signIn(TOKEN);
    const cookie = client.cookies.get('dynopulse_session') as string;
    const csrf = await client.pageCsrf();

    const forged = await client.postForm('/sign-out', { csrf: 'forged' });
    assert.equal(forged.status, 403);
    assert.equal((await client.request('/api/no-such-route')).status, 404, 'still signed in');

    const res = await client.postForm('/sign-out', { csrf });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/sign-in');
    assert.ok(!client.cookies.has('dynopulse_session'), 'cookie cleared');
    const replay = await fetch(`${api.url}/api/no-such-route`, { headers: { Cookie: `dynopulse_session=${cookie}` } });
    assert.equal(replay.status, 401, 'the old cookie is dead');
  });

  it('ends sessions when they expire and when the admin token changes', async () => {
    const client = new ConsoleClient(api.url);
    await client.signIn(TOKEN);
    assert.equal((await client.request('/api/no-such-route')).status, 404);

    const rotated = await serve(createApi({ db: h.db, temporal: h.temporal, box: h.box, logger: h.logger, config: loadConfig({ ADMIN_API_TOKEN: `${TOKEN}-rotated` }) }));
    servers.push(rotated);
    const cookie = `dynopulse_session=${client.cookies.get('dynopulse_session')}`;
    assert.equal((await fetch(`${rotated.url}/api/no-such-route`, { headers: { Cookie: cookie } })).status, 401, 'opened under the old admin token');

    await h.db('console_sessions').where({ id: sessionIdOf(client.cookies.get('dynopulse_session') as string) }).update({ expires_at: new Date(Date.now() - 1000) });
    assert.equal((await client.request('/api/no-such-route')).status, 401, 'expired');
    const page = await client.request('/integrations');
    assert.equal(page.status, 302);
  });

  it('serves signed-in pages with a strict CSP, no caching, and the CSRF token; never a page for an unknown section', async () => {
    const client = new ConsoleClient(api.url);
    await client.signIn(TOKEN);
    const res = await client.request('/command-runs/run-1');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-security-policy'), CONSOLE_CSP);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const html = await res.text();
    assert.match(html, /data-page="command-run" data-id="run-1"/);
    assert.ok(!/<script>|style=/.test(html), 'no inline script or style');
    assert.equal((await client.request('/sandbox')).status, 404, 'no sandbox page outside sandbox mode');
    assert.equal((await client.request('/integrations/%3Cscript%3E')).status, 404);
  });

  it('serves the static assets with a content type and an ETag (304 when unchanged)', async () => {
    const client = new ConsoleClient(api.url);
    const js = await client.request('/assets/js/main.js');
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    const etag = js.headers.get('etag') as string;
    assert.ok(etag);
    assert.equal((await client.request('/assets/js/main.js', { headers: { 'If-None-Match': etag } })).status, 304);
    assert.equal((await client.request('/assets/console.css')).headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal((await client.request('/assets/../package.json')).status, 404);
  });

  it('stays closed without ADMIN_API_TOKEN: the sign-in page says so and a sign-in post answers 503', async () => {
    const closed = await serve(createApi({ db: h.db, temporal: h.temporal, box: h.box, logger: h.logger, config: loadConfig({}) }));
    servers.push(closed);
    const client = new ConsoleClient(closed.url);
    const page = await client.request('/sign-in');
    assert.match(await page.text(), /The console is disabled: set ADMIN_API_TOKEN/);
    const res = await client.postForm('/sign-in', { csrf: 'x', next: '/', token: 'anything-at-all-1234' });
    assert.equal(res.status, 503);
    assert.equal((await client.request('/integrations')).status, 302);
  });
});
