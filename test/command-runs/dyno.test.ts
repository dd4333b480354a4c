import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { after, before, describe, it } from 'mocha';
import { createCommandRunActivities } from '../../src/activities/command-run';
import { dynoCommand } from '../../src/activities/command-run/dyno';
import { parseRunCommandInput } from '../../src/command-runs/input';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack } from '../support/stack';
import { getOutput, resultOf, runToEnd, startRunStack, waitFor } from './support';

describe('RunCommandOnHeroku: the dyno (size, time to live, 409 after a deploy, the TTL cap)', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  before(async () => ({ stack, integration } = await startRunStack({ apps: [{ name: 'app-dyno' }] })));
  after(async () => stack?.close());

  const run = (body: Record<string, unknown>) => runToEnd(stack, { integrationId: integration.integrationId, appName: 'app-dyno', ...body });
  const dynoOf = (dynoId: string | null) => stack.heroku.dynos('app-dyno').find((d) => d.spec.dynoId === dynoId);

  it('creates a standard-1X dyno by default and a standard-2X one when asked', async () => {
    const small = await run({ command: 'echo small' });
    assert.equal(small.dynoSize, 'Standard-1X');
    const large = await run({ command: 'echo large', dynoSize: 'standard-2X' });
    assert.equal(large.dynoSize, 'Standard-2X');
    assert.equal(large.status, 'succeeded');
  });

  it('caps a time to live of 99999 s at 1800 s, for the run and for the dyno', async () => {
    const done = await run({ command: 'echo capped', timeToLiveSeconds: 99999 });
    assert.equal(done.timeToLiveSeconds, 1800);
    assert.equal(dynoOf(done.dynoId)?.spec.timeToLiveSeconds, 1800);
  });

  it("retries Heroku's 409 on dyno create (just after a deploy) and still creates exactly one dyno", async () => {
    stack.heroku.faults.add({ method: 'POST', path: /^\/apps\/app-dyno\/dynos$/, status: 409, message: "release isn't found yet", times: 2 });
    const before = stack.heroku.dynos('app-dyno').length;
    const done = await run({ command: 'echo after the deploy' });
    assert.equal(done.status, 'succeeded', JSON.stringify(done));
    assert.equal(stack.heroku.dynos('app-dyno').length, before + 1);
    const creates = stack.heroku.calls.filter((c) => c.method === 'POST' && c.path === '/apps/app-dyno/dynos');
    assert.deepEqual(creates.slice(-3).map((c) => c.status), [409, 409, 201]);
  });

  it('stops the dyno when the cap passes (TTL 5 s against sleep 600), keeps and posts the partial output, and ends timed_out', async () => {
    const done = await run({ command: 'echo started; sleep 600; echo never', timeToLiveSeconds: 5, slackChannels: ['#ops'] });
    assert.equal(done.status, 'timed_out', JSON.stringify(done));
    assert.equal(done.timedOut, true);
    assert.equal(done.exitCode, null);
    assert.equal(await getOutput(stack, done.id), 'started\n');
    const dyno = dynoOf(done.dynoId);
    assert.ok(dyno && dyno.spec.timeToLiveSeconds <= 1800);
    await waitFor('the dyno to be gone', async () => dyno.endReason, (reason) => reason !== null);
    assert.equal(dyno.endReason, 'stopped', 'ended by POST …/actions/stop, not by Heroku');
    assert.ok(stack.heroku.calls.some((c) => c.method === 'POST' && c.path === `/apps/app-dyno/dynos/${done.dynoId}/actions/stop`));
    assert.match(stack.slack.files.at(-1)?.initialComment ?? '', /timed out after \d+ s/);
    assert.equal(stack.slack.files.at(-1)?.bytes.toString('utf8'), 'started\n');
    const result = await resultOf(stack, done.id);
    assert.equal(result.timedOut, true);
    assert.equal(result.exitCode, null);
  });

  it('holds the cap even when Heroku refuses the stop: ending the stream ends the attached dyno', async () => {
    stack.heroku.faults.add({ method: 'POST', path: /\/actions\/stop$/, status: 422, message: 'simulated refusal', times: 1 });
    const done = await run({ command: 'echo stubborn; sleep 600', timeToLiveSeconds: 3 });
    assert.equal(done.status, 'timed_out', JSON.stringify(done));
    assert.equal(await getOutput(stack, done.id), 'stubborn\n');
    const dyno = dynoOf(done.dynoId);
    await waitFor('the dyno to be gone', async () => dyno?.endReason, (reason) => reason !== null && reason !== undefined);
    assert.equal(dyno?.endReason, 'disconnected');
  });

  it('adopts the dyno an earlier attempt created but never recorded (the create/record window), instead of creating a second', async () => {
    const activities = createCommandRunActivities(stack.deps);
    const runId = randomUUID();
    const parsed = parseRunCommandInput({ integrationId: integration.integrationId, appName: 'app-dyno', command: 'echo adopted' });
    assert.ok(parsed.ok);
    await new MockActivityEnvironment().run(activities.prepareCommandRun, { runId, workflowId: `heroku-run-${runId}`, input: parsed.input });
    // The earlier attempt: intent recorded, create call reached Heroku, answer lost with the worker.
    await stack.h.db('command_runs').where({ id: runId }).update({ dyno_requested_at: new Date() });
    const lost = await integration.heroku.post<{ id: string }>('/apps/app-dyno/dynos', { command: dynoCommand(runId, 'echo adopted'), attach: true, force_no_tty: true, size: 'standard-1X', time_to_live: 60 });
    const dynosBefore = stack.heroku.dynos('app-dyno').length;

    const retried: { dynoId: string } = await new MockActivityEnvironment({ attempt: 2 }).run(activities.createRunDyno, { runId });
    assert.equal(retried.dynoId, lost.id);
    assert.equal(stack.heroku.dynos('app-dyno').length, dynosBefore, 'no second dyno');
    const again = await new MockActivityEnvironment({ attempt: 3 }).run(activities.createRunDyno, { runId });
    assert.deepEqual(again, retried);
    await new MockActivityEnvironment().run(activities.stopRunDyno, { runId });
  });
});
