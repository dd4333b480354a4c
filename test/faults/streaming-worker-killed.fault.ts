import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import { FINAL, failureOf, getOutput, getRun, postRun, waitFor } from '../command-runs/support';
import type { ConnectedIntegration } from '../support/fixtures';
import { startFaultStack, type FaultStack } from './support/fault-stack';
import { RUN_CHANNELS, connectRunIntegration, postsPerChannel } from './support/run-fixtures';

describe('fault: the worker process is SIGKILLed while a command run streams its output', () => {
  let stack: FaultStack;
  let integration: ConnectedIntegration;
  before(async () => {
    stack = await startFaultStack('streaming-worker-killed', { slack: { channels: RUN_CHANNELS } });
    integration = await connectRunIntegration(stack, ['app-stream']);
  });
  after(async () => stack?.close());

  it('a new worker ends the run with a clear failure: one dyno, none running, the output received kept, at most one post per channel', async () => {
    const doomed = await stack.spawnWorker();
    const id = randomUUID();
    const posted = await postRun(stack, {
      id,
      integrationId: integration.integrationId,
      appName: 'app-stream',
      command: 'for i in $(seq 1 4000); do echo "line $i"; sleep 0.01; done',
      slackChannels: ['#ops', '#oncall'],
    });
    assert.equal(posted.status, 202, JSON.stringify(posted.json));
    await waitFor('output to stream in', () => getRun(stack, id), (r) => r.outputBytes > 3000);
    await doomed.kill();
    await stack.spawnWorker();

    const failure = await failureOf(stack, `heroku-run-${id}`);
    assert.equal(failure.type, 'OutputStreamLost');
    const run = await waitFor('the run to be final', () => getRun(stack, id), (r) => FINAL.includes(r.status));
    assert.equal(run.status, 'failed');
    assert.match(run.error ?? '', /^output stream lost/);

    const dynos = stack.heroku.dynos('app-stream');
    assert.equal(dynos.length, 1, 'exactly one dyno was created');
    assert.deepEqual(
      dynos.map((d) => d.state),
      ['crashed'],
      'no dyno is left running',
    );
    assert.equal(dynos[0]?.endReason, 'disconnected');

    const output = await getOutput(stack, id);
    const expected = Array.from({ length: 4000 }, (_, i) => `line ${i + 1}\n`).join('');
    assert.ok(output.startsWith('line 1\n') && expected.startsWith(output), 'the output received before the kill is kept, in order');
    assert.equal(Buffer.byteLength(output), run.outputBytes);

    const perChannel = postsPerChannel(stack.slack.files);
    for (const channel of ['C1', 'C3']) assert.ok((perChannel[channel] ?? 0) <= 1, `at most one post in ${channel}: ${JSON.stringify(perChannel)}`);
    for (const file of stack.slack.files) assert.equal(file.bytes.toString('utf8'), output, 'what Slack shows is what was received');
    assert.deepEqual(
      run.slack.map((p) => p.status),
      stack.slack.files.length ? ['posted', 'posted'] : ['failed', 'failed'],
    );
    console.log(
      `      end state: run ${run.status} (${run.error}); dynos ${dynos.length} (${dynos[0]?.state}, ${dynos[0]?.endReason}); ` +
        `output kept ${run.outputBytes} bytes (${output.split('\n').length - 1} of 4000 lines); Slack posts per channel ${JSON.stringify(perChannel)}`,
    );
  });
});
