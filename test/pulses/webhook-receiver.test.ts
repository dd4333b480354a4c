import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'mocha';
import { webhookSecretAad } from '../../src/crypto/aad';
import { signWebhookBody } from '../simulators/heroku';
import { connectIntegration, type ConnectedIntegration } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import { assertAllAccepted, freshEventFrom, rawBodyOf, storedCounts, uniqueName, webhookUrl } from './support';

interface Answer {
  status: number;
  body: { error?: { code: string; message: string }; eventId?: string; duplicate?: boolean };
}

describe('Heroku webhook receiver: what it rejects (and stores nothing for)', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  let app: string;
  let secret: string;
  let url: string;
  /** A delivered build event: fresh copies of it are realistic, never-seen events. */
  let template: Buffer;
  let stored: { events: number; pulses: number };

  before(async () => {
    stack = await startStack();
    app = uniqueName('recv');
    integration = await connectIntegration(stack, { apps: [app] });
    secret = integration.webhooks.get(app)?.secret ?? '';
    url = webhookUrl(stack, integration.integrationId);
    const deploy = await stack.heroku.deploy(app, { fail: true });
    await stack.heroku.waitForDeliveriesSettled();
    assertAllAccepted(stack.heroku, deploy.eventIds);
    template = rawBodyOf(stack.heroku, deploy.eventIds[0] ?? '');
  });
  after(async () => {
    await stack.close();
  });
  beforeEach(async () => {
    stored = await storedCounts(stack.h.db, integration.integrationId);
  });

  async function post(target: string, body: string | Buffer, headers: Record<string, string>): Promise<Answer> {
    const res = await fetch(target, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Answer['body']) : {} };
  }

  /** A never-seen event (new event id and build id) with the content of the template, optionally changed. */
  const fresh = (change: (body: Record<string, unknown>) => void = () => undefined) =>
    freshEventFrom(template, (b) => {
      (b['data'] as Record<string, unknown>)['id'] = randomUUID();
      change(b);
    });

  /** Signed correctly over exactly these bytes. */
  const signed = (raw: string) => post(url, raw, { 'heroku-webhook-hmac-sha256': signWebhookBody(secret, raw) });

  async function assertRejected(answer: Answer, status: number, code: string): Promise<void> {
    assert.equal(answer.status, status, JSON.stringify(answer.body));
    assert.equal(answer.body.error?.code, code);
    assert.deepEqual(await storedCounts(stack.h.db, integration.integrationId), stored, 'nothing was stored');
  }

  it('accepts a fresh, correctly signed event (the control for every case below)', async () => {
    const answer = await signed(JSON.stringify(fresh()));
    assert.equal(answer.status, 200);
    assert.equal(answer.body.duplicate, false);
    assert.deepEqual(await storedCounts(stack.h.db, integration.integrationId), { events: stored.events + 1, pulses: stored.pulses + 1 });
  });

  it('401 for forged signatures; the correctly signed retry is stored once', async () => {
    stack.heroku.forgeNextDeliveries(2);
    const deploy = await stack.heroku.deploy(app, { fail: true });
    await stack.heroku.waitForDeliveriesSettled();
    const attempts = stack.heroku.deliveries.filter((d) => deploy.eventIds.includes(d.eventId)).flatMap((d) => d.attempts);
    const forged = attempts.filter((a) => a.forged);
    assert.equal(forged.length, 2);
    assert.ok(forged.every((a) => a.responseStatus === 401));
    assertAllAccepted(stack.heroku, deploy.eventIds);
    assert.deepEqual(await storedCounts(stack.h.db, integration.integrationId), { events: stored.events + 2, pulses: stored.pulses + 2 });
  });

  it('401 without a signature header', async () => {
    await assertRejected(await post(url, JSON.stringify(fresh()), {}), 401, 'invalid_signature');
  });

  it('401 for a signature made with another app’s secret or a malformed one', async () => {
    const raw = JSON.stringify(fresh());
    await assertRejected(await post(url, raw, { 'heroku-webhook-hmac-sha256': signWebhookBody('another-secret', raw) }), 401, 'invalid_signature');
    await assertRejected(await post(url, raw, { 'heroku-webhook-hmac-sha256': 'sha256=abc' }), 401, 'invalid_signature');
    const hex = signWebhookBody(secret, raw);
    await assertRejected(await post(url, raw, { 'heroku-webhook-hmac-sha256': Buffer.from(hex, 'base64').toString('hex') }), 401, 'invalid_signature');
  });

  it('401 for a signature computed over re-serialised JSON instead of the bytes sent', async () => {
    const body = fresh();
    // The simulator lays the bytes out with spaces; the signature covers JSON.stringify of the same value.
    const res = await stack.heroku.sendSigned(url, secret, body, { 'Heroku-Webhook-Hmac-SHA256': signWebhookBody(secret, JSON.stringify(body)) });
    assert.notEqual(res.status, 200);
    await assertRejected({ status: res.status ?? 0, body: JSON.parse(res.body) as Answer['body'] }, 401, 'invalid_signature');
    // The same value, signed over the bytes actually sent, is accepted: the difference is only what was signed.
    const ok = await stack.heroku.sendSigned(url, secret, body);
    assert.equal(ok.status, 200);
  });

  it('400 for a body that is not JSON (even when correctly signed)', async () => {
    await assertRejected(await signed('{"id": "abc", "data": '), 400, 'invalid_json');
  });

  it('415 for a body that is not sent as JSON', async () => {
    const raw = JSON.stringify(fresh());
    await assertRejected(await post(url, raw, { 'content-type': 'text/plain', 'heroku-webhook-hmac-sha256': signWebhookBody(secret, raw) }), 415, 'unsupported_media_type');
  });

  it('400 for JSON that is not a Heroku envelope', async () => {
    await assertRejected(await signed('{"hello": "world"}'), 400, 'invalid_envelope');
    await assertRejected(await signed('[]'), 400, 'invalid_envelope');
    const noApp = fresh((b) => delete (b['data'] as Record<string, unknown>)['app']);
    await assertRejected(await signed(JSON.stringify(noApp)), 400, 'invalid_envelope');
    const badTime = fresh((b) => ((b['data'] as Record<string, unknown>)['created_at'] = 'yesterday'));
    await assertRejected(await signed(JSON.stringify(badTime)), 400, 'invalid_envelope');
    const noMetadata = fresh((b) => delete b['webhook_metadata']);
    await assertRejected(await signed(JSON.stringify(noMetadata)), 400, 'invalid_envelope');
  });

  it('400 for JSON PostgreSQL cannot store (\\u0000), after the signature check', async () => {
    const body = JSON.stringify(fresh((b) => ((b['data'] as Record<string, unknown>)['note'] = 'a\u0000b')));
    assert.ok(body.includes('\\u0000'));
    await assertRejected(await signed(body), 400, 'invalid_envelope');
  });

  it('413 for a body over 1 MB', async () => {
    const big = JSON.stringify(fresh((b) => ((b['data'] as Record<string, unknown>)['padding'] = 'x'.repeat(1024 * 1024))));
    await assertRejected(await signed(big), 413, 'payload_too_large');
  });

  it('404 for an unknown integration (and for an id that is not one)', async () => {
    const raw = JSON.stringify(fresh());
    const sig = { 'heroku-webhook-hmac-sha256': signWebhookBody(secret, raw) };
    await assertRejected(await post(webhookUrl(stack, randomUUID()), raw, sig), 404, 'unknown_integration');
    await assertRejected(await post(webhookUrl(stack, 'not-an-id'), raw, sig), 404, 'unknown_integration');
  });

  it('404 for an app the integration does not monitor, including a case-mismatched app name', async () => {
    for (const other of ['some-other-app', app.toUpperCase(), `${app[0]?.toUpperCase()}${app.slice(1)}`]) {
      const body = fresh((b) => (((b['data'] as Record<string, unknown>)['app'] as Record<string, unknown>)['name'] = other));
      await assertRejected(await signed(JSON.stringify(body)), 404, 'app_not_monitored');
    }
  });

  it('404 for an app being removed from the list (desired=false), 410 once the integration is disconnected', async () => {
    const removed = uniqueName('gone');
    const other = await connectIntegration(stack, { apps: [removed] });
    const otherSecret = other.webhooks.get(removed)?.secret ?? '';
    const otherUrl = webhookUrl(stack, other.integrationId);
    const body = JSON.stringify(
      fresh((b) => (((b['data'] as Record<string, unknown>)['app'] as Record<string, unknown>)['name'] = removed)),
    );
    const send = () => post(otherUrl, body, { 'heroku-webhook-hmac-sha256': signWebhookBody(otherSecret, body) });

    await stack.h.db('integration_apps').where({ integration_id: other.integrationId }).update({ desired: false });
    let answer = await send();
    assert.equal(answer.status, 404);
    assert.equal(answer.body.error?.code, 'app_not_monitored');

    await stack.h.db('integration_apps').where({ integration_id: other.integrationId }).update({ desired: true });
    await stack.h.db('integrations').where({ id: other.integrationId }).update({ status: 'disconnected' });
    answer = await send();
    assert.equal(answer.status, 410);
    assert.equal(answer.body.error?.code, 'integration_disconnected');
    assert.deepEqual(await storedCounts(stack.h.db, other.integrationId), { events: 0, pulses: 0 });
  });

  it('changes made after deliveries were accepted apply to the very next delivery (rotated secret, removed app, disconnect)', async () => {
    const watched = uniqueName('live');
    const other = await connectIntegration(stack, { apps: [watched] });
    const otherUrl = webhookUrl(stack, other.integrationId);
    const oldSecret = other.webhooks.get(watched)?.secret ?? '';
    const body = () =>
      JSON.stringify(fresh((b) => (((b['data'] as Record<string, unknown>)['app'] as Record<string, unknown>)['name'] = watched)));
    const send = (withSecret: string) => {
      const raw = body();
      return post(otherUrl, raw, { 'heroku-webhook-hmac-sha256': signWebhookBody(withSecret, raw) });
    };
    assert.equal((await send(oldSecret)).status, 200);
    assert.equal((await send(oldSecret)).status, 200);

    // The secret is rotated (as an app-list sync would): the old one stops working at once.
    const newSecret = randomUUID();
    await stack.h.db('integration_apps')
      .where({ integration_id: other.integrationId, app_name: watched })
      .update({ webhook_secret_sealed: stack.h.box.seal(newSecret, webhookSecretAad(other.integrationId, watched)) });
    assert.equal((await send(oldSecret)).status, 401);
    assert.equal((await send(newSecret)).status, 200);

    await stack.h.db('integration_apps').where({ integration_id: other.integrationId }).update({ desired: false });
    assert.equal((await send(newSecret)).status, 404);
    await stack.h.db('integration_apps').where({ integration_id: other.integrationId }).update({ desired: true });
    assert.equal((await send(newSecret)).status, 200);
    await stack.h.db('integrations').where({ id: other.integrationId }).update({ status: 'disconnected' });
    assert.equal((await send(newSecret)).status, 410);
    assert.deepEqual(await storedCounts(stack.h.db, other.integrationId), { events: 4, pulses: 4 });
  });

  it('needs no admin token, and the admin token does not replace the signature', async () => {
    const raw = JSON.stringify(fresh());
    const answer = await post(url, raw, { authorization: `Bearer ${String(stack.env['ADMIN_API_TOKEN'])}` });
    await assertRejected(answer, 401, 'invalid_signature');
  });
});
