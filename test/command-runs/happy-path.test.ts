import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { EMPTY_OUTPUT_PLACEHOLDER } from '../../src/activities/command-run/slack-post';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack } from '../support/stack';
import { getOutput, resultOf, runToEnd, startRunStack } from './support';

describe('RunCommandOnHeroku: runs through the API (Heroku and Slack simulators, real Temporal and PostgreSQL)', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  before(async () => ({ stack, integration } = await startRunStack()));
  after(async () => stack?.close());

  const run = (body: Record<string, unknown>) => runToEnd(stack, { integrationId: integration.integrationId, appName: 'app-one', ...body });

  it('runs the command on one dyno, stores its output without the exit marker, posts it to Slack, and succeeds with exit 0', async () => {
    const dynosBefore = stack.heroku.dynos('app-one').length;
    const done = await run({
      command: 'echo "hello from {{ app.name | raw }}"; echo incident {{ incident.id }}',
      slackChannels: ['#ops'],
      incident: { id: 'INC-7', title: 'DB down', url: 'https://incidents.example.com/INC-7' },
    });
    assert.equal(done.status, 'succeeded', JSON.stringify(done));
    assert.equal(done.exitCode, 0);
    assert.equal(done.error, null);
    assert.equal(await getOutput(stack, done.id), 'hello from app-one\nincident INC-7\n');

    const dynos = stack.heroku.dynos('app-one').slice(dynosBefore);
    assert.equal(dynos.length, 1, 'one dyno');
    assert.equal(dynos[0]?.spec.attach, true);
    assert.equal(dynos[0]?.spec.forceNoTty, true);
    assert.equal(dynos[0]?.exitCode, 0);
    const result = await resultOf(stack, done.id);
    assert.deepEqual(result, { runId: done.id, dynoId: dynos[0]?.spec.dynoId, exitCode: 0, timedOut: false, outputBytes: done.outputBytes, slackFileIds: [stack.slack.files.at(-1)?.id], timelineEventId: null });

    const file = stack.slack.files.at(-1);
    assert.equal(file?.bytes.toString('utf8'), 'hello from app-one\nincident INC-7\n');
    assert.deepEqual(file?.channels, ['C1']);
    // The comment names the app, the exit code, the duration and the incident.
    assert.match(file?.initialComment ?? '', /\*app-one\* `run\.\d+` \(Standard-1X\): exit code 0 after \d+ s · incident <https:\/\/incidents\.example\.com\/INC-7\|INC-7 DB down>/);
    assert.deepEqual(done.slack, [{ channel: '#ops', channelId: 'C1', status: 'posted', error: null }]);
  });

  it('reports a non-zero exit status (exit 3) as a failed run with exitCode 3', async () => {
    const done = await run({ command: 'echo before; exit 3' });
    assert.equal(done.status, 'failed');
    assert.equal(done.exitCode, 3);
    assert.equal(await getOutput(stack, done.id), 'before\n');
    assert.equal((await resultOf(stack, done.id)).exitCode, 3);
  });

  it('still reports the exit status of a command using set -e', async () => {
    const done = await run({ command: 'set -e; echo step1; false; echo never' });
    assert.equal(done.exitCode, 1);
    assert.equal(await getOutput(stack, done.id), 'step1\n');
  });

  it('posts a placeholder to Slack for a command without output (Slack refuses empty files)', async () => {
    const done = await run({ command: 'true', slackChannels: ['C1'] });
    assert.equal(done.status, 'succeeded');
    assert.equal(done.outputBytes, 0);
    assert.equal(await getOutput(stack, done.id), '');
    assert.equal(stack.slack.files.at(-1)?.bytes.toString('utf8'), EMPTY_OUTPUT_PLACEHOLDER);
  });

  it('copes with what Rendezvous does on a bad day: a slow handshake, leading NULs, tiny chunks splitting the exit marker', async () => {
    stack.heroku.rendezvous.faults = { handshakeDelayMs: 1500, leadingNuls: 7, chunkSize: 5 };
    try {
      const done = await run({ command: 'printf "α line\\nβ line\\n"; exit 4' });
      assert.equal(done.exitCode, 4);
      assert.equal(await getOutput(stack, done.id), 'α line\nβ line\n');
    } finally {
      stack.heroku.rendezvous.faults = {};
    }
  });

  it('puts one event on the incident timeline with app, redacted command, exit code, duration and output link', async () => {
    const done = await run({ command: 'echo {{ incident.severity }}', postToIncidentTimeline: true, incident: { id: 'INC-9', severity: 'sev2' } });
    assert.equal(done.status, 'succeeded');
    const events = await stack.h.db('timeline_events').where({ incident_id: 'INC-9' });
    assert.equal(events.length, 1);
    const event = events[0];
    assert.equal(event.id, done.timelineEventId);
    assert.equal(event.idempotency_key, `command-run:${done.id}`);
    assert.equal(event.kind, 'heroku_command_run');
    assert.match(event.summary, /^Ran `.*echo 'sev2'.*` on app-one: exit code 0 after \d+ s$/);
    assert.equal(event.data.appName, 'app-one');
    assert.equal(event.data.exitCode, 0);
    assert.equal(typeof event.data.durationSeconds, 'number');
    assert.equal(event.data.outputUrl, `${stack.config.publicUrl}/api/command-runs/${done.id}/output`);
    assert.equal((await resultOf(stack, done.id)).timelineEventId, event.id);
  });
});
