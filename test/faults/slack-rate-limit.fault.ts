import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import { FINAL, getOutput, getRun, postRun, waitFor } from '../command-runs/support';
import { UPLOAD_METHOD } from '../simulators/slack/faults';
import type { ConnectedIntegration } from '../support/fixtures';
import { startFaultStack, type FaultStack } from './support/fault-stack';
import { RUN_CHANNELS, connectRunIntegration, postsPerChannel } from './support/run-fixtures';

describe('fault: Slack answers 429 with Retry-After while the output is posted', () => {
  let stack: FaultStack;
  let integration: ConnectedIntegration;
  before(async () => {
    stack = await startFaultStack('slack-rate-limit', { slack: { channels: RUN_CHANNELS } });
    integration = await connectRunIntegration(stack, ['app-ratelimit']);
    await stack.spawnWorker();
  });
  after(async () => stack?.close());

  it('waits out each Retry-After, then posts once per channel', async () => {
    stack.slack.faults.rateLimit('files.getUploadURLExternal', 2).rateLimit('files.completeUploadExternal', 3);
    const id = randomUUID();
    const posted = await postRun(stack, { id, integrationId: integration.integrationId, appName: 'app-ratelimit', command: 'seq 1 100', slackChannels: ['#ops', '#oncall'] });
    assert.equal(posted.status, 202, JSON.stringify(posted.json));
    const run = await waitFor('the run to be final', () => getRun(stack, id), (r) => FINAL.includes(r.status) && r.slack.every((p) => p.status !== 'pending'), 180_000);
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.deepEqual(
      run.slack.map((p) => p.status),
      ['posted', 'posted'],
    );
    assert.deepEqual(postsPerChannel(stack.slack.files), { C1: 1, C3: 1 }, 'one post per channel');
    assert.equal(stack.slack.files[0]?.bytes.toString('utf8'), await getOutput(stack, id));

    const opens = stack.slack.callsTo('files.getUploadURLExternal');
    const completions = stack.slack.callsTo('files.completeUploadExternal');
    assert.deepEqual(
      opens.map((c) => c.status),
      [429, 200],
      'one upload opened after the 429',
    );
    assert.deepEqual(
      completions.map((c) => c.status),
      [429, 200],
      'one completion after the 429',
    );
    assert.equal(stack.slack.callsTo(UPLOAD_METHOD).length, 1, 'the bytes were uploaded once');
    // Retry-After is honoured: the next call does not come before the time Slack asked for.
    const waited = (calls: typeof opens) => calls[1]!.at.getTime() - calls[0]!.at.getTime();
    assert.ok(waited(opens) >= 2_000, `upload opened again ${waited(opens)} ms after a Retry-After of 2 s`);
    assert.ok(waited(completions) >= 3_000, `completion retried ${waited(completions)} ms after a Retry-After of 3 s`);
    console.log(
      `      end state: run ${run.status}; Slack posts per channel ${JSON.stringify(postsPerChannel(stack.slack.files))}; ` +
        `getUploadURLExternal ${opens.map((c) => c.status).join(',')} (retried after ${waited(opens)} ms), completeUploadExternal ${completions.map((c) => c.status).join(',')} (retried after ${waited(completions)} ms)`,
    );
  });
});
