import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import { FINAL, getOutput, getRun, postRun, waitFor } from '../command-runs/support';
import { closeStatus, installThroughOAuth, ourWebhooksOn, waitForStatus, type InstallStarted } from '../integrations/support';
import { startFaultStack, type FaultStack } from './support/fault-stack';
import { RUN_CHANNELS, postsPerChannel } from './support/run-fixtures';

describe('fault: Heroku answers 5xx, 429 and slowly during install and a command run', () => {
  let stack: FaultStack;
  let install: InstallStarted;
  const apps = Array.from({ length: 8 }, (_, i) => `flaky-${i}`);
  before(async () => {
    stack = await startFaultStack('heroku-faults', { slack: { channels: RUN_CHANNELS } });
    await stack.spawnWorker();
  });
  after(async () => stack?.close());

  /** Platform API calls Heroku answered, by method, path and status. */
  const calls = (method: string, path: RegExp, status?: number) =>
    stack.heroku.calls.filter((c) => c.host === 'api' && c.method === method && path.test(c.path) && (status === undefined || c.status === status)).length;

  it('install: every injected failure is retried; connected, one webhook per app, one successful create per app', async () => {
    const creates = /^\/apps\/flaky-\d\/webhooks$/;
    const faults = [
      stack.heroku.faults.add({ method: 'POST', path: /^\/apps\/flaky-[0-1]\/webhooks$/, status: 500, times: 2 }),
      stack.heroku.faults.add({ method: 'POST', path: /^\/apps\/flaky-[2-3]\/webhooks$/, status: 503, times: 2 }),
      stack.heroku.faults.add({ method: 'POST', path: /^\/apps\/flaky-[4-5]\/webhooks$/, status: 429, times: 2 }),
      stack.heroku.faults.add({ method: 'POST', path: /^\/apps\/flaky-[6-7]\/webhooks$/, delayMs: 1_500, times: 2 }),
    ];
    install = await installThroughOAuth(stack, { apps });
    const view = await waitForStatus(stack, install.integrationId, 'connected', 180_000);
    assert.equal(await closeStatus(stack, install.workflowId), 'COMPLETED');
    assert.deepEqual(
      faults.map((f) => f.fired),
      [2, 2, 2, 2],
      'every failure was hit',
    );
    assert.deepEqual(view.apps.filter((a) => a.status !== 'active'), []);
    for (const app of apps) assert.equal(ourWebhooksOn(stack, app, install.integrationId).length, 1, `${app}: exactly one webhook`);
    assert.equal(calls('POST', creates, 201), apps.length, 'one successful create per app');
    assert.equal(calls('POST', creates), apps.length + 6, 'creates sent = one per app + one per injected 5xx/429');
    console.log(
      `      end state: ${view.status}; webhooks ${apps.map((a) => ourWebhooksOn(stack, a, install.integrationId).length).join('+')}; ` +
        `creates sent ${calls('POST', creates)} (${calls('POST', creates, 201)} x 201, ${calls('POST', creates, 500)} x 500, ${calls('POST', creates, 503)} x 503, ${calls('POST', creates, 429)} x 429), 2 slow`,
    );
  });

  it('run: config vars slow, dyno create 429 then 503; the run succeeds on exactly one dyno', async () => {
    const app = 'flaky-0';
    const dynoCreates = /^\/apps\/flaky-0\/dynos$/;
    const faults = [
      stack.heroku.faults.add({ method: 'GET', path: '/apps/flaky-0/config-vars', delayMs: 2_000 }),
      stack.heroku.faults.add({ method: 'POST', path: dynoCreates, status: 429 }),
      stack.heroku.faults.add({ method: 'POST', path: dynoCreates, status: 503 }),
    ];
    const id = randomUUID();
    const posted = await postRun(stack, { id, integrationId: install.integrationId, appName: app, command: 'echo "flushing cache"; echo done', slackChannels: ['#ops'] });
    assert.equal(posted.status, 202, JSON.stringify(posted.json));
    const run = await waitFor('the run to be final', () => getRun(stack, id), (r) => FINAL.includes(r.status) && r.slack.every((p) => p.status !== 'pending'), 180_000);
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.equal(run.exitCode, 0);
    assert.equal(await getOutput(stack, id), 'flushing cache\ndone\n');
    assert.deepEqual(
      faults.map((f) => f.fired),
      [1, 1, 1],
    );
    assert.equal(stack.heroku.dynos(app).length, 1, 'exactly one dyno');
    assert.equal(calls('POST', dynoCreates, 201), 1, 'one successful dyno create');
    assert.equal(calls('POST', dynoCreates), 3, 'creates sent: the 429, the 503 and the one that worked');
    assert.deepEqual(postsPerChannel(stack.slack.files), { C1: 1 });
    console.log(
      `      end state: run ${run.status} exit ${run.exitCode}; dynos ${stack.heroku.dynos(app).length}; dyno creates sent ${calls('POST', dynoCreates)} ` +
        `(429, 503, 201); dyno lists ${calls('GET', dynoCreates)}; Slack posts ${JSON.stringify(postsPerChannel(stack.slack.files))}`,
    );
  });
});
