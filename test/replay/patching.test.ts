import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { History } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { before, describe, it } from 'mocha';
import { createDataConverter, failureConverterPath } from '../../src/temporal/data-converter';
import { harness, type Harness } from '../support/harness';
import type { NotifyActivities } from './fixtures/activities';
import { quietBundlerLogger } from './quiet-logger';

type Version = 'notify-v1' | 'notify-v2-unpatched' | 'notify-v2-patched' | 'notify-v3-deprecated';
const versions: Version[] = ['notify-v1', 'notify-v2-unpatched', 'notify-v2-patched', 'notify-v3-deprecated'];

/**
 * The upgrade path of README "Run in production", shown on a throwaway workflow
 * (test/replay/fixtures): executions run by one version on the real Temporal server, replayed by
 * the next. An extra activity call breaks replay of old histories; behind patched() it does not.
 */
describe('replay: changing workflow code safely with patched() and deprecatePatch()', () => {
  let h: Harness;
  const bundles = new Map<Version, WorkflowBundle>();
  const calls: string[] = [];
  const activities: NotifyActivities = {
    async page({ who }) {
      calls.push(`page ${who}`);
      return `paged ${who}`;
    },
    async lookUpOnCall({ incidentId }) {
      calls.push(`lookUpOnCall ${incidentId}`);
      return 'on-call-sre';
    },
  };

  before(async function () {
    this.timeout(180_000);
    h = await harness();
    for (const version of versions) {
      bundles.set(version, await bundleWorkflowCode({ workflowsPath: require.resolve(`./fixtures/${version}`), failureConverterPath, logger: quietBundlerLogger }));
    }
  });

  const dataConverter = () => createDataConverter(h.encryptionKey);

  /** Runs one execution with `version` on the real server; returns its result and (encrypted) history. */
  async function execute(version: Version): Promise<{ result: string; history: History; workflowId: string }> {
    const taskQueue = `replay-patching-${randomUUID()}`;
    const workflowId = `notify-${randomUUID()}`;
    const worker = await Worker.create({ connection: h.workerConnection, namespace: h.namespace, taskQueue, workflowBundle: bundles.get(version), activities, dataConverter: dataConverter() });
    const result = await worker.runUntil(h.temporal.workflow.execute('NotifyResponders', { taskQueue, workflowId, args: [{ incidentId: 'INC-7' }] }));
    return { result: result as string, history: await h.temporal.workflow.getHandle(workflowId).fetchHistory(), workflowId };
  }

  const replay = (version: Version, history: History, workflowId: string) =>
    Worker.runReplayHistory({ workflowBundle: bundles.get(version), dataConverter: dataConverter() }, history, workflowId);

  it('an extra activity call fails replay of a v1 history; the same change behind patched() replays it and takes the new path only in new executions', async () => {
    calls.length = 0;
    const v1 = await execute('notify-v1');
    assert.equal(v1.result, 'paged default-responder');
    assert.deepEqual(calls, ['page default-responder']);

    await replay('notify-v1', v1.history, v1.workflowId); // the unchanged code replays its own history
    await assert.rejects(replay('notify-v2-unpatched', v1.history, v1.workflowId), DeterminismViolationError);
    await replay('notify-v2-patched', v1.history, v1.workflowId);

    calls.length = 0;
    const v2 = await execute('notify-v2-patched');
    assert.equal(v2.result, 'paged on-call-sre');
    assert.deepEqual(calls, ['lookUpOnCall INC-7', 'page on-call-sre']);
    const markers = (v2.history.events ?? []).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch');
    assert.equal(markers.length, 1, 'the new execution records the patch marker');
  });

  it('deprecatePatch() replays executions of the patched version, and only those: v1 executions must be gone first', async () => {
    const v2 = await execute('notify-v2-patched');
    await replay('notify-v3-deprecated', v2.history, v2.workflowId);
    const v1 = await execute('notify-v1');
    await assert.rejects(replay('notify-v3-deprecated', v1.history, v1.workflowId), DeterminismViolationError);
  });
});
