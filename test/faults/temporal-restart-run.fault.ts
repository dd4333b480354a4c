import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import { closeStatus } from '../integrations/support';
import { FINAL, getOutput, getRun, postRun, waitFor } from '../command-runs/support';
import type { ConnectedIntegration } from '../support/fixtures';
import type { WorkerProcess } from '../support/stack';
import { startFaultStack, type FaultStack } from './support/fault-stack';
import { RUN_CHANNELS, connectRunIntegration, postsPerChannel } from './support/run-fixtures';

const LINES = 1500;

describe('fault: the Temporal server restarts while a command runs', () => {
  let stack: FaultStack;
  let integration: ConnectedIntegration;
  let worker: WorkerProcess;
  before(async () => {
    stack = await startFaultStack('temporal-restart-run', { slack: { channels: RUN_CHANNELS } });
    integration = await connectRunIntegration(stack, ['app-temporal']);
    worker = await stack.spawnWorker();
  });
  after(async () => stack?.close());

  const storedBytes = async (id: string) => Number((await stack.h.db('command_runs').where({ id }).first('output_bytes'))?.output_bytes ?? 0);

  it('the output keeps streaming while it is down; after it returns the run completes: full output, one dyno, one post per channel', async () => {
    const id = randomUUID();
    const posted = await postRun(stack, {
      id,
      integrationId: integration.integrationId,
      appName: 'app-temporal',
      command: `for i in $(seq 1 ${LINES}); do echo "line $i"; sleep 0.01; done`,
      slackChannels: ['#ops', '#oncall'],
    });
    assert.equal(posted.status, 202, JSON.stringify(posted.json));
    await waitFor('output to stream in', () => storedBytes(id), (n) => n > 1000);

    // A short outage, like a server restart: the stream's heartbeat timeout (10 s) is counted by the
    // server across its own downtime, so an outage longer than that loses the stream (see README).
    const stoppedAt = Date.now();
    await stack.temporalServer.stop();
    const atStop = await storedBytes(id);
    let whileDown: number;
    try {
      whileDown = await waitFor('more output while Temporal is down', () => storedBytes(id), (n) => n > atStop + 100);
    } finally {
      await stack.temporalServer.resume();
    }
    const outageMs = Date.now() - stoppedAt;

    const run = await waitFor('the run to be final', () => getRun(stack, id), (r) => FINAL.includes(r.status) && r.slack.every((p) => p.status !== 'pending'), 180_000);
    assert.equal(run.status, 'succeeded', run.error ?? '');
    assert.equal(run.exitCode, 0);
    assert.equal(await closeStatus(stack, `heroku-run-${id}`), 'COMPLETED');
    const expected = Array.from({ length: LINES }, (_, i) => `line ${i + 1}\n`).join('');
    const output = await getOutput(stack, id);
    assert.equal(output, expected, 'the whole output, once, in order');

    const dynos = stack.heroku.dynos('app-temporal');
    assert.equal(dynos.length, 1, 'exactly one dyno');
    assert.equal(dynos[0]?.endReason, 'exited', 'the command ran to its end');
    assert.deepEqual(postsPerChannel(stack.slack.files), { C1: 1, C3: 1 });
    assert.equal(stack.slack.files[0]?.bytes.toString('utf8'), expected);
    assert.equal(worker.child.exitCode, null, 'the worker process rode out the outage');
    console.log(
      `      end state: run ${run.status} exit ${run.exitCode}; output ${run.outputBytes} bytes (${atStop} at the stop, ${whileDown} stored while down, outage ${(outageMs / 1000).toFixed(1)} s); ` +
        `dynos ${dynos.length} (${dynos[0]?.endReason}); Slack posts per channel ${JSON.stringify(postsPerChannel(stack.slack.files))}`,
    );
  });
});
