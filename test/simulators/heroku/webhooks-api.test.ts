import { describe, it, before, after } from 'mocha';
import assert from 'node:assert/strict';
import type { HerokuSimulator } from './index';
import { arr, callApi, obj, startSimulator, WebhookReceiver } from './test-support';

describe('Heroku simulator: app webhook subscriptions API', () => {
  let sim: HerokuSimulator;
  let token: string;
  const valid = { url: 'https://hooks.example.com/heroku', include: ['api:build', 'api:release'], level: 'sync' };

  before(async () => {
    sim = await startSimulator();
    const account = sim.createAccount({ email: 'owner@example.com' });
    sim.createApp({ name: 'hooked-app', owner: account.id });
    token = sim.authorize(account.id).accessToken;
  });
  after(() => sim.close());

  it('creates a webhook with 201 and returns a generated secret once, in Heroku-Webhook-Secret', async () => {
    const res = await callApi(sim, 'POST', '/apps/hooked-app/webhooks', { token, body: valid });
    assert.equal(res.status, 201);
    const secret = res.headers.get('heroku-webhook-secret');
    assert.ok(secret && secret.length >= 32);
    const webhook = obj(res.json);
    assert.deepEqual(Object.keys(webhook).sort(), ['app', 'created_at', 'id', 'include', 'level', 'updated_at', 'url']);
    assert.equal(sim.webhooksOf('hooked-app').find((w) => w.id === webhook['id'])?.secret, secret);

    const info = await callApi(sim, 'GET', `/apps/hooked-app/webhooks/${String(webhook['id'])}`, { token });
    assert.equal(info.status, 200);
    assert.equal(info.headers.get('heroku-webhook-secret'), null);
    assert.equal(JSON.stringify(info.json).includes(secret), false);
    const list = await callApi(sim, 'GET', '/apps/hooked-app/webhooks', { token });
    assert.equal(JSON.stringify(list.json).includes(secret), false);
    assert.equal(list.headers.get('heroku-webhook-secret'), null);
  });

  it('uses a secret given by the client and does not echo it', async () => {
    const res = await callApi(sim, 'POST', '/apps/hooked-app/webhooks', {
      token,
      body: { ...valid, url: 'https://hooks.example.com/own-secret', secret: 'my-own-secret', authorization: 'Bearer abc' },
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('heroku-webhook-secret'), null);
    const stored = sim.webhooksOf('hooked-app').find((w) => w.id === obj(res.json)['id']);
    assert.equal(stored?.secret, 'my-own-secret');
    assert.equal(stored?.authorization, 'Bearer abc');
    assert.equal(JSON.stringify(res.json).includes('Bearer abc'), false);
  });

  for (const [name, body, field] of [
    ['without include', { url: valid.url, level: 'sync' }, 'include'],
    ['with an empty include', { ...valid, include: [] }, 'include'],
    ['with an unknown entity', { ...valid, include: ['api:bogus'] }, 'include'],
    ['without level', { url: valid.url, include: valid.include }, 'level'],
    ['with level "always"', { ...valid, level: 'always' }, 'level'],
    ['without url', { include: valid.include, level: 'sync' }, 'url'],
    ['with a url that is not one', { ...valid, url: 'not a url' }, 'url'],
    ['with a numeric secret', { ...valid, secret: 42 }, 'secret'],
  ] as const) {
    it(`answers 422 invalid_params naming the field for a webhook ${name}`, async () => {
      const res = await callApi(sim, 'POST', '/apps/hooked-app/webhooks', { token, body });
      assert.equal(res.status, 422);
      assert.equal(obj(res.json)['id'], 'invalid_params');
      assert.match(String(obj(res.json)['message']), new RegExp(field));
    });
  }

  it('updates with PATCH (rotating the secret) and deletes with 200 + the object, then 404', async () => {
    const created = obj((await callApi(sim, 'POST', '/apps/hooked-app/webhooks', { token, body: { ...valid, url: 'https://hooks.example.com/x' } })).json);
    const path = `/apps/hooked-app/webhooks/${String(created['id'])}`;
    const patched = await callApi(sim, 'PATCH', path, { token, body: { level: 'notify', include: ['api:dyno'], secret: 'rotated' } });
    assert.equal(patched.status, 200);
    assert.equal(obj(patched.json)['level'], 'notify');
    assert.deepEqual(obj(patched.json)['include'], ['api:dyno']);
    assert.equal(sim.webhooksOf('hooked-app').find((w) => w.id === created['id'])?.secret, 'rotated');
    const deleted = await callApi(sim, 'DELETE', path, { token });
    assert.equal(deleted.status, 200);
    assert.equal(obj(deleted.json)['id'], created['id']);
    const gone = await callApi(sim, 'GET', path, { token });
    assert.equal(gone.status, 404);
    assert.equal(obj(gone.json)['id'], 'not_found');
    assert.equal((await callApi(sim, 'DELETE', path, { token })).status, 404);
  });

  it('lists deliveries and events of an app, with ?eq[status]= filtering', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      // Only the receiver's subscription: the others point at hosts that do not exist here.
      for (const w of sim.webhooksOf('hooked-app')) await callApi(sim, 'DELETE', `/apps/hooked-app/webhooks/${w.id}`, { token });
      receiver.respond = (req) => (JSON.parse(req.raw.toString('utf8')) as { action: string }).action === 'create' ? 500 : 204;
      await callApi(sim, 'POST', '/apps/hooked-app/webhooks', { token, body: { url: receiver.url, include: ['api:build'], level: 'notify' } });
      const summary = await sim.deploy('hooked-app');
      await sim.waitForDeliveriesSettled();

      const deliveries = arr((await callApi(sim, 'GET', '/apps/hooked-app/webhook-deliveries', { token })).json);
      const ours = deliveries.filter((d) => obj(d['event'])['include'] === 'api:build');
      assert.equal(ours.length, 2);
      for (const d of ours) {
        assert.deepEqual(Object.keys(d).sort(), ['created_at', 'event', 'id', 'last_attempt', 'next_attempt_at', 'num_attempts', 'status', 'updated_at', 'webhook']);
      }
      const failed = arr((await callApi(sim, 'GET', '/apps/hooked-app/webhook-deliveries?eq[status]=failed', { token })).json);
      assert.equal(failed.length, 1);
      assert.equal(obj(failed[0]?.['last_attempt'])['code'], 500);
      assert.equal(obj(failed[0]?.['event'])['id'], summary.eventIds[0]);
      const one = await callApi(sim, 'GET', `/apps/hooked-app/webhook-deliveries/${String(failed[0]?.['id'])}`, { token });
      assert.equal(obj(one.json)['status'], 'failed');

      const event = await callApi(sim, 'GET', `/apps/hooked-app/webhook-events/${summary.eventIds[0] ?? ''}`, { token });
      assert.equal(event.status, 200);
      const payload = obj(obj(event.json)['payload']);
      assert.equal(payload['resource'], 'build');
      assert.equal(payload['action'], 'create');
      assert.equal(obj(payload['data'])['id'], summary.buildId);
      const events = arr((await callApi(sim, 'GET', '/apps/hooked-app/webhook-events', { token })).json);
      assert.ok(events.some((e) => e['id'] === summary.eventIds[1]));
    } finally {
      await receiver.close();
    }
  });
});
