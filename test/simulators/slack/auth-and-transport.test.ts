import { describe, it, before, after, beforeEach } from 'mocha';
import assert from 'node:assert/strict';
import { WebAPIHTTPError, WebAPIPlatformError, type WebClient } from '@slack/web-api';
import { REDACTED, SlackSimulator } from './index';
import { postForm, rawRequest, rejectionOf, sdkClient } from './test-support';

function platformErrorCode(error: unknown): string {
  assert.ok(error instanceof WebAPIPlatformError, `expected WebAPIPlatformError, got ${String(error)}`);
  return error.data.error;
}

describe('Slack simulator: authentication and request formats', () => {
  let sim: SlackSimulator;
  let client: WebClient;

  before(async () => {
    sim = await SlackSimulator.start({ channels: [{ id: 'C1', name: 'ops', isMember: true }] });
    client = sdkClient(sim);
  });

  after(() => sim.close());

  beforeEach(() => sim.resetCalls());

  it('serves the Web API under http://127.0.0.1:<port>/api/', () => {
    assert.match(sim.apiUrl, /^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it('answers auth.test with the bot identity', async () => {
    const res = await client.auth.test();
    assert.equal(res.ok, true);
    assert.equal(res.team_id, sim.identity.teamId);
    assert.equal(res.user_id, sim.identity.userId);
    assert.equal(res.bot_id, sim.identity.botId);
    assert.equal(res.url, sim.identity.url);
    assert.equal(res.team, sim.identity.team);
    assert.equal(res.user, sim.identity.user);
  });

  it('answers invalid_auth for an unknown token and not_authed for none', async () => {
    assert.equal(platformErrorCode(await rejectionOf(() => sdkClient(sim, 'xoxb-wrong').auth.test())), 'invalid_auth');
    assert.equal(platformErrorCode(await rejectionOf(() => sdkClient(sim, null).auth.test())), 'not_authed');
    assert.deepEqual(sim.calls.map((call) => [call.status, call.error, call.tokenSource]), [
      [200, 'invalid_auth', 'header'],
      [200, 'not_authed', 'none'],
    ]);
  });

  it('accepts the token as a form field, and redacts it in the call log', async () => {
    const reply = await postForm(sim, 'chat.postMessage', { token: sim.botToken, channel: 'C1', text: 'form token' }, null);
    assert.equal(reply.json?.ok, true);
    const [call] = sim.calls;
    assert.equal(call?.tokenSource, 'form');
    assert.equal(call?.args.token, REDACTED);
    assert.ok(!JSON.stringify(sim.calls).includes(sim.botToken));
  });

  it('accepts a JSON body with the token in the Authorization header, warning missing_charset without a charset', async () => {
    const send = (contentType: string) =>
      rawRequest(`${sim.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { 'Content-Type': contentType, Authorization: `Bearer ${sim.botToken}` },
        body: JSON.stringify({ channel: 'C1', text: 'json' }),
      });
    const withCharset = await send('application/json; charset=utf-8');
    assert.equal(withCharset.json?.ok, true);
    assert.equal(withCharset.json?.warning, undefined);
    const withoutCharset = await send('application/json');
    assert.equal(withoutCharset.json?.ok, true);
    assert.equal(withoutCharset.json?.warning, 'missing_charset');
    assert.deepEqual(withoutCharset.json?.response_metadata, { warnings: ['missing_charset'] });
  });

  it('warns superfluous_charset for a form body that declares a charset', async () => {
    const reply = await rawRequest(`${sim.apiUrl}auth.test`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', Authorization: `Bearer ${sim.botToken}` },
      body: 'a=b',
    });
    assert.equal(reply.json?.ok, true);
    assert.equal(reply.json?.warning, 'superfluous_charset');
  });

  it('ignores a token inside a JSON body: JSON needs the Authorization header', async () => {
    const reply = await rawRequest(`${sim.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ token: sim.botToken, channel: 'C1', text: 'json' }),
    });
    assert.deepEqual(reply.json, { ok: false, error: 'not_authed' });
  });

  it('accepts GET with query arguments and the header token, but not a token in the query string', async () => {
    const headerToken = await rawRequest(`${sim.apiUrl}conversations.list?limit=10`, { headers: { Authorization: `Bearer ${sim.botToken}` } });
    assert.equal(headerToken.json?.ok, true);
    const queryToken = await rawRequest(`${sim.apiUrl}auth.test?token=${encodeURIComponent(sim.botToken)}`);
    assert.equal(queryToken.json?.error, 'not_authed');
  });

  it('reports malformed bodies with Slack request-format errors', async () => {
    const post = (headers: Record<string, string>, body: string) =>
      rawRequest(`${sim.apiUrl}auth.test`, { method: 'POST', headers: { Authorization: `Bearer ${sim.botToken}`, ...headers }, body });
    assert.equal((await post({ 'Content-Type': 'application/json; charset=utf-8' }, '{nope')).json?.error, 'invalid_json');
    assert.equal((await post({ 'Content-Type': 'application/json; charset=utf-8' }, '[1,2]')).json?.error, 'json_not_object');
    assert.equal((await post({ 'Content-Type': 'application/xml' }, '<a/>')).json?.error, 'invalid_post_type');
    assert.equal((await post({ 'Content-Type': 'application/x-www-form-urlencoded; charset=koi8-r' }, 'a=b')).json?.error, 'invalid_charset');
    assert.equal((await post({ 'Content-Type': 'multipart/form-data; boundary=x' }, 'garbage')).json?.error, 'invalid_form_data');
  });

  it('answers every API reply as application/json, platform errors with HTTP 200', async () => {
    const reply = await postForm(sim, 'chat.postMessage', { channel: 'C404', text: 'x' });
    assert.equal(reply.status, 200);
    assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(reply.json, { ok: false, error: 'channel_not_found' });
  });

  it('answers an unknown method with HTTP 404 unknown_method, which the SDK reports as WebAPIHTTPError', async () => {
    const raw = await postForm(sim, 'chat.postMessag', { channel: 'C1', text: 'x' });
    assert.equal(raw.status, 404);
    assert.deepEqual(raw.json, { ok: false, error: 'unknown_method', req_method: 'chat.postMessag' });
    const error = await rejectionOf(() => client.apiCall('files.upload.v3', {}));
    assert.ok(error instanceof WebAPIHTTPError);
    assert.equal(error.statusCode, 404);
  });

  it('records every call with method, arguments, status and outcome', async () => {
    await client.chat.postMessage({ channel: 'C1', text: 'logged' });
    const [call] = sim.calls;
    assert.equal(call?.method, 'chat.postMessage');
    assert.equal(call?.httpMethod, 'POST');
    assert.equal(call?.contentType, 'application/x-www-form-urlencoded');
    assert.equal(call?.args.channel, 'C1');
    assert.equal(call?.args.text, 'logged');
    assert.equal(call?.status, 200);
    assert.equal(call?.ok, true);
    sim.resetCalls();
    assert.equal(sim.calls.length, 0);
  });
});
