import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import { startRunStack, waitFor } from '../command-runs/support';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack, WorkerProcess } from '../support/stack';
import { getRollback, postRollback, rollbackReleases } from './support';

describe('RollbackHerokuRelease: the worker is SIGKILLed between the rollback request and its answer', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  let survivor: WorkerProcess | undefined;
  before(async () => ({ stack, integration } = await startRunStack({ apps: [{ name: 'rb-crash' }], stack: { inProcessWorker: false } })));
  after(async () => {
    await survivor?.stop();
    await stack?.close();
  });

  it('makes exactly one rollback release: the retry on another worker finds it instead of asking again', async function () {
    this.timeout(180_000);
    await stack.heroku.deploy('rb-crash');
    await stack.heroku.deploy('rb-crash');
    // Every answer of Heroku comes 3 s after the work is done: the release exists while its answer is on the way.
    stack.heroku.latencyMs = 3_000;
    const doomed = await stack.spawnWorker();
    const id = randomUUID();
    assert.equal((await postRollback(stack, { id, integrationId: integration.integrationId, appName: 'rb-crash', target: 'previous' })).status, 202);
    await waitFor('Heroku to make the release', () => Promise.resolve(rollbackReleases(stack, 'rb-crash', 3).length), (n) => n === 1, 120_000);
    await doomed.kill();
    stack.heroku.latencyMs = 0;
    assert.equal((await getRollback(stack, id)).releaseId, null, 'the answer never reached the killed worker');

    survivor = await stack.spawnWorker();
    const done = await waitFor('the rollback to end', () => getRollback(stack, id), (r) => r.status === 'succeeded' || r.status === 'failed');
    assert.equal(done.status, 'succeeded', done.error ?? '');
    const made = rollbackReleases(stack, 'rb-crash', 3);
    assert.equal(made.length, 1, 'exactly one rollback release');
    assert.equal(done.releaseId, made[0]?.id);
    assert.equal(stack.heroku.calls.filter((c) => c.method === 'POST' && c.path === '/apps/rb-crash/releases').length, 1, 'Heroku was asked once');
  });
});
