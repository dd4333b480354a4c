import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { apiCalls, assertOneRecordedWebhookPerApp, closeStatus, eventually, installThroughOAuth, ourWebhooksOn, waitForStatus } from '../integrations/support';
import { startFaultStack, type FaultStack } from './support/fault-stack';

const activeApps = async (stack: FaultStack, integrationId: string): Promise<number> => {
  const row = await stack.h.db('integration_apps').where({ integration_id: integrationId, status: 'active' }).count({ n: '*' }).first();
  return Number(row?.n);
};

describe('fault: the worker process is SIGKILLed during install', () => {
  let stack: FaultStack;
  before(async () => (stack = await startFaultStack('install-worker-killed', { heroku: { latencyMs: 100 } })));
  after(async () => stack?.close());

  it('twice, mid webhook sync of 20 apps: a third worker finishes; connected, exactly one webhook per app', async () => {
    const apps = Array.from({ length: 20 }, (_, i) => `kill-${String(i).padStart(2, '0')}`);
    // Heroku applies this create but answers late: the first worker dies while it is in flight.
    const inFlight = stack.heroku.faults.add({ method: 'POST', path: '/apps/kill-04/webhooks', delayMs: 4_000 });
    // A late app answered slowly too (twice: the first worker may already reach it), so that the
    // second worker is surely mid-sync when it dies.
    const lateInFlight = stack.heroku.faults.add({ method: 'POST', path: '/apps/kill-17/webhooks', delayMs: 4_000, times: 2 });
    const first = await stack.spawnWorker();
    const started = await installThroughOAuth(stack, { apps });

    await eventually(async () => assert.ok(inFlight.fired === 1, 'the slow create is in flight'), { what: 'the create of kill-04 to be in flight', timeoutMs: 90_000 });
    await first.kill();
    const afterFirstKill = await activeApps(stack, started.integrationId);
    const lateFiredByFirst = lateInFlight.fired;

    // The second worker picks the sync up, makes progress, and dies with kill-17's create in flight.
    const second = await stack.spawnWorker();
    await eventually(
      async () => {
        const active = await activeApps(stack, started.integrationId);
        assert.ok(active > afterFirstKill && lateInFlight.fired > lateFiredByFirst, `active=${active} lateFired=${lateInFlight.fired}`);
      },
      { what: 'the second worker to sync more apps and reach kill-17', timeoutMs: 120_000 },
    );
    await second.kill();
    const afterSecondKill = await activeApps(stack, started.integrationId);
    assert.ok(afterSecondKill < apps.length, `the second worker died before the sync finished (${afterSecondKill} active)`);

    await stack.spawnWorker();
    const view = await waitForStatus(stack, started.integrationId, 'connected', 180_000);
    assert.deepEqual(view.apps.filter((a) => a.status !== 'active'), []);
    await assertOneRecordedWebhookPerApp(stack, started.integrationId, apps);
    assert.equal(await closeStatus(stack, started.workflowId), 'COMPLETED');
    console.log(
      `      end state: ${view.status}; ${apps.length} apps, ${apps.map((a) => ourWebhooksOn(stack, a, started.integrationId).length).reduce((x, y) => x + y, 0)} webhooks;` +
        ` active after kill 1: ${afterFirstKill}, after kill 2: ${afterSecondKill}; webhook creates sent: ${apiCalls(stack, 'POST', /^\/apps\/[^/]+\/webhooks$/)}`,
    );
  });
});
