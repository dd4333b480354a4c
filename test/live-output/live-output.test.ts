import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { after, before, describe, it } from 'mocha';
import { createLiveOutputActivities } from '../../src/activities/live-output';
import { LIVE_UPDATE_INTERVAL_MS } from '../../src/activities/live-output/follow-output';
import { readLiveState, writeLiveState } from '../../src/live-output/live-state';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack } from '../support/stack';
import { getOutput, runToEnd, startRunStack, type RunView } from '../command-runs/support';

const SLOW_COMMAND = 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo "step $i of 12"; sleep 1; done';

/** Live output in Slack (slackLiveOutput): real Temporal and PostgreSQL, the strict Slack simulator. */
describe('live output in Slack', function () {
  this.timeout(180_000);
  let stack: Stack;
  let integration: ConnectedIntegration;
  before(async () => ({ stack, integration } = await startRunStack()));
  after(async () => stack?.close());

  const run = (body: Record<string, unknown>) => runToEnd(stack, { integrationId: integration.integrationId, appName: 'app-one', ...body });
  const ourMessages = (runId: string) => stack.slack.messages.filter((m) => m.metadata?.event_payload['run_id'] === runId);

  describe('a run with slackLiveOutput in two channels', () => {
    let done: RunView;
    let callsBefore: number;
    before(async () => {
      callsBefore = stack.slack.calls.length;
      done = await run({ command: SLOW_COMMAND, slackChannels: ['#ops', 'C3'], slackLiveOutput: true, incident: { id: 'INC-LIVE' } });
    });

    it('posts one message per channel when the command starts, naming the command, the app and the dyno', () => {
      assert.equal(done.status, 'succeeded', JSON.stringify(done));
      const messages = ourMessages(done.id);
      assert.deepEqual(messages.map((m) => m.channel).sort(), ['C1', 'C3']);
      for (const m of messages) assert.equal(m.threadTs, undefined, 'top-level messages');
      const first = messages[0]?.edits[0]?.text ?? messages[0]?.text ?? '';
      assert.match(first, new RegExp(`Running \`for i in 1 2 3.*\` on \\*app-one\\* \\(\`${done.dynoName}\`\\)…`));
    });

    it('updates each message with the last lines while the command runs, at most every few seconds, one update at a time', () => {
      for (const message of ourMessages(done.id)) {
        const running = message.edits.filter((e) => e.text.startsWith('Running'));
        assert.ok(running.length >= 1, `live updates in ${message.channel}: ${JSON.stringify(message.edits)}`);
        assert.ok(running.some((e) => /step \d+ of 12/.test(e.text)), 'the output shows up while it runs');
        assert.ok(running.length <= Math.ceil(14_000 / LIVE_UPDATE_INTERVAL_MS) + 1, `not more than the pace allows: ${running.length}`);
        for (let i = 1; i < running.length; i++) {
          const gap = (running[i]?.at.getTime() ?? 0) - (running[i - 1]?.at.getTime() ?? 0);
          assert.ok(gap >= LIVE_UPDATE_INTERVAL_MS - 500, `updates of one message ${gap} ms apart`);
        }
      }
      const updates = stack.slack.calls.slice(callsBefore).filter((c) => c.method === 'chat.update');
      assert.ok(updates.every((c) => c.ok), 'every update accepted');
    });

    it('ends with the file in each message’s thread and the message showing the final status and exit code', async () => {
      const messages = ourMessages(done.id);
      const output = await getOutput(stack, done.id);
      for (const message of messages) {
        const files = stack.slack.files.filter((f) => f.threadTs === message.ts);
        assert.equal(files.length, 1, `one file in the thread of ${message.channel}`);
        assert.deepEqual(files[0]?.channels, [message.channel]);
        assert.equal(files[0]?.bytes.toString('utf8'), output);
        assert.match(message.text ?? '', /^✅ Ran `for i in 1 2 3.*` on \*app-one\* .*: exit code 0 after \d+ s/);
        assert.match(message.text ?? '', /step 12 of 12/);
        assert.match(message.text ?? '', /The whole output is in the thread/);
      }
      assert.deepEqual(
        done.slack.map((s) => [s.channel, s.status]),
        [['#ops', 'posted'], ['C3', 'posted']],
      );
      assert.deepEqual(done.slack.map((s) => (s as { messageTs?: string }).messageTs).sort(), messages.map((m) => m.ts).sort());
    });
  });

  it('a failing command: the message ends with ❌ and the exit code', async () => {
    const done = await run({ command: 'echo broken; exit 5', slackChannels: ['#ops'], slackLiveOutput: true });
    const [message] = ourMessages(done.id);
    assert.match(message?.text ?? '', /^❌ Ran `echo broken; exit 5` on \*app-one\*.*: exit code 5/);
    assert.equal(stack.slack.files.filter((f) => f.threadTs === message?.ts).length, 1);
  });

  it('without the option, nothing changes: no message, the file posted to the channels as before', async () => {
    const filesBefore = stack.slack.files.length;
    const done = await run({ command: 'echo quiet', slackChannels: ['#ops'] });
    assert.equal(ourMessages(done.id).length, 0);
    assert.equal(stack.slack.messages.filter((m) => m.text?.includes('echo quiet')).length, 0);
    const file = stack.slack.files.slice(filesBefore).at(-1);
    assert.equal(file?.threadTs, undefined);
    assert.deepEqual(file?.channels, ['C1']);
  });

  it('Slack 429s on the updates and the final update: the final update still arrives, the file once', async () => {
    stack.slack.faults.rateLimit('chat.update', 1, 4);
    stack.slack.faults.rateLimit('files.completeUploadExternal', 1, 1);
    const done = await run({ command: 'echo one; sleep 7; echo two', slackChannels: ['#ops'], slackLiveOutput: true });
    assert.equal(done.status, 'succeeded', JSON.stringify(done));
    const [message] = ourMessages(done.id);
    assert.match(message?.text ?? '', /^✅ Ran .*exit code 0/);
    assert.match(message?.text ?? '', /two/);
    assert.equal(stack.slack.files.filter((f) => f.threadTs === message?.ts).length, 1);
    assert.ok(stack.slack.calls.some((c) => c.method === 'chat.update' && c.status === 429), 'the 429s happened');
  });

  describe('a retried step after a lost answer (a worker that died between Slack’s answer and recording it)', () => {
    let done: RunView;
    let activities: ReturnType<typeof createLiveOutputActivities>;
    before(async () => {
      done = await run({ command: 'echo retry me', slackChannels: ['#ops'], slackLiveOutput: true });
      activities = createLiveOutputActivities(stack.deps);
    });

    it('the start message is found by its metadata, not posted again', async () => {
      const states = await readLiveState(stack.h.db, done.id);
      const ts = states[0]?.ts;
      await writeLiveState(stack.h.db, done.id, states.map((s) => ({ ...s, ts: null })));
      const before = ourMessages(done.id).length;
      await new MockActivityEnvironment().run(activities.startLiveSlackMessages, { runId: done.id });
      assert.equal(ourMessages(done.id).length, before, 'no second message');
      assert.equal((await readLiveState(stack.h.db, done.id))[0]?.ts, ts);
    });

    it('a completed file upload is not posted twice; the final update is made again only if it was not recorded', async () => {
      const states = await readLiveState(stack.h.db, done.id);
      await writeLiveState(stack.h.db, done.id, states.map((s) => ({ ...s, completedAt: null, finalUpdatedAt: null })));
      const files = stack.slack.files.length;
      const edits = ourMessages(done.id)[0]?.edits.length ?? 0;
      const result: { fileIds: string[] } = await new MockActivityEnvironment().run(activities.finishLiveSlackMessages, { runId: done.id, outcome: { exitCode: 0, timedOut: false, problem: null } });
      assert.equal(stack.slack.files.length, files, 'no second file');
      assert.deepEqual(result.fileIds, [states[0]?.fileId]);
      assert.equal(ourMessages(done.id)[0]?.edits.length, edits + 1, 'the lost final update is made');
    });
  });
});
