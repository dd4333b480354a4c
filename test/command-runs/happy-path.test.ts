import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack } from '../support/stack';
import { getOutput, resultOf, runToEnd, startRunStack } from './support';

describe('RunCommandOnHeroku: happy path through the API (Heroku and Slack simulators, real Temporal and PostgreSQL)', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  before(async () => ({ stack, integration } = await startRunStack()));
  after(async () => stack?.close());

  it('runs the command on one dyno, stores its output without the exit marker, posts it to Slack, and succeeds with exit 0', async () => {
    const run = await runToEnd(stack, {
      integrationId: integration.integrationId,
      appName: 'app-one',
      command: 'echo "hello from {{ app.name | raw }}"; echo incident {{ incident.id }}',
      slackChannels: ['#ops'],
      incident: { id: 'INC-7', title: 'DB down' },
    });
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.equal(run.exitCode, 0);
    assert.equal(await getOutput(stack, run.id), 'hello from app-one\nincident INC-7\n');
    const dynos = stack.heroku.dynos('app-one');
    assert.equal(dynos.length, 1);
    const result = await resultOf(stack, run.id);
    assert.deepEqual({ ...result, slackFileIds: result.slackFileIds.length }, { runId: run.id, dynoId: dynos[0]?.spec.dynoId, exitCode: 0, timedOut: false, outputBytes: run.outputBytes, slackFileIds: 1, timelineEventId: null });
    const file = stack.slack.files.at(-1);
    assert.equal(file?.bytes.toString('utf8'), 'hello from app-one\nincident INC-7\n');
  });

  it('reports a non-zero exit status (exit 3) as a failed run with exitCode 3', async () => {
    const run = await runToEnd(stack, { integrationId: integration.integrationId, appName: 'app-one', command: 'echo before; exit 3' });
    assert.equal(run.status, 'failed');
    assert.equal(run.exitCode, 3);
    assert.equal(await getOutput(stack, run.id), 'before\n');
  });
});
