import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { startStack } from '../support/stack';
import { assertOneRecordedWebhookPerApp, closeStatus, eventually, installThroughOAuth, ourWebhooksOn, waitForStatus } from './support';

describe('Install resilience: rate limits and a crashed worker', () => {
  it('a 429 storm during the sync of 50 apps: backs off, retries, and ends with one webhook on every app', async function () {
    this.timeout(240_000);
    const stack = await startStack();
    try {
      const apps = Array.from({ length: 50 }, (_, i) => `storm-${String(i).padStart(2, '0')}`);
      // 429s carry RateLimit-Remaining: 0, so the client also slows down to the refill pace.
      const storm = stack.heroku.faults.add({ path: /^\/apps\/storm-\d+\/webhooks$/, status: 429, times: 40 });
      const started = await installThroughOAuth(stack, { apps });
      const view = await waitForStatus(stack, started.integrationId, 'connected', 200_000);
      assert.equal(storm.fired, 40, 'the storm hit the sync');
      assert.deepEqual(
        view.apps.filter((a) => a.status !== 'active'),
        [],
      );
      for (const app of apps) assert.equal(ourWebhooksOn(stack, app, started.integrationId).length, 1, app);
      assert.equal(await closeStatus(stack, started.workflowId), 'COMPLETED');
    } finally {
      await stack.close();
    }
  });

  it('a worker process killed mid-install: a new worker finishes it, connected, no duplicate webhook', async function () {
    this.timeout(240_000);
    const stack = await startStack({ inProcessWorker: false, heroku: { latencyMs: 100 } });
    try {
      const apps = Array.from({ length: 24 }, (_, i) => `crash-${String(i).padStart(2, '0')}`);
      // This create is answered late: the worker dies while it is in flight, and Heroku still
      // applies it (the response is lost). The next worker must find and reuse that webhook.
      const slow = stack.heroku.faults.add({ method: 'POST', path: '/apps/crash-05/webhooks', delayMs: 4_000 });
      const first = await stack.spawnWorker();
      const started = await installThroughOAuth(stack, { apps });
      await eventually(
        async () => {
          const active = await stack.h.db('integration_apps').where({ integration_id: started.integrationId, status: 'active' }).count({ n: '*' }).first();
          assert.ok(slow.fired === 1 && Number(active?.n) >= 8, `fired=${slow.fired} active=${active?.n}`);
        },
        { what: 'the install to be half-way', timeoutMs: 90_000 },
      );
      await first.kill();
      const atKill = await stack.h.db('integration_apps').where({ integration_id: started.integrationId, status: 'active' }).count({ n: '*' }).first();
      assert.ok(Number(atKill?.n) < apps.length, 'the worker died before the install finished');

      await stack.spawnWorker();
      const view = await waitForStatus(stack, started.integrationId, 'connected', 180_000);
      assert.deepEqual(view.apps.filter((a) => a.status !== 'active'), []);
      await assertOneRecordedWebhookPerApp(stack, started.integrationId, apps);
      assert.equal(await closeStatus(stack, started.workflowId), 'COMPLETED');
    } finally {
      await stack.close();
    }
  });
});
