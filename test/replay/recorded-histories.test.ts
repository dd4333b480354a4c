import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { before, describe, it } from 'mocha';
import { createDataConverter, failureConverterPath } from '../../src/temporal/data-converter';
import * as workflows from '../../src/workflows';
import { ADMIN_TOKEN, OAUTH_CLIENT, SLACK_BOT_TOKEN } from '../support/stack';
import { payloadsOf, readRecordedHistories } from './history-file';
import { quietBundlerLogger } from './quiet-logger';

/** Workflow type names the worker registers (CONTRACT §4): every function src/workflows exports. */
const registeredTypes = Object.entries(workflows)
  .filter(([, value]) => typeof value === 'function')
  .map(([name]) => name)
  .sort();

describe('replay: recorded histories of every workflow type against the current workflow code', () => {
  const recorded = readRecordedHistories();
  let bundle: WorkflowBundle;

  before(async function () {
    this.timeout(120_000);
    bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), failureConverterPath, logger: quietBundlerLogger });
  });

  it('has a recorded history for every workflow type src/workflows exports (run `npm run record-histories` for a new one)', () => {
    assert.ok(registeredTypes.length >= 5, `found the workflow exports: ${registeredTypes.join(', ')}`);
    const missing = registeredTypes.filter((type) => !recorded.some((r) => r.workflowType === type));
    assert.deepEqual(missing, [], `workflow types without a recorded history: ${missing.join(', ')}`);
  });

  it('records no history of a type the worker no longer registers (its running executions would be stuck)', () => {
    const orphans = recorded.filter((r) => !registeredTypes.includes(r.workflowType)).map((r) => `${r.scenario} (${r.workflowType})`);
    assert.deepEqual(orphans, []);
  });

  it('holds histories that were recorded decoded and hold no secret of the recording stack', () => {
    for (const r of recorded) {
      const payloads = payloadsOf(JSON.parse(historyToJSON(r.history)));
      assert.ok(payloads.length > 0, `${r.scenario}: no payloads at all`);
      assert.deepEqual(payloads.filter((p) => p.encoding === 'binary/encrypted'), [], `${r.scenario}: encrypted payloads`);
      const text = payloads.map((p) => p.text).join('\n');
      for (const secret of [ADMIN_TOKEN, OAUTH_CLIENT.secret, SLACK_BOT_TOKEN]) assert.ok(!text.includes(secret), `${r.scenario} holds a secret`);
    }
  });

  for (const r of recorded) {
    it(`replays ${r.workflowType}: ${r.scenario} (${r.description})`, async () => {
      const [first] = r.history.events ?? [];
      assert.equal(first?.workflowExecutionStartedEventAttributes?.workflowType?.name, r.workflowType);
      // Payloads are stored decoded; the production data converter passes them through (and its
      // failure converter still reads the encoded failure attributes), so any key will do.
      await Worker.runReplayHistory({ workflowBundle: bundle, dataConverter: createDataConverter(randomBytes(32)) }, r.history, r.workflowId);
    });
  }
});
