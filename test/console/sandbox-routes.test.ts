import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { startControlServer, type ControlServer } from '../../scripts/sandbox/control-server';
import { createApi } from '../../src/api/app';
import { loadConfig } from '../../src/config';
import { serve } from '../support/api-client';
import { harness } from '../support/harness';
import { HerokuSimulator } from '../simulators/heroku';
import { SlackSimulator } from '../simulators/slack';
import { ConsoleClient } from './console-client';

const TOKEN = 'sandbox-admin-token-0123456789';

describe('sandbox routes of the console (sandbox mode only)', () => {
  let heroku: HerokuSimulator;
  let slack: SlackSimulator;
  let control: ControlServer;
  let api: { url: string; close(): Promise<void> };
  let client: ConsoleClient;
  let csrf: string;

  before(async () => {
    const h = await harness();
    heroku = await HerokuSimulator.start();
    const account = heroku.createAccount({ email: 'demo@example.com' });
    heroku.createApp({ name: 'demo-web', owner: account.id });
    slack = await SlackSimulator.start({ channels: [{ id: 'C0OPS', name: 'ops', isMember: true }] });
    control = await startControlServer({ orgId: 'demo', accountEmail: account.email, appNames: ['demo-web'], heroku, slack });
    const config = loadConfig({
      ADMIN_API_TOKEN: TOKEN,
      DYNOPULSE_SANDBOX_URL: control.url,
      HEROKU_API_URL: heroku.apiUrl,
      HEROKU_ID_URL: heroku.idUrl,
      SLACK_API_URL: slack.apiUrl,
    });
    api = await serve(createApi({ config, db: h.db, temporal: h.temporal, box: h.box, logger: h.logger }));
    client = new ConsoleClient(api.url);
    await client.signIn(TOKEN);
    csrf = await client.pageCsrf('/sandbox');
  });
  after(async () => {
    await api.close();
    await control.close();
    await heroku.close();
    await slack.close();
  });

  const deploy = (app: string, body: unknown, headers: Record<string, string> = { 'X-CSRF-Token': csrf }) =>
    client.request(`/api/sandbox/apps/${app}/deploy`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('shows the sandbox page with its banner and navigation entry', async () => {
    const html = await (await client.request('/sandbox')).text();
    assert.match(html, /data-page="sandbox"/);
    assert.match(html, /class="sandbox-banner"/);
    assert.match(html, /<a href="\/sandbox" aria-current="page">Sandbox<\/a>/);
  });

  it('GET /api/sandbox describes the simulated world', async () => {
    const res = await client.request('/api/sandbox');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      orgId: 'demo',
      account: { email: 'demo@example.com' },
      apps: [{ name: 'demo-web', webhooks: 0 }],
      channels: [{ id: 'C0OPS', name: 'ops' }],
      files: [],
    });
  });

  it('simulates a deploy on the Heroku simulator (CSRF required)', async () => {
    assert.equal((await deploy('demo-web', {}, {})).status, 403);
    const res = await deploy('demo-web', {});
    assert.equal(res.status, 201);
    const summary = (await res.json()) as { appName: string; status: string; releaseVersion: number; commit: string };
    assert.equal(summary.appName, 'demo-web');
    assert.equal(summary.status, 'succeeded');
    assert.equal(summary.releaseVersion, 3, 'a fresh app is at v2; the first deploy is v3');
    assert.match(summary.commit, /^[0-9a-f]{40}$/);
    const failed = (await (await deploy('demo-web', { fail: true })).json()) as { status: string };
    assert.equal(failed.status, 'failed');
  });

  it('refuses bad input with a clear error and passes the simulator’s refusals through', async () => {
    const badName = await deploy('Demo_Web', {});
    assert.equal(badName.status, 400);
    const badBody = await deploy('demo-web', { fail: 'yes' });
    assert.equal(badBody.status, 400);
    assert.match(((await badBody.json()) as { error: { message: string } }).error.message, /fail/);
    const unknown = await deploy('no-such-app', {});
    assert.equal(unknown.status, 422);
    assert.match(((await unknown.json()) as { error: { message: string } }).error.message, /unknown app no-such-app/);
  });

  it('answers 502 with a clear message when the control server is gone', async () => {
    const gone = await startControlServer({ orgId: 'x', accountEmail: 'x@example.com', appNames: [], heroku, slack });
    await gone.close();
    const h = await harness();
    const config = loadConfig({ ADMIN_API_TOKEN: TOKEN, DYNOPULSE_SANDBOX_URL: gone.url, HEROKU_API_URL: heroku.apiUrl, HEROKU_ID_URL: heroku.idUrl, SLACK_API_URL: slack.apiUrl });
    const orphan = await serve(createApi({ config, db: h.db, temporal: h.temporal, box: h.box, logger: h.logger }));
    try {
      const res = await fetch(`${orphan.url}/api/sandbox`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      assert.equal(res.status, 502);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'sandbox_unavailable');
    } finally {
      await orphan.close();
    }
  });

  it('does not exist outside sandbox mode', async () => {
    const h = await harness();
    const plain = await serve(createApi({ config: loadConfig({ ADMIN_API_TOKEN: TOKEN }), db: h.db, temporal: h.temporal, box: h.box, logger: h.logger }));
    try {
      const res = await fetch(`${plain.url}/api/sandbox`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      assert.equal(res.status, 404);
    } finally {
      await plain.close();
    }
  });
});
