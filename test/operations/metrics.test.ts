import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import { createApi } from '../../src/api/app';
import { ConfigError, loadConfig } from '../../src/config';
import { serve } from '../support/api-client';
import { freePort } from '../../src/runtime/free-port';
import { ADMIN_TOKEN, type Stack } from '../support/stack';
import type { ConnectedIntegration } from '../support/fixtures';
import { FINAL, startRunStack, waitFor, type RunView } from '../command-runs/support';
import { metricValue, scrape, spawnDynopulse, type DynopulseProcess } from './dynopulse-process';

describe('GET /metrics (a real `main.js all` process)', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  let proc: DynopulseProcess;
  let apiUrl: string;

  before(async function () {
    this.timeout(180_000);
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    // Heroku delivers this integration's webhooks to the spawned process (PUBLIC_URL).
    ({ stack, integration } = await startRunStack({ apps: [{ name: 'app-metrics' }], stack: { inProcessWorker: false, env: { PUBLIC_URL: apiUrl } } }));
    proc = await spawnDynopulse('all', { ...stack.env, PORT: String(port), PUBLIC_URL: apiUrl, LOG_LEVEL: 'info' }, stack.h.logFile);
  });
  after(async () => {
    if (proc) assert.equal(await proc.stop(), 0);
    await stack?.close();
  });

  const api = (pathname: string, init: RequestInit = {}) =>
    fetch(`${apiUrl}${pathname}`, { ...init, headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json', ...(init.headers as Record<string, string> | undefined) } });

  it('counts requests by route, webhook deliveries accepted / rejected / deduplicated, command runs by status, Slack posts and Heroku calls, next to the Temporal worker metrics', async function () {
    this.timeout(120_000);
    const before = await scrape(`${apiUrl}/metrics`);
    const delta = (text: string, name: string, labels: Record<string, string> = {}) => metricValue(text, name, labels) - metricValue(before, name, labels);

    // A deploy whose first delivery is forged (401, then retried correctly signed), and one whose
    // first delivery arrives twice (the copy is deduplicated).
    stack.heroku.forgeNextDeliveries(1);
    await stack.heroku.deploy('app-metrics');
    await stack.heroku.waitForDeliveriesSettled();
    stack.heroku.duplicateNextDeliveries(1);
    await stack.heroku.deploy('app-metrics');
    await stack.heroku.waitForDeliveriesSettled();
    const attempts = stack.heroku.deliveries.flatMap((d) => d.attempts).filter((a) => a.url.startsWith(apiUrl));
    const forged = attempts.filter((a) => a.forged);
    assert.ok(forged.length >= 1 && forged.every((a) => a.responseStatus === 401), 'the forged delivery was refused');
    assert.ok(attempts.some((a) => a.duplicate && a.responseStatus === 200), 'a byte-identical copy was answered 200');

    const id = randomUUID();
    const posted = await api('/api/command-runs', {
      method: 'POST',
      body: JSON.stringify({ id, integrationId: integration.integrationId, appName: 'app-metrics', command: 'echo hello from the metrics test', slackChannels: ['#ops'] }),
    });
    assert.equal(posted.status, 202, await posted.text());
    const run = await waitFor(`run ${id} to end`, async () => (await (await api(`/api/command-runs/${id}`)).json()) as RunView, (r) => FINAL.includes(r.status));
    assert.equal(run.status, 'succeeded', JSON.stringify(run));

    await stack.heroku.waitForDeliveriesSettled(); // the run's dyno sends api:dyno events too
    // The run's row says succeeded one workflow task before the workflow completes: scrape once the worker has counted that too.
    const workflowCompleted = (t: string) => metricValue(t, 'temporal_workflow_completed_total', { task_queue: stack.config.temporal.taskQueue, workflow_type: 'RunCommandOnHeroku' });
    const text = await waitFor('the run workflow counted as completed', () => scrape(`${apiUrl}/metrics`), (t) => workflowCompleted(t) >= 1);
    // Webhook deliveries, as Heroku saw them answered.
    const answered = stack.heroku.deliveries.flatMap((d) => d.attempts).filter((a) => a.url.startsWith(apiUrl));
    const stored = Number((await stack.h.db('heroku_webhook_events').where({ integration_id: integration.integrationId }).count<{ count: string }[]>('* as count'))[0]?.count);
    assert.ok(stored >= 2);
    assert.equal(delta(text, 'dynopulse_webhook_deliveries_total', { outcome: 'accepted' }), stored, 'one acceptance per stored event');
    assert.equal(delta(text, 'dynopulse_webhook_deliveries_total', { outcome: 'rejected', reason: 'invalid_signature' }), forged.length);
    assert.equal(
      delta(text, 'dynopulse_webhook_deliveries_total', { outcome: 'deduplicated' }),
      answered.filter((a) => a.responseStatus === 200).length - stored,
      'every other 200 was a duplicate',
    );
    assert.ok(delta(text, 'dynopulse_webhook_deliveries_total', { outcome: 'deduplicated' }) >= 1);
    // Group commit: every delivery answered 200 went through exactly one store statement.
    const statements = delta(text, 'dynopulse_webhook_store_group_size_count');
    assert.equal(delta(text, 'dynopulse_webhook_store_group_size_sum'), answered.filter((a) => a.responseStatus === 200).length, 'deliveries stored by group statements');
    assert.ok(statements >= 1 && statements <= answered.length, `${statements} statements`);
    // HTTP requests by route template, never by path.
    assert.equal(delta(text, 'dynopulse_http_requests_total', { method: 'POST', route: '/webhooks/heroku/:integrationId', status: '401' }), forged.length);
    assert.equal(delta(text, 'dynopulse_http_requests_total', { method: 'POST', route: '/api/command-runs', status: '202' }), 1);
    assert.ok(delta(text, 'dynopulse_http_requests_total', { method: 'GET', route: '/api/command-runs/:id', status: '200' }) >= 1);
    assert.ok(delta(text, 'dynopulse_http_request_duration_seconds_count', { method: 'GET', route: '/api/command-runs/:id' }) >= 1);
    // The run, its Slack post, its Heroku calls.
    assert.equal(delta(text, 'dynopulse_command_runs_finished_total', { status: 'succeeded' }), 1);
    assert.equal(delta(text, 'dynopulse_slack_posts_total', { outcome: 'posted' }), 1);
    assert.equal(delta(text, 'dynopulse_heroku_api_requests_total', { method: 'POST', status: '201' }), 1, 'one dyno created');
    assert.ok(delta(text, 'dynopulse_heroku_api_requests_total', { method: 'GET', status: '200' }) >= 1);
    // Label values are templates and outcomes: no id of the integration, the run or a delivery.
    for (const value of [integration.integrationId, id, ...answered.map((a) => a.id)]) assert.ok(!text.includes(value), `${value} appears in /metrics`);

    // The Temporal runtime's metrics, merged in.
    const queue = { task_queue: stack.config.temporal.taskQueue };
    assert.ok(metricValue(text, 'temporal_worker_task_slots_available', { ...queue, worker_type: 'ActivityWorker' }) > 0, 'activity task slots');
    assert.ok(metricValue(text, 'temporal_worker_task_slots_available', { ...queue, worker_type: 'WorkflowWorker' }) > 0, 'workflow task slots');
    assert.ok(metricValue(text, 'temporal_activity_execution_latency_seconds_count', { ...queue, activity_type: 'createRunDyno' }) >= 1);
    assert.ok(metricValue(text, 'temporal_activity_schedule_to_start_latency_seconds_count', queue) >= 1);
    // The process's own, from prom-client.
    assert.ok(metricValue(text, 'process_resident_memory_bytes') > 0);
  });
});

describe('METRICS_ADDRESS: metrics on a listener of their own', () => {
  let stack: Stack;
  let worker: DynopulseProcess | undefined;
  before(async function () {
    this.timeout(120_000);
    ({ stack } = await startRunStack({ apps: [{ name: 'app-metrics-worker' }], stack: { inProcessWorker: false } }));
  });
  after(async () => {
    if (worker) assert.equal(await worker.stop(), 0);
    await stack?.close();
  });

  it('lets a worker-only process be scraped, Temporal worker metrics included', async function () {
    this.timeout(120_000);
    const port = await freePort();
    worker = await spawnDynopulse('worker', { ...stack.env, METRICS_ADDRESS: `127.0.0.1:${port}` }, stack.h.logFile);
    assert.match(worker.output(), new RegExp(`Metrics: +http://127\\.0\\.0\\.1:${port}/metrics`));
    const text = await scrape(`http://127.0.0.1:${port}/metrics`);
    assert.ok(metricValue(text, 'temporal_worker_task_slots_available', { task_queue: stack.config.temporal.taskQueue, worker_type: 'ActivityWorker' }) > 0);
    assert.ok(metricValue(text, 'process_resident_memory_bytes') > 0);
    assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
  });

  it('takes /metrics off the API port when set', async () => {
    const config = loadConfig({ ...stack.env, METRICS_ADDRESS: '127.0.0.1:9464' });
    const server = await serve(createApi({ config, db: stack.h.db, temporal: stack.h.temporal, box: stack.h.box, logger: stack.h.logger }));
    try {
      assert.equal((await fetch(`${server.url}/metrics`)).status, 404);
    } finally {
      await server.close();
    }
    const open = await fetch(`${stack.apiUrl}/metrics`);
    assert.equal(open.status, 200, 'unset, the API serves it without the admin token');
  });
});

describe('METRICS_ADDRESS validation', () => {
  const base = { DATABASE_URL: 'postgres://localhost/x', ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') };
  it('accepts host:port (name, IPv4 or [IPv6]) and refuses anything else with one clear line', () => {
    assert.deepEqual(loadConfig({ ...base, METRICS_ADDRESS: '0.0.0.0:9464' }).metricsAddress, { host: '0.0.0.0', port: 9464 });
    assert.deepEqual(loadConfig({ ...base, METRICS_ADDRESS: '[::1]:9464' }).metricsAddress, { host: '::1', port: 9464 });
    assert.deepEqual(loadConfig({ ...base, METRICS_ADDRESS: 'metrics.internal:80' }).metricsAddress, { host: 'metrics.internal', port: 80 });
    assert.equal(loadConfig(base).metricsAddress, undefined);
    for (const bad of ['9464', 'http://0.0.0.0:9464', '0.0.0.0:99999', '0.0.0.0:0', 'host:port']) {
      assert.throws(
        () => loadConfig({ ...base, METRICS_ADDRESS: bad }),
        (err: unknown) => err instanceof ConfigError && err.problems.length === 1 && (err.problems[0] ?? '').startsWith('METRICS_ADDRESS: '),
        bad,
      );
    }
  });
});
