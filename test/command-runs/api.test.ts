import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Payload } from '@temporalio/common';
import { after, before, describe, it } from 'mocha';
import { HerokuAppKey, IncidentIdKey, IntegrationIdKey } from '../../src/temporal/search-attributes';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack } from '../support/stack';
import { FINAL, getOutput, getRun, postRun, startRunStack, waitFor } from './support';

describe('command-runs API: start, status, live output', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  before(async () => ({ stack, integration } = await startRunStack({ apps: [{ name: 'app-api' }] })));
  after(async () => stack?.close());

  const valid = () => ({ integrationId: integration.integrationId, appName: 'app-api', command: 'echo {{ incident.id }}', incident: { id: 'INC-A' } });

  it('answers 400 with a clear message for invalid input, and creates no run, no workflow, no dyno', async () => {
    const workflowsBefore = (await stack.h.temporal.workflow.count(`TaskQueue = '${stack.config.temporal.taskQueue}'`)).count;
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ ...valid(), integrationId: randomUUID() }, 'unknown_integration', /unknown integration/],
      [{ ...valid(), integrationId: 'not-a-uuid' }, 'invalid_input', /integrationId: unknown integration/],
      [{ ...valid(), command: '' }, 'invalid_input', /command must not be empty/],
      [{ ...valid(), appName: 'Bad App!' }, 'invalid_input', /not a valid Heroku app name/],
      [{ ...valid(), dynoSize: 'performance-m' }, 'invalid_input', /dynoSize must be standard-1X or standard-2X/],
      [{ ...valid(), timeToLiveSeconds: 2.5 }, 'invalid_input', /whole number/],
      [{ ...valid(), timeToLiveSeconds: 0 }, 'invalid_input', /must be positive/],
      [{ ...valid(), command: 'echo {{ incident.nope }}' }, 'template_error', /undefined variable: incident.nope/],
      [{ ...valid(), command: '{% include "x" %}' }, 'template_error', /include.*not available/],
      [{ ...valid(), id: 'bad id!' }, 'invalid_input', /^id must be/],
    ];
    for (const [body, code, message] of cases) {
      const res = await postRun(stack, body);
      const error = res.json['error'] as { code: string; message: string };
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(error.code, code, JSON.stringify(res.json));
      assert.match(error.message, message);
    }
    const disconnected = randomUUID();
    await stack.h.db('integrations').insert({ id: disconnected, org_id: 'org-x', status: 'disconnected' });
    const refused = await postRun(stack, { ...valid(), integrationId: disconnected });
    assert.equal(refused.status, 400);
    assert.match((refused.json['error'] as { message: string }).message, /is disconnected, not connected/);

    assert.equal(stack.heroku.dynos('app-api').length, 0);
    assert.equal((await stack.h.db('command_runs').where({ app_name: 'app-api' })).length, 0);
    assert.equal((await stack.h.temporal.workflow.count(`TaskQueue = '${stack.config.temporal.taskQueue}'`)).count, workflowsBefore);
  });

  it('starts one run for the same id posted twice (while running and after the end), and refuses the id for another input', async () => {
    const id = `same-${randomUUID()}`;
    const body = { ...valid(), id, command: 'sleep 1; echo once' };
    const first = await postRun(stack, body);
    const second = await postRun(stack, body);
    assert.equal(first.status, 202);
    assert.deepEqual(second, first);
    assert.deepEqual(first.json, { id, workflowId: `heroku-run-${id}` });
    await waitFor('the run to end', () => getRun(stack, id), (r) => FINAL.includes(r.status));
    const third = await postRun(stack, body);
    assert.equal(third.status, 202);
    assert.equal(stack.heroku.dynos('app-api').filter((d) => d.spec.command.includes(id)).length, 1);
    assert.equal(await getOutput(stack, id), 'once\n');

    const other = await postRun(stack, { ...body, command: 'echo different' });
    assert.equal(other.status, 409);
  });

  it('shows the run status live and streams the output while it grows', async () => {
    const id = `live-${randomUUID()}`;
    // The command prints, then waits until the test lets it finish: no race with the reader.
    const posted = await postRun(stack, { ...valid(), id, command: 'echo "tick 1"; while [ ! -e release ]; do sleep 0.1; done; echo "tick 2"' });
    assert.equal(posted.status, 202);
    const running = await waitFor('the run to be running', () => getRun(stack, id), (r) => r.status === 'running' || FINAL.includes(r.status));
    assert.equal(running.status, 'running');
    assert.match(running.dynoName ?? '', /^run\.\d+$/);

    const res = await stack.api(`/api/command-runs/${id}/output`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes('\n')) text += Buffer.from((await reader.read()).value ?? []).toString('utf8');
    assert.equal(text, 'tick 1\n');
    assert.equal((await getRun(stack, id)).status, 'running', 'the output arrived while the command still runs');

    // The stream activity heartbeats its progress (what the Temporal UI shows on the pending activity).
    const progress = await waitFor('a heartbeat with progress', () => heartbeatProgress(stack, `heroku-run-${id}`), (p) => (p?.bytes ?? 0) >= 7);
    assert.deepEqual(progress, { bytes: 7, lines: 1 });

    const dyno = stack.heroku.dynos('app-api').find((d) => d.spec.command.includes(id));
    writeFileSync(path.join(dyno?.workdir ?? '', 'release'), '');
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += Buffer.from(chunk.value).toString('utf8');
    assert.equal(text, 'tick 1\ntick 2\n', 'the response ends once the run is over');

    const done = await getRun(stack, id);
    assert.equal(done.status, 'succeeded');
    assert.equal(done.outputBytes, Buffer.byteLength(text));
    // What the Temporal UI shows: a summary, the search attributes, the last progress line.
    const description = await stack.h.temporal.workflow.getHandle(done.workflowId).describe();
    assert.equal(await description.staticSummary(), 'Run `echo "tick 1"; while [ ! -e release ]; do sleep 0.1; done; echo "tick 2"` on **app-api** for incident INC-A');
    assert.equal(description.typedSearchAttributes.get(HerokuAppKey), 'app-api');
    assert.equal(description.typedSearchAttributes.get(IncidentIdKey), 'INC-A');
    assert.equal(description.typedSearchAttributes.get(IntegrationIdKey), integration.integrationId);
    assert.ok(done.finishedAt !== null && done.startedAt <= done.finishedAt);
    assert.deepEqual(Object.keys(done).slice(0, 13), ['id', 'status', 'appName', 'dynoId', 'dynoName', 'dynoSize', 'timeToLiveSeconds', 'exitCode', 'timedOut', 'outputBytes', 'startedAt', 'finishedAt', 'error']);
  });

  it('answers 404 for an unknown run and its output', async () => {
    assert.equal((await stack.api('/api/command-runs/nope')).status, 404);
    assert.equal((await stack.api('/api/command-runs/nope/output')).status, 404);
  });
});

/** The details of the last heartbeat of the run's stream activity, decoded as a client would. */
async function heartbeatProgress(stack: Stack, workflowId: string): Promise<{ bytes: number; lines: number } | undefined> {
  const description = await stack.h.temporal.workflow.getHandle(workflowId).describe();
  const payload = description.raw.pendingActivities?.find((a) => a.activityType?.name === 'streamRunOutput')?.heartbeatDetails?.payloads?.[0];
  if (!payload) return undefined;
  const { payloadCodecs, payloadConverter } = stack.h.temporal.workflow.options.loadedDataConverter;
  let payloads = [payload as Payload];
  for (const codec of [...payloadCodecs].reverse()) payloads = await codec.decode(payloads);
  return payloadConverter.fromPayload(payloads[0] as Payload);
}
