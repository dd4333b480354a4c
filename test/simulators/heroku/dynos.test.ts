import { describe, it, before, after, beforeEach } from 'mocha';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import type { HerokuSimulator } from './index';
import { arr, callApi, obj, startSimulator, WebhookReceiver } from './test-support';

/** Attaches like the Heroku CLI (heroku.md §7): TLS with normal verification, secret + CRLF, read to close. */
function attach(attachUrl: string): Promise<string> {
  const url = new URL(attachUrl);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: url.hostname, port: Number(url.port), servername: url.hostname }, () => {
      socket.write(`${url.pathname.slice(1)}${url.search}\r\n`);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

describe('Heroku simulator: one-off dynos', () => {
  let sim: HerokuSimulator;
  let token: string;

  before(async () => {
    sim = await startSimulator();
    const owner = sim.createAccount({ email: 'owner@example.com' });
    sim.createApp({ name: 'dyno-app', owner: owner.id, configVars: { GREETING: 'hello from config' } });
    token = sim.authorize(owner.id).accessToken;
  });
  after(() => sim.close());
  beforeEach(() => sim.faults.clear());

  describe('POST /apps/{app}/dynos validation', () => {
    for (const [name, body, field] of [
      ['without command', { attach: true }, 'command'],
      ['with a numeric command', { command: 42 }, 'command'],
      ['with an unknown size', { command: 'ls', size: 'huge-9X' }, 'size'],
      ['with time_to_live over 86400', { command: 'ls', time_to_live: 86_401 }, 'time_to_live'],
      ['with time_to_live 0', { command: 'ls', time_to_live: 0 }, 'time_to_live'],
      ['with a string time_to_live', { command: 'ls', time_to_live: '60' }, 'time_to_live'],
      ['with a non-boolean attach', { command: 'ls', attach: 'yes' }, 'attach'],
      ['with an env key that is not \\w+', { command: 'ls', env: { 'BAD-KEY': 'x' } }, 'env'],
      ['with a non-string env value', { command: 'ls', env: { COLUMNS: 80 } }, 'env'],
    ] as const) {
      it(`answers 422 invalid_params naming the field for a dyno ${name}`, async () => {
        const res = await callApi(sim, 'POST', '/apps/dyno-app/dynos', { token, body });
        assert.equal(res.status, 422);
        assert.equal(obj(res.json)['id'], 'invalid_params');
        assert.match(String(obj(res.json)['message']), new RegExp(field));
      });
    }

    it('accepts the size case-insensitively and reports it as Heroku does', async () => {
      const res = await callApi(sim, 'POST', '/apps/dyno-app/dynos', { token, body: { command: 'true', size: 'standard-2x', attach: false, time_to_live: 60 } });
      assert.equal(res.status, 201);
      assert.equal(obj(res.json)['size'], 'Standard-2X');
      assert.equal(obj(res.json)['attach_url'], null);
    });

    it('answers an injected 409 and succeeds on the retry, as the CLI expects', async () => {
      sim.faults.add({ method: 'POST', path: /^\/apps\/[^/]+\/dynos$/, status: 409, times: 1 });
      const first = await callApi(sim, 'POST', '/apps/dyno-app/dynos', { token, body: { command: 'true' } });
      assert.equal(first.status, 409);
      assert.equal(obj(first.json)['message'], "release isn't found yet");
      const retry = await callApi(sim, 'POST', '/apps/dyno-app/dynos', { token, body: { command: 'true' } });
      assert.equal(retry.status, 201);
    });
  });

  it('creates an attached dyno whose output streams over Rendezvous, then the dyno is gone', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      await callApi(sim, 'POST', '/apps/dyno-app/webhooks', { token, body: { url: receiver.url, include: ['api:dyno'], level: 'sync' } });
      const res = await callApi(sim, 'POST', '/apps/dyno-app/dynos', {
        token,
        body: { command: 'echo "$GREETING $EXTRA"', attach: true, force_no_tty: true, size: 'Standard-1X', time_to_live: 1800, env: { EXTRA: 'and env' } },
      });
      assert.equal(res.status, 201);
      const dyno = obj(res.json);
      assert.match(String(dyno['name']), /^run\.\d{4}$/);
      assert.equal(dyno['state'], 'starting');
      assert.equal(dyno['type'], 'run');
      assert.deepEqual(obj(dyno['release'])['version'], 2);
      const attachUrl = String(dyno['attach_url']);
      assert.match(attachUrl, /^rendezvous:\/\/localhost:\d+\/\S+$/);

      const output = await attach(attachUrl);
      assert.equal(output, 'rendezvous\r\nhello from config and env\n');
      const session = sim.dynos('dyno-app').find((s) => s.spec.dynoId === dyno['id']);
      await session?.ended;
      assert.equal(session?.exitCode, 0);
      const gone = await callApi(sim, 'GET', `/apps/dyno-app/dynos/${String(dyno['id'])}`, { token });
      assert.equal(gone.status, 404);

      await sim.waitForDeliveriesSettled();
      const [event] = receiver.bodies();
      assert.equal(event?.['resource'], 'dyno');
      assert.equal(event?.['action'], 'create');
      assert.equal(obj(event?.['data'])['id'], dyno['id']);
      assert.equal(obj(event?.['data'])['attach_url'], null);
    } finally {
      for (const w of sim.webhooksOf('dyno-app')) await callApi(sim, 'DELETE', `/apps/dyno-app/webhooks/${w.id}`, { token });
      await receiver.close();
    }
  });

  it('shows a running dyno by id and name and in the list, and stops it with actions/stop', async () => {
    const created = obj((await callApi(sim, 'POST', '/apps/dyno-app/dynos', { token, body: { command: 'sleep 600', attach: false } })).json);
    const byName = await callApi(sim, 'GET', `/apps/dyno-app/dynos/${String(created['name'])}`, { token });
    assert.equal(byName.status, 200);
    assert.equal(obj(byName.json)['state'], 'up');
    const list = await callApi(sim, 'GET', '/apps/dyno-app/dynos', { token });
    assert.ok(arr(list.json).some((d) => d['id'] === created['id']));

    const stop = await callApi(sim, 'POST', `/apps/dyno-app/dynos/${String(created['id'])}/actions/stop`, { token });
    assert.equal(stop.status, 202);
    assert.deepEqual(stop.json, {});
    const session = sim.dynos('dyno-app').find((s) => s.spec.dynoId === created['id']);
    await session?.ended;
    assert.equal(session?.endReason, 'stopped');
    assert.equal((await callApi(sim, 'GET', `/apps/dyno-app/dynos/${String(created['name'])}`, { token })).status, 404);
    assert.equal((await callApi(sim, 'POST', `/apps/dyno-app/dynos/${String(created['id'])}/actions/stop`, { token })).status, 404);
  });

  it('refuses to create a dyno with a token lacking a protected scope', async () => {
    const owner = sim.app('dyno-app').ownerId;
    const writeOnly = sim.authorize(owner, { scope: ['write'] }).accessToken;
    const res = await callApi(sim, 'POST', '/apps/dyno-app/dynos', { token: writeOnly, body: { command: 'true' } });
    assert.equal(res.status, 403);
  });
});
