import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'mocha';
import { projectRoot } from '../../src/paths';
import { locateTemporalCli } from '../../src/temporal/cli-binary';
import { HerokuAppKey, IncidentIdKey, IntegrationIdKey } from '../../src/temporal/search-attributes';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack } from '../support/stack';
import { failureOf, FINAL, getOutput, getRun, startRunStack, waitFor } from './support';

describe('RunCommandOnHeroku started directly (Temporal client and CLI, plain JSON input)', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  before(async () => ({ stack, integration } = await startRunStack({ apps: [{ name: 'app-direct' }] })));
  after(async () => stack?.close());

  const start = (workflowId: string, input: unknown) =>
    stack.h.temporal.workflow.start('RunCommandOnHeroku', { taskQueue: stack.config.temporal.taskQueue, workflowId, args: [input] });

  it('runs from a Temporal client with the workflow type name, records the run, and sets the search attributes', async () => {
    const runId = `client-${randomUUID()}`;
    const handle = await start(`heroku-run-${runId}`, { integrationId: integration.integrationId, appName: 'app-direct', command: 'echo {{ incident.title }}', incident: { id: 'INC-D', title: 'via client' } });
    const result = await handle.result();
    assert.equal(result.runId, runId);
    assert.equal(result.exitCode, 0);
    assert.equal(await getOutput(stack, runId), 'via client\n');
    assert.equal((await getRun(stack, runId)).status, 'succeeded');
    const attributes = (await handle.describe()).typedSearchAttributes;
    assert.equal(attributes.get(HerokuAppKey), 'app-direct');
    assert.equal(attributes.get(IncidentIdKey), 'INC-D');
    assert.equal(attributes.get(IntegrationIdKey), integration.integrationId);
  });

  it('runs from `temporal workflow start --type RunCommandOnHeroku` with JSON input (any workflow id is the run id)', async () => {
    const cli = await locateTemporalCli({ projectRoot, onProvision: () => undefined });
    const workflowId = `cli-${randomUUID()}`;
    const input = { integrationId: integration.integrationId, appName: 'app-direct', command: 'echo from the cli; exit 2' };
    await promisify(execFile)(cli, ['workflow', 'start', '--address', stack.h.temporalAddress, '--namespace', stack.h.namespace, '--task-queue', stack.config.temporal.taskQueue, '--type', 'RunCommandOnHeroku', '--workflow-id', workflowId, '--input', JSON.stringify(input)]);
    // The row appears once the worker picked the run up.
    const statusOf = async () => {
      const res = await stack.api(`/api/command-runs/${workflowId}`);
      return res.status === 200 ? ((await res.json()) as { status: string; exitCode: number | null }) : null;
    };
    const done = await waitFor('the CLI run to end', statusOf, (r) => r !== null && FINAL.includes(r.status));
    assert.equal(done?.status, 'failed');
    assert.equal(done?.exitCode, 2);
    assert.equal(await getOutput(stack, workflowId), 'from the cli\n');
  });

  it('fails without retrying, with a clear message, and creates no dyno, for invalid input, a template error or an unknown integration', async () => {
    const dynos = stack.heroku.dynos('app-direct').length;
    const base = { integrationId: integration.integrationId, appName: 'app-direct', command: 'echo ok' };
    const cases: [unknown, string, RegExp][] = [
      [{ ...base, dynoSize: 'performance-l' }, 'InvalidInput', /^Invalid RunCommandOnHeroku input: dynoSize: dynoSize must be standard-1X or standard-2X$/],
      [{ ...base, timeToLiveSeconds: -1 }, 'InvalidInput', /timeToLiveSeconds must be positive/],
      [{ ...base, command: '' }, 'InvalidInput', /command must not be empty/],
      ['not an object', 'InvalidInput', /Invalid RunCommandOnHeroku input/],
      [{ ...base, command: 'echo {{ incident.title | shout }}' }, 'CommandTemplateError', /^command template: undefined filter: shout/],
      [{ ...base, command: 'echo {{ nope }}' }, 'CommandTemplateError', /^command template: undefined variable: nope, line:1, col:9/],
      [{ ...base, integrationId: randomUUID() }, 'UnknownIntegration', /^unknown integration /],
      [{ ...base, appName: 'no-such-app' }, 'HerokuRefused', /^reading the config vars of no-such-app: Heroku answered 404 not_found/],
    ];
    for (const [input, type, message] of cases) {
      const workflowId = `invalid-${randomUUID()}`;
      await start(workflowId, input);
      const failure = await failureOf(stack, workflowId);
      assert.equal(failure.type, type, failure.message);
      assert.match(failure.message, message);
      const history = await stack.h.temporal.workflow.getHandle(workflowId).fetchHistory();
      const attempts = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes?.attempt);
      assert.ok(attempts.every((a) => a === 1), `no retries for ${JSON.stringify(input)}: ${JSON.stringify(attempts)}`);
    }
    assert.equal(stack.heroku.dynos('app-direct').length, dynos, 'no dyno was created');
  });
});
