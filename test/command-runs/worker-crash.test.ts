import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack, WorkerProcess } from '../support/stack';
import { failureOf, getOutput, getRun, postRun, startRunStack, waitFor } from './support';

describe('RunCommandOnHeroku: the worker is SIGKILLed while the output streams', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  let survivor: WorkerProcess | undefined;
  before(async () => ({ stack, integration } = await startRunStack({ apps: [{ name: 'app-crash' }], stack: { inProcessWorker: false } })));
  after(async () => {
    await survivor?.stop();
    await stack?.close();
  });

  it('keeps one dyno and the output received, posts to Slack at most once, and ends with a clear "output stream lost" failure', async function () {
    this.timeout(180_000);
    const doomed = await stack.spawnWorker();
    const id = randomUUID();
    const posted = await postRun(stack, {
      id,
      integrationId: integration.integrationId,
      appName: 'app-crash',
      command: 'for i in $(seq 1 6000); do echo "line $i"; sleep 0.01; done',
      slackChannels: ['#ops'],
    });
    assert.equal(posted.status, 202);
    await waitFor('output to be stored', () => getRun(stack, id), (r) => r.outputBytes > 0);
    await doomed.kill();
    survivor = await stack.spawnWorker();

    const failure = await failureOf(stack, `heroku-run-${id}`);
    assert.equal(failure.type, 'OutputStreamLost');
    assert.match(failure.message, /^output stream lost: the output of dyno run\.\d+ stopped arriving \(its worker stopped, or lost Temporal for longer than the heartbeat timeout, while streaming\)/);

    const dynos = stack.heroku.dynos('app-crash');
    assert.equal(dynos.length, 1, 'exactly one dyno');
    assert.equal(dynos[0]?.endReason, 'disconnected', 'the command was not run again: its one dyno ended with the lost connection');
    assert.ok(stack.slack.files.length <= 1, 'at most one Slack post');
    const run = await getRun(stack, id);
    assert.equal(run.status, 'failed');
    assert.match(run.error ?? '', /^output stream lost/);
    const output = await getOutput(stack, id);
    const expected = Array.from({ length: 6000 }, (_, i) => `line ${i + 1}\n`).join('');
    assert.ok(output.startsWith('line 1\n') && expected.startsWith(output), output.slice(0, 80));
    assert.equal(Buffer.byteLength(output), run.outputBytes);
    if (stack.slack.files[0]) assert.equal(stack.slack.files[0].bytes.toString('utf8'), output);
  });
});
