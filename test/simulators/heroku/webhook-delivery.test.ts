import { describe, it, before, after, beforeEach, afterEach } from 'mocha';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { signWebhookBody, type HerokuSimulator } from './index';
import { callApi, obj, startSimulator, WebhookReceiver } from './test-support';

/** What a correct receiver does (heroku.md §4.2): HMAC over the raw bytes, constant-time compare. */
function verify(secret: string, raw: Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = createHmac('sha256', secret).update(raw).digest();
  const given = Buffer.from(header, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('Heroku simulator: webhook deliveries', () => {
  let sim: HerokuSimulator;
  let token: string;
  let receiver: WebhookReceiver;

  before(async () => {
    sim = await startSimulator({ webhookRetry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 40 } });
    const account = sim.createAccount({ email: 'owner@example.com' });
    sim.createApp({ name: 'sender-app', owner: account.id });
    token = sim.authorize(account.id).accessToken;
  });
  after(() => sim.close());

  beforeEach(async () => {
    receiver = await WebhookReceiver.start();
  });
  afterEach(async () => {
    for (const w of sim.webhooksOf('sender-app')) await callApi(sim, 'DELETE', `/apps/sender-app/webhooks/${w.id}`, { token });
    await receiver.close();
  });

  async function subscribe(level: 'sync' | 'notify', extra: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> {
    const res = await callApi(sim, 'POST', '/apps/sender-app/webhooks', { token, body: { url: receiver.url, include: ['api:app'], level, ...extra } });
    assert.equal(res.status, 201);
    const id = String(obj(res.json)['id']);
    return { id, secret: res.headers.get('heroku-webhook-secret') ?? String(extra['secret']) };
  }

  it('signs the raw body: base64 HMAC-SHA256, 44 chars, verifiable with crypto', async () => {
    const { id, secret } = await subscribe('sync');
    const event = sim.emitEvent('sender-app', 'api:app', 'update', { name: 'sender-app', maintenance: false });
    await sim.waitForDeliveriesSettled();
    const [request] = receiver.requests;
    assert.ok(request);
    const signature = request.headers['heroku-webhook-hmac-sha256'];
    assert.equal(typeof signature, 'string');
    assert.match(String(signature), /^[A-Za-z0-9+/]{43}=$/);
    assert.equal(verify(secret, request.raw, String(signature)), true);
    assert.equal(request.headers['content-type'], 'application/json');

    const body = obj(JSON.parse(request.raw.toString('utf8')));
    assert.deepEqual(Object.keys(body), [
      'id', 'data', 'actor', 'action', 'version', 'resource', 'sequence', 'created_at', 'updated_at', 'published_at', 'previous_data', 'webhook_metadata',
    ]);
    assert.equal(body['id'], event.id);
    assert.equal(body['resource'], 'app');
    assert.equal(body['version'], 'application/vnd.heroku+json; version=3');
    assert.equal(body['sequence'], null);
    assert.deepEqual(body['previous_data'], {});
    const meta = obj(body['webhook_metadata']);
    assert.deepEqual(obj(meta['event']), { id: event.id, include: 'api:app' });
    assert.deepEqual(obj(meta['webhook']), { id });
    assert.equal(obj(meta['delivery'])['id'], sim.deliveries.find((d) => d.eventId === event.id)?.id);
  });

  it('does not verify over re-serialised JSON: the sent bytes are not what JSON.stringify produces', async () => {
    const { secret } = await subscribe('sync');
    sim.emitEvent('sender-app', 'api:app', 'update', { name: 'sender-app' });
    await sim.waitForDeliveriesSettled();
    const [request] = receiver.requests;
    assert.ok(request);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(request.raw.toString('utf8'))));
    assert.notDeepEqual(reserialised, request.raw);
    assert.equal(verify(secret, reserialised, String(request.headers['heroku-webhook-hmac-sha256'])), false);
    assert.equal(verify(secret, request.raw, String(request.headers['heroku-webhook-hmac-sha256'])), true);
  });

  it('retries a sync delivery until the receiver answers 2xx, keeping event and delivery ids', async () => {
    await subscribe('sync');
    receiver.respond = (_req, index) => (index < 2 ? 503 : 204);
    const event = sim.emitEvent('sender-app', 'api:app', 'update', { name: 'sender-app' });
    await sim.waitForDeliveriesSettled();
    assert.equal(receiver.requests.length, 3);
    const metas = receiver.bodies().map((b) => obj(b['webhook_metadata']));
    assert.deepEqual(receiver.bodies().map((b) => b['id']), [event.id, event.id, event.id]);
    assert.equal(new Set(metas.map((m) => obj(m['delivery'])['id'])).size, 1);
    assert.equal(new Set(metas.map((m) => obj(m['attempt'])['id'])).size, 3);
    const delivery = sim.deliveries.find((d) => d.eventId === event.id);
    assert.equal(delivery?.status, 'succeeded');
    assert.equal(delivery?.numAttempts, 3);
    assert.deepEqual(delivery?.attempts.map((a) => a.responseStatus), [503, 503, 204]);
  });

  it('gives up a sync delivery after maxAttempts and marks it failed', async () => {
    await subscribe('sync');
    receiver.respond = () => 500;
    const event = sim.emitEvent('sender-app', 'api:app', 'update', {});
    await sim.waitForDeliveriesSettled();
    assert.equal(receiver.requests.length, 4);
    assert.equal(sim.deliveries.find((d) => d.eventId === event.id)?.status, 'failed');
  });

  it('sends a notify delivery once, even when it fails', async () => {
    await subscribe('notify');
    receiver.respond = () => 500;
    const event = sim.emitEvent('sender-app', 'api:app', 'update', {});
    await sim.waitForDeliveriesSettled();
    assert.equal(receiver.requests.length, 1);
    const delivery = sim.deliveries.find((d) => d.eventId === event.id);
    assert.equal(delivery?.status, 'failed');
    assert.equal(delivery?.numAttempts, 1);
  });

  it('retries a sync delivery after a connection error', async () => {
    const closed = await WebhookReceiver.start();
    const deadUrl = closed.url;
    await closed.close();
    await subscribe('sync', { url: deadUrl });
    const event = sim.emitEvent('sender-app', 'api:app', 'update', {});
    await sim.waitForDeliveriesSettled();
    const delivery = sim.deliveries.find((d) => d.eventId === event.id);
    assert.equal(delivery?.status, 'failed');
    assert.equal(delivery?.numAttempts, 4);
    assert.equal(delivery?.attempts[0]?.error, 'ECONNREFUSED');
  });

  it('sends the subscription Authorization value verbatim', async () => {
    await subscribe('sync', { authorization: 'Bearer receiver-token', secret: 'given' });
    sim.emitEvent('sender-app', 'api:app', 'update', {});
    await sim.waitForDeliveriesSettled();
    assert.equal(receiver.requests[0]?.headers['authorization'], 'Bearer receiver-token');
    assert.equal(verify('given', receiver.requests[0]?.raw ?? Buffer.alloc(0), String(receiver.requests[0]?.headers['heroku-webhook-hmac-sha256'])), true);
  });

  it('only delivers events whose entity the subscription includes', async () => {
    await subscribe('sync');
    sim.emitEvent('sender-app', 'api:release', 'update', {});
    sim.emitEvent('sender-app', 'api:app', 'update', {});
    await sim.waitForDeliveriesSettled();
    assert.deepEqual(receiver.bodies().map((b) => b['resource']), ['app']);
  });

  it('forges the signature of the next deliveries on request', async () => {
    const { secret } = await subscribe('notify');
    sim.forgeNextDeliveries(1);
    sim.emitEvent('sender-app', 'api:app', 'update', {});
    sim.emitEvent('sender-app', 'api:app', 'update', {});
    await sim.waitForDeliveriesSettled();
    const results = receiver.requests.map((r) => verify(secret, r.raw, String(r.headers['heroku-webhook-hmac-sha256'])));
    assert.deepEqual(results, [false, true]);
  });

  it('duplicates the next deliveries byte for byte on request', async () => {
    await subscribe('notify');
    sim.duplicateNextDeliveries(1);
    sim.emitEvent('sender-app', 'api:app', 'update', {});
    await sim.waitForDeliveriesSettled();
    assert.equal(receiver.requests.length, 2);
    assert.deepEqual(receiver.requests[0]?.raw, receiver.requests[1]?.raw);
    assert.equal(receiver.requests[0]?.headers['heroku-webhook-hmac-sha256'], receiver.requests[1]?.headers['heroku-webhook-hmac-sha256']);
  });

  it('applies a PATCHed secret to later attempts', async () => {
    const { id } = await subscribe('sync');
    await callApi(sim, 'PATCH', `/apps/sender-app/webhooks/${id}`, { token, body: { secret: 'rotated-secret' } });
    sim.emitEvent('sender-app', 'api:app', 'update', {});
    await sim.waitForDeliveriesSettled();
    assert.equal(verify('rotated-secret', receiver.requests[0]?.raw ?? Buffer.alloc(0), String(receiver.requests[0]?.headers['heroku-webhook-hmac-sha256'])), true);
  });

  it('sendSigned posts exact bytes with a valid signature', async () => {
    const raw = '{ "id" : "x",\n  "action":"update" }';
    const result = await sim.sendSigned(receiver.url, 'k', raw, { 'X-Extra': '1' });
    assert.equal(result.status, 204);
    const [request] = receiver.requests;
    assert.equal(request?.raw.toString('utf8'), raw);
    assert.equal(request?.headers['x-extra'], '1');
    assert.equal(verify('k', request?.raw ?? Buffer.alloc(0), String(request?.headers['heroku-webhook-hmac-sha256'])), true);
  });
});

describe('signWebhookBody', () => {
  it('is base64 HMAC-SHA256 with padding over the given bytes', () => {
    const signature = signWebhookBody('secret', '{"a": 1}');
    assert.equal(signature, createHmac('sha256', 'secret').update('{"a": 1}').digest('base64'));
    assert.equal(signature.length, 44);
    assert.equal(signWebhookBody('secret', Buffer.from('{"a": 1}')), signature);
    assert.notEqual(signWebhookBody('secret', '{"a":1}'), signature);
  });
});
