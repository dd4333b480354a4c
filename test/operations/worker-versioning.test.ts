import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { Worker } from '@temporalio/worker';
import { after, before, describe, it } from 'mocha';
import type { Config } from '../../src/config';
import { projectRoot } from '../../src/paths';
import { locateTemporalCli } from '../../src/temporal/cli-binary';
import { createWorker } from '../../src/worker';
import { getRun, postRun, waitFor } from '../command-runs/support';
import { startRunStack } from '../command-runs/support';
import { closeStatus } from '../integrations/support';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack } from '../support/stack';

const execFileAsync = promisify(execFile);

/** `versioningInfo` of an execution: the build that runs it and its behavior (1 PINNED, 2 AUTO_UPGRADE). */
async function versionOf(stack: Stack, workflowId: string): Promise<{ buildId: string | undefined; behavior: number | undefined }> {
  const described = await stack.h.temporal.workflow.getHandle(workflowId).describe();
  const info = described.raw.workflowExecutionInfo?.versioningInfo;
  return { buildId: info?.deploymentVersion?.buildId ?? undefined, behavior: (info?.behavior as number | undefined) ?? undefined };
}

/**
 * Worker Deployment Versioning on the dev server: build A runs a long command run, build B
 * becomes current; the run finishes on A while a new run goes to B, and the app-list sync (the
 * integration's lifecycle workflow) carries on on B.
 */
describe('versioned worker deployments (TEMPORAL_DEPLOYMENT_NAME, TEMPORAL_WORKER_BUILD_ID)', function () {
  this.timeout(240_000);
  let stack: Stack;
  let integration: ConnectedIntegration;
  const deploymentName = `dynopulse-test-${randomUUID().slice(0, 8)}`;
  const workers: { worker: Worker; running: Promise<void> }[] = [];
  let cli: (...args: string[]) => Promise<string>;

  before(async () => {
    ({ stack, integration } = await startRunStack({ apps: [{ name: 'app-one' }], stack: { inProcessWorker: false } }));
    const binary = await locateTemporalCli({ projectRoot });
    cli = async (...args) => (await execFileAsync(binary, [...args, '--address', stack.h.temporalAddress, '--namespace', stack.h.namespace])).stdout;
  });
  after(async () => {
    for (const w of workers) if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
    await Promise.all(workers.map((w) => w.running));
    await stack?.close();
  });

  /** A worker of build `buildId` (its own config, same task queue), polling; then made the current version. */
  async function deploy(buildId: string): Promise<void> {
    const config: Config = { ...stack.config, temporal: { ...stack.config.temporal, deployment: { name: deploymentName, buildId } } };
    const worker = await createWorker({ connection: stack.h.workerConnection, deps: { ...stack.deps, config }, workflowBundle: stack.h.workflowBundle, shutdownGraceTime: '5s' });
    workers.push({ worker, running: worker.run() });
    // The version exists once its pollers reached the server.
    await waitFor(`build ${buildId} to register`, () => cli('worker', 'deployment', 'describe-version', '--deployment-name', deploymentName, '--build-id', buildId).then(() => true, () => false), (ok) => ok);
    await cli('worker', 'deployment', 'set-current-version', '--deployment-name', deploymentName, '--build-id', buildId, '--yes');
  }

  it('a run stays on the build that started it; new runs and the lifecycle move to the new current build', async () => {
    await deploy('build-a');
    const longRun = `long-${randomUUID()}`;
    assert.equal((await postRun(stack, { id: longRun, integrationId: integration.integrationId, appName: 'app-one', command: 'echo started; sleep 15; echo finished on its build' })).status, 202);
    await waitFor('the long run to stream', () => getRun(stack, longRun), (r) => r.status === 'running');

    // The lifecycle: an app-list sync whose Heroku call is still in flight when the new build takes over
    // (Heroku answers it after 40 s, far longer than deploying build B takes).
    stack.heroku.createApp({ name: 'app-two', owner: integration.accountId });
    const slowHeroku = stack.heroku.faults.add({ method: 'POST', path: /\/apps\/app-two\/webhooks$/, delayMs: 40_000 });
    const sync = await stack.api(`/api/integrations/heroku/${integration.integrationId}/apps`, { method: 'PUT', body: JSON.stringify({ apps: ['app-one', 'app-two'] }) });
    assert.equal(sync.status, 202, await sync.clone().text());
    const syncWorkflowId = ((await sync.json()) as { workflowId: string }).workflowId;
    await waitFor('the sync to start on build A', () => versionOf(stack, syncWorkflowId), (v) => v.buildId === 'build-a');
    await waitFor('its Heroku call to be in flight', async () => slowHeroku.fired, (fired) => fired === 1);

    await deploy('build-b');
    const newRun = `new-${randomUUID()}`;
    assert.equal((await postRun(stack, { id: newRun, integrationId: integration.integrationId, appName: 'app-one', command: 'echo new build' })).status, 202);
    const newDone = await waitFor('the new run to end', () => getRun(stack, newRun), (r) => ['succeeded', 'failed'].includes(r.status));
    assert.equal(newDone.status, 'succeeded');
    assert.deepEqual(await versionOf(stack, newDone.workflowId), { buildId: 'build-b', behavior: 1 }, 'a new run goes to the current build, pinned');

    const longDone = await waitFor('the long run to end', () => getRun(stack, longRun), (r) => ['succeeded', 'failed'].includes(r.status), 120_000);
    assert.equal(longDone.status, 'succeeded', JSON.stringify(longDone));
    assert.deepEqual(await versionOf(stack, longDone.workflowId), { buildId: 'build-a', behavior: 1 }, 'the long run finished on build A');

    assert.equal(await closeStatus(stack, syncWorkflowId), 'COMPLETED');
    assert.deepEqual(await versionOf(stack, syncWorkflowId), { buildId: 'build-b', behavior: 2 }, 'the lifecycle moved to build B (auto-upgrade)');
  });
});
