import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { after, before, describe, it } from 'mocha';
import { createCommandRunActivities } from '../../src/activities/command-run';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack } from '../support/stack';
import { getOutput, resultOf, runToEnd, startRunStack } from './support';

describe('RunCommandOnHeroku: posting the output to Slack', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  before(async () => ({ stack, integration } = await startRunStack({ apps: [{ name: 'app-slack' }] })));
  after(async () => stack?.close());

  const run = (body: Record<string, unknown>) => runToEnd(stack, { integrationId: integration.integrationId, appName: 'app-slack', command: 'echo hello slack', ...body });
  const filesTo = (channel: string) => stack.slack.files.filter((f) => f.channels.includes(channel));

  it('posts one file to every listed channel (ids and #names) in one completion', async () => {
    const before = stack.slack.files.length;
    const done = await run({ slackChannels: ['C1', '#oncall', '#ops'] });
    assert.equal(done.status, 'succeeded');
    const files = stack.slack.files.slice(before);
    assert.equal(files.length, 1);
    assert.deepEqual([...(files[0]?.channels ?? [])].sort(), ['C1', 'C3']);
    assert.deepEqual(done.slack.map((p) => [p.channel, p.status]), [['C1', 'posted'], ['#oncall', 'posted'], ['#ops', 'posted']]);
  });

  it('waits out a 429 (Retry-After) and then posts once', async () => {
    const before = filesTo('C3').length;
    stack.slack.faults.rateLimit('files.completeUploadExternal', 1);
    const done = await run({ slackChannels: ['#oncall'] });
    assert.equal(done.status, 'succeeded');
    assert.equal(done.error, null);
    assert.equal(filesTo('C3').length, before + 1);
    const completions = stack.slack.callsTo('files.completeUploadExternal').slice(-2);
    assert.deepEqual(completions.map((c) => c.status), [429, 200]);
  });

  it('reports an unknown channel and a channel without the bot in the run status, and still posts to the others', async () => {
    const done = await run({ slackChannels: ['#does-not-exist', '#quiet', '#ops'] });
    assert.equal(done.status, 'succeeded', 'the command itself succeeded');
    assert.match(done.error ?? '', /Slack: output not posted to #does-not-exist \(channel_not_found\), #quiet \(not_in_channel/);
    assert.deepEqual(
      done.slack.map((p) => [p.channel, p.status]),
      [['#does-not-exist', 'failed'], ['#quiet', 'failed'], ['#ops', 'posted']],
    );
    assert.deepEqual(stack.slack.files.at(-1)?.channels, ['C1']);
    assert.deepEqual((await resultOf(stack, done.id)).slackFileIds, [stack.slack.files.at(-1)?.id]);
  });

  it('keeps the output and reports the failure when Slack refuses the upload', async () => {
    stack.slack.faults.platformError('files.getUploadURLExternal', 'invalid_auth');
    const done = await run({ slackChannels: ['#ops'] });
    assert.equal(done.status, 'succeeded');
    assert.match(done.error ?? '', /Slack: output not posted to #ops \(invalid_auth\)/);
    assert.equal(await getOutput(stack, done.id), 'hello slack\n');
    assert.deepEqual((await resultOf(stack, done.id)).slackFileIds, []);
  });

  it('never posts twice: a retry after a completion whose answer was lost, and a repeated timeline post, change nothing', async () => {
    const done = await run({ slackChannels: ['#ops'], postToIncidentTimeline: true, incident: { id: 'INC-S' } });
    const files = stack.slack.files.length;
    // As if the worker died right after Slack completed the upload, before recording it.
    await stack.h.db('command_runs').where({ id: done.id }).update({ slack_completed_at: null, slack_posts: JSON.stringify(done.slack.map((p) => ({ ...p, status: 'pending' }))) });
    const activities = createCommandRunActivities(stack.deps);
    const outcome = { exitCode: 0, timedOut: false, problem: null };
    const again = await new MockActivityEnvironment().run(activities.postRunOutputToSlack, { runId: done.id, outcome });
    assert.equal(stack.slack.files.length, files, 'no second post');
    assert.deepEqual(again, { fileIds: [stack.slack.files.at(-1)?.id] });
    const row = await stack.h.db('command_runs').where({ id: done.id }).first();
    assert.deepEqual(row.slack_posts.map((p: { status: string }) => p.status), ['posted']);

    const timeline = await new MockActivityEnvironment().run(activities.postRunToTimeline, { runId: done.id, outcome });
    assert.deepEqual(timeline, { timelineEventId: done.timelineEventId });
    assert.equal((await stack.h.db('timeline_events').where({ incident_id: 'INC-S' })).length, 1);
  });
});

describe('RunCommandOnHeroku: Slack without a bot token', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  before(async () => ({ stack, integration } = await startRunStack({ apps: [{ name: 'app-noslack' }], stack: { env: { SLACK_BOT_TOKEN: '' } } })));
  after(async () => stack?.close());

  it('runs the command and says in the run status that Slack is not configured', async () => {
    const done = await runToEnd(stack, { integrationId: integration.integrationId, appName: 'app-noslack', command: 'echo ok', slackChannels: ['#ops'] });
    assert.equal(done.status, 'succeeded');
    assert.match(done.error ?? '', /SLACK_BOT_TOKEN is not configured/);
  });
});
