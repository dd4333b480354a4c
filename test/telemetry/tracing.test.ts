import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { projectRoot } from '../../src/paths';
import { freePort } from '../../src/runtime/free-port';
import { startRunStack, waitFor } from '../command-runs/support';
import { freshEventFrom, rawBodyOf } from '../pulses/support';
import { signWebhookBody } from '../simulators/heroku/webhook-signature';
import type { ConnectedIntegration } from '../support/fixtures';
import { ADMIN_TOKEN, type Stack } from '../support/stack';
import { OtlpReceiver, type ReceivedSpan } from './otlp-receiver';

const CONFIG_VAR_VALUE = 'tracing-config-var-value-4f9e2a';
const OUTPUT_MARKER = 'traced-command-output-7c1d';

/**
 * dynopulse started as users start it (`node dist/src/main.js`, API and worker) with the standard
 * OpenTelemetry variables pointing at an OTLP/HTTP receiver in this test, against the shared
 * Temporal server and PostgreSQL and the simulators.
 */
describe('OpenTelemetry traces over OTLP/HTTP', function () {
  this.timeout(180_000);
  let stack: Stack;
  let integration: ConnectedIntegration;
  let receiver: OtlpReceiver;
  let child: ChildProcess;
  let apiUrl: string;

  before(async () => {
    receiver = await OtlpReceiver.start();
    ({ stack, integration } = await startRunStack({ apps: [{ name: 'app-one', configVars: { SECRET_THING: CONFIG_VAR_VALUE } }], stack: { inProcessWorker: false } }));
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--enable-source-maps', path.join(projectRoot, 'dist', 'src', 'main.js')], {
      env: {
        ...process.env,
        ...stack.env,
        PORT: String(port),
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_SERVICE_NAME: 'dynopulse-under-test',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test',
        OTEL_BSP_SCHEDULE_DELAY: '200',
        NODE_EXTRA_CA_CERTS: path.join(projectRoot, 'test', 'fixtures', 'tls', 'ca.pem'),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    await waitFor('dynopulse to start', async () => out, (o) => o.includes('dynopulse is running') || child.exitCode !== null);
    assert.equal(child.exitCode, null, out);
  });

  after(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    await stack?.close();
    await receiver?.close();
  });

  const api = (pathname: string, init: RequestInit = {}) =>
    fetch(`${apiUrl}${pathname}`, { ...init, headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' } });
  const named = (name: string) => receiver.spans.filter((s) => s.name === name);

  it('one trace tells a command run: POST /api/command-runs → workflow start → RunCommandOnHeroku → its activities → the Heroku and Slack calls', async () => {
    const id = `traced-${randomUUID()}`;
    const res = await api('/api/command-runs', { method: 'POST', body: JSON.stringify({ id, integrationId: integration.integrationId, appName: 'app-one', command: `echo ${OUTPUT_MARKER}`, slackChannels: ['#ops'] }) });
    assert.equal(res.status, 202, await res.text());
    await waitFor('the run to end', async () => ((await (await api(`/api/command-runs/${id}`)).json()) as { status: string }).status, (s) => ['succeeded', 'failed'].includes(s));

    const root = await waitFor('the request span', async () => named('POST /api/command-runs')[0], (s) => s !== undefined);
    assert.ok(root);
    assert.equal(root.parentSpanId, undefined, 'the request is the root');
    assert.equal(root.attributes['http.route'], '/api/command-runs');
    assert.equal(root.resource['service.name'], 'dynopulse-under-test');
    assert.equal(root.resource['deployment.environment'], 'test');
    const inTrace = (name: string) => receiver.spans.filter((s) => s.traceId === root.traceId && s.name.startsWith(name));
    const needed = ['StartWorkflow:RunCommandOnHeroku', 'RunWorkflow:RunCommandOnHeroku', 'RunActivity:createRunDyno', 'RunActivity:streamRunOutput', 'RunActivity:postRunOutputToSlack', 'Heroku POST /apps/{app}/dynos', 'Slack files.completeUploadExternal'];
    await waitFor('every step in the trace', async () => needed.map((n) => inTrace(n).length), (counts) => counts.every((c) => c > 0));
    // Each step hangs under the request: its ancestors reach the root.
    for (const name of needed) {
      const span = inTrace(name)[0] as ReceivedSpan;
      assert.ok(receiver.ancestors(span).some((a) => a.spanId === root.spanId), `${name} is under the request span`);
    }
    const herokuCall = inTrace('Heroku POST /apps/{app}/dynos')[0] as ReceivedSpan;
    assert.ok(receiver.ancestors(herokuCall).some((a) => a.name === 'RunActivity:createRunDyno'), 'the Heroku call is under its activity');
  });

  it('a webhook delivery: its span, its storage and the commit-lookup workflow it starts', async () => {
    const deploy = await stack.heroku.deploy('app-one', { omitSlugCommit: true });
    await stack.heroku.waitForDeliveriesSettled();
    const releaseEvent = deploy.events.find((e) => e.include === 'api:release' && e.status === 'succeeded') ?? deploy.events.at(-1);
    assert.ok(releaseEvent);
    const body = JSON.stringify(freshEventFrom(rawBodyOf(stack.heroku, releaseEvent.id)));
    const secret = integration.webhooks.get('app-one')?.secret ?? '';
    const res = await fetch(`${apiUrl}/webhooks/heroku/${integration.integrationId}`, { method: 'POST', body, headers: { 'Content-Type': 'application/json', 'Heroku-Webhook-Hmac-SHA256': signWebhookBody(secret, body) } });
    assert.equal(res.status, 200, await res.text());

    const root = await waitFor('the delivery span', async () => named('POST /webhooks/heroku/:integrationId')[0], (s) => s !== undefined);
    assert.ok(root);
    const stored = await waitFor('the storage span', async () => receiver.spans.find((s) => s.name === 'store Heroku delivery' && s.parentSpanId === root.spanId), (s) => s !== undefined);
    assert.equal(stored?.attributes['heroku.app'], 'app-one');
    const lookup = await waitFor('the commit lookup start', async () => receiver.spans.find((s) => s.traceId === root.traceId && s.name === 'StartWorkflow:EnrichHerokuPulse'), (s) => s !== undefined);
    assert.ok(lookup);
  });

  it('no span carries a token, a webhook secret, a config var value or command output', async () => {
    const secrets = [ADMIN_TOKEN, CONFIG_VAR_VALUE, OUTPUT_MARKER, integration.webhooks.get('app-one')?.secret ?? 'x', stack.env.SLACK_BOT_TOKEN ?? 'x', stack.env.ENCRYPTION_KEY ?? 'x'];
    secrets.push(await integration.tokens.get());
    const everything = receiver.rawBodies.join('\n');
    assert.ok(receiver.spans.length > 10, 'spans arrived');
    for (const secret of secrets) assert.ok(!everything.includes(secret), `a span holds ${secret.slice(0, 6)}…`);
  });
});
