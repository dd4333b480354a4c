import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack, WorkerProcess } from '../support/stack';
import { failureOf, getOutput, getRun, postRun, startRunStack, waitFor } from '../command-runs/support';

describe('Run Command on a Fir app: the worker is SIGKILLed while the output streams over SSH', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  let survivor: WorkerProcess | undefined;
  before(async () => ({ stack, integration } = await startRunStack({ apps: [{ name: 'fir-crash', generation: 'fir' }], stack: { inProcessWorker: false } })));
  after(async () => {
    await survivor?.stop();
    await stack?.close();
  });

  it('never starts the command a second time in the dyno, keeps the output received, and fails with a clear "output stream lost"', async function () {
    this.timeout(180_000);
    const doomed = await stack.spawnWorker();
    const id = randomUUID();
    const posted = await postRun(stack, { id, integrationId: integration.integrationId, appName: 'fir-crash', command: 'for i in $(seq 1 6000); do echo "line $i"; sleep 0.01; done' });
    assert.equal(posted.status, 202);
    await waitFor('output to be stored', () => getRun(stack, id), (r) => r.outputBytes > 0);
    await doomed.kill();
    survivor = await stack.spawnWorker();

    const failure = await failureOf(stack, `heroku-run-${id}`);
    assert.equal(failure.type, 'OutputStreamLost');
    assert.match(failure.message, /^output stream lost: the output of the command inside dyno web-[0-9a-z]{10}-[0-9a-z]{5} stopped arriving \(its worker stopped, or lost Temporal for longer than the heartbeat timeout, while streaming\); the command was not started again/);

    const started = stack.heroku.insideSessions('fir-crash').filter((s) => s.startedAt !== null);
    assert.equal(started.length, 1, 'the command started once in the dyno');
    const runInside = stack.heroku.calls.filter((c) => c.method === 'POST' && /^\/apps\/fir-crash\/dynos\/[^/]+$/.test(c.path) && c.status === 201);
    assert.equal(runInside.length, 1, 'one run-inside session was asked for');
    const run = await getRun(stack, id);
    assert.equal(run.status, 'failed');
    const output = await getOutput(stack, id);
    const expected = Array.from({ length: 6000 }, (_, i) => `line ${i + 1}\n`).join('');
    assert.ok(output.startsWith('line 1\n') && expected.startsWith(output), output.slice(0, 80));
    assert.equal(Buffer.byteLength(output), run.outputBytes);
  });
});
