import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import { FINAL, getOutput, getRun, postRun, waitFor } from '../command-runs/support';
import type { ConnectedIntegration } from '../support/fixtures';
import { startFaultStack, type FaultStack } from './support/fault-stack';
import { RUN_CHANNELS, connectRunIntegration, postsPerChannel } from './support/run-fixtures';

describe('fault: the worker process is SIGKILLed while it posts the output to Slack', () => {
  let stack: FaultStack;
  let integration: ConnectedIntegration;
  before(async () => {
    stack = await startFaultStack('slack-posting-worker-killed', { slack: { channels: RUN_CHANNELS } });
    integration = await connectRunIntegration(stack, ['app-post']);
  });
  after(async () => stack?.close());

  it('killed with files.completeUploadExternal in flight: a new worker finishes; one file per channel, the run says posted', async () => {
    // Slack answers the completion late but applies it: the worker dies before it hears back.
    stack.slack.faults.delay('files.completeUploadExternal', 4_000);
    const doomed = await stack.spawnWorker();
    const id = randomUUID();
    const posted = await postRun(stack, {
      id,
      integrationId: integration.integrationId,
      appName: 'app-post',
      command: 'echo "restarting web"; seq 1 500',
      slackChannels: ['#ops', '#oncall'],
    });
    assert.equal(posted.status, 202, JSON.stringify(posted.json));
    await waitFor('the completion to reach Slack', async () => stack.slack.faults.pending('files.completeUploadExternal'), (n) => n === 0);
    await doomed.kill();
    assert.equal((await getRun(stack, id)).slack.every((p) => p.status === 'pending'), true, 'the kill landed before the post was recorded');

    await stack.spawnWorker();
    const run = await waitFor('the run to be final', () => getRun(stack, id), (r) => FINAL.includes(r.status) && r.slack.every((p) => p.status !== 'pending'), 180_000);
    assert.equal(run.status, 'succeeded');
    assert.equal(run.exitCode, 0);
    assert.deepEqual(
      run.slack.map((p) => [p.channel, p.status]),
      [
        ['#ops', 'posted'],
        ['#oncall', 'posted'],
      ],
    );
    assert.deepEqual(postsPerChannel(stack.slack.files), { C1: 1, C3: 1 }, 'exactly one file in each channel');
    assert.equal(stack.slack.files.length, 1, 'one file shared to both channels');
    const output = await getOutput(stack, id);
    assert.equal(stack.slack.files[0]?.bytes.toString('utf8'), output);
    assert.equal(stack.heroku.dynos('app-post').length, 1, 'the command ran once');
    console.log(
      `      end state: run ${run.status} exit ${run.exitCode}; Slack files ${stack.slack.files.length}, per channel ${JSON.stringify(postsPerChannel(stack.slack.files))}; ` +
        `completion calls ${stack.slack.callsTo('files.completeUploadExternal').length} (${stack.slack.callsTo('files.completeUploadExternal').map((c) => c.error ?? 'ok').join(', ')}); dynos ${stack.heroku.dynos('app-post').length}`,
    );
  });
});
