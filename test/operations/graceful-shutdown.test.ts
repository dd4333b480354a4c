import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { after, afterEach, before, describe, it } from 'mocha';
import { ConfigError, loadConfig } from '../../src/config';
import { signWebhookBody } from '../simulators/heroku';
import { UPLOAD_METHOD } from '../simulators/slack';
import type { ConnectedIntegration } from '../support/fixtures';
import { freePort } from '../../src/runtime/free-port';
import type { Stack } from '../support/stack';
import { failureOf, getOutput, getRun, postRun, startRunStack, waitFor } from '../command-runs/support';
import { freshEventFrom, rawBodyOf } from '../pulses/support';
import { spawnDynopulse, type DynopulseProcess } from './dynopulse-process';

describe('SHUTDOWN_GRACE_SECONDS', () => {
  const base = { DATABASE_URL: 'postgres://localhost/x', ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') };
  it('defaults to 20 s, takes whole seconds from 0 to 3600, and refuses anything else with one clear line', () => {
    assert.equal(loadConfig(base).shutdownGraceSeconds, 20);
    assert.equal(loadConfig({ ...base, SHUTDOWN_GRACE_SECONDS: '0' }).shutdownGraceSeconds, 0);
    assert.equal(loadConfig({ ...base, SHUTDOWN_GRACE_SECONDS: '25' }).shutdownGraceSeconds, 25);
    for (const bad of ['-1', '1.5', '3601', 'soon']) {
      assert.throws(
        () => loadConfig({ ...base, SHUTDOWN_GRACE_SECONDS: bad }),
        (err: unknown) => err instanceof ConfigError && err.problems.length === 1 && (err.problems[0] ?? '').startsWith('SHUTDOWN_GRACE_SECONDS: '),
        bad,
      );
    }
  });
});

/** Past the grace period, what closing connections may take on a busy 2-core machine. */
const EXIT_MARGIN_MS = 10_000;

describe('graceful shutdown: the API on SIGTERM (a real `main.js all` process)', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  let proc: DynopulseProcess | undefined;
  let port: number;
  before(async function () {
    this.timeout(180_000);
    port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    ({ stack, integration } = await startRunStack({ apps: [{ name: 'app-drain' }], stack: { inProcessWorker: false, env: { PUBLIC_URL: publicUrl } } }));
    proc = await spawnDynopulse('all', { ...stack.env, PORT: String(port), PUBLIC_URL: publicUrl, LOG_LEVEL: 'info' }, stack.h.logFile);
  });
  after(async () => {
    await proc?.stop();
    await stack?.close();
  });

  it('answers a webhook delivery that is in flight (and stores it) while refusing new connections, then exits 0', async function () {
    this.timeout(120_000);
    assert.ok(proc);
    // A real build delivery's content as a new build (new event and build ids), signed with the app's webhook secret.
    const deploy = await stack.heroku.deploy('app-drain');
    await stack.heroku.waitForDeliveriesSettled();
    const event = freshEventFrom(rawBodyOf(stack.heroku, deploy.eventIds[0] as string), (e) => ((e['data'] as { id: string }).id = randomUUID()));
    const body = Buffer.from(JSON.stringify(event), 'utf8');
    const secret = integration.webhooks.get('app-drain')?.secret as string;

    // Headers and half the body; `Expect: 100-continue` makes the server say it is handling the request.
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(
      [
        `POST /webhooks/heroku/${integration.integrationId} HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        'Content-Type: application/json',
        `Content-Length: ${body.length}`,
        `Heroku-Webhook-Hmac-SHA256: ${signWebhookBody(secret, body)}`,
        'Expect: 100-continue',
        'Connection: close', // the server closes the connection once it has answered
        '',
        '',
      ].join('\r\n'),
    );
    await waitFor('100 Continue', async () => received, (r) => r.startsWith('HTTP/1.1 100 Continue'), 30_000);
    socket.write(body.subarray(0, body.length >> 1));

    const signalled = Date.now();
    proc.child.kill('SIGTERM');
    await waitFor('new connections to be refused', () => connectOutcome(port), (o) => o === 'ECONNREFUSED', 30_000);
    assert.equal(received, 'HTTP/1.1 100 Continue\r\n\r\n', 'still no answer: the request waits for its body');

    // (write, not end: a half-closed client connection would abort the request)
    socket.write(body.subarray(body.length >> 1));
    await closed;
    const [head, json] = received.slice(received.indexOf('\r\n\r\n') + 4).split('\r\n\r\n') as [string, string];
    assert.match(head, /^HTTP\/1\.1 200 OK/);
    assert.deepEqual(pickAnswer(JSON.parse(json)), { eventId: event['id'], duplicate: false });
    const stored = await stack.h.db('heroku_webhook_events').where({ integration_id: integration.integrationId, event_id: event['id'] as string }).first();
    assert.ok(stored, 'the delivery answered 200 during the shutdown is stored');

    assert.equal(await proc.exited, 0);
    assert.ok(Date.now() - signalled < 20_000 + EXIT_MARGIN_MS, 'exited within the grace period');
    assert.match(proc.output(), /"msg":"stopped API server"/);
    proc = undefined;
  });
});

describe('graceful shutdown: a worker streaming a run gets SIGTERM', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  const workers: DynopulseProcess[] = [];
  before(async function () {
    this.timeout(120_000);
    ({ stack, integration } = await startRunStack({ apps: [{ name: 'app-sigterm' }], stack: { inProcessWorker: false } }));
  });
  // Each test's workers end with it: a worker left polling would take the next test's activities.
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop();
  });
  after(() => stack?.close());

  const spawnWorker = async (graceSeconds: number) => {
    const w = await spawnDynopulse('worker', { ...stack.env, SHUTDOWN_GRACE_SECONDS: String(graceSeconds), LOG_LEVEL: 'info' }, stack.h.logFile);
    workers.push(w);
    return w;
  };

  it('a command longer than the grace period: exits in time; the next worker ends the run with one dyno, none left running, the output kept', async function () {
    this.timeout(180_000);
    const graceSeconds = 3;
    const first = await spawnWorker(graceSeconds);
    const id = randomUUID();
    const posted = await postRun(stack, {
      id,
      integrationId: integration.integrationId,
      appName: 'app-sigterm',
      command: 'for i in $(seq 1 6000); do echo "line $i"; sleep 0.01; done',
      slackChannels: ['#ops'],
    });
    assert.equal(posted.status, 202);
    await waitFor('output to be stored', () => getRun(stack, id), (r) => r.outputBytes > 0);

    const signalled = Date.now();
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    assert.ok(Date.now() - signalled < graceSeconds * 1000 + EXIT_MARGIN_MS, `exited ${Date.now() - signalled} ms after SIGTERM`);
    assert.match(first.output(), /output stream ended early: the activity was cancelled/);
    assert.ok(stack.heroku.dynos('app-sigterm').every((d) => d.endReason !== null), 'the dyno ended with its stream: none left running');

    await spawnWorker(20);
    const failure = await failureOf(stack, `heroku-run-${id}`);
    assert.equal(failure.type, 'OutputStreamLost');
    assert.match(failure.message, /\(its worker stopped, or lost Temporal for longer than the heartbeat timeout, while streaming\)/);
    const dynos = stack.heroku.dynos('app-sigterm');
    assert.equal(dynos.length, 1, 'exactly one dyno');
    assert.ok(dynos.every((d) => d.endReason !== null));
    const run = await getRun(stack, id);
    assert.equal(run.status, 'failed');
    const output = await getOutput(stack, id);
    const expected = Array.from({ length: 6000 }, (_, i) => `line ${i + 1}\n`).join('');
    assert.ok(output.length > 0 && expected.startsWith(output), output.slice(0, 80));
    assert.equal(Buffer.byteLength(output), run.outputBytes);
    assert.equal(stack.slack.files.length, 1, 'the output received was posted once');
  });

  it('a command that ends within the grace period: the worker waits for it (heartbeating), and the run succeeds with its whole output', async function () {
    this.timeout(180_000);
    const first = await spawnWorker(20);
    const id = randomUUID();
    // Longer than the stream's 10 s heartbeat timeout: the draining worker keeps heartbeating.
    const posted = await postRun(stack, {
      id,
      integrationId: integration.integrationId,
      appName: 'app-sigterm',
      command: 'for i in $(seq 1 30); do echo "line $i"; sleep 0.4; done; exit 0',
    });
    assert.equal(posted.status, 202);
    const dyno = () => stack.heroku.dynos('app-sigterm').find((d) => d.spec.command.includes(id));
    await waitFor('the command to print', async () => dyno(), (d) => d !== undefined && d.state === 'up' && d.outputBytes > 0);
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    assert.equal(dyno()?.exitCode, 0, 'the command ran to its end before the worker exited');
    assert.doesNotMatch(first.output(), /output stream ended early/);

    await spawnWorker(20);
    const run = await waitFor('the run to end', () => getRun(stack, id), (r) => r.finishedAt !== null);
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.equal(run.exitCode, 0);
    assert.equal(await getOutput(stack, id), Array.from({ length: 30 }, (_, i) => `line ${i + 1}\n`).join(''));
    assert.equal(stack.heroku.dynos('app-sigterm').filter((d) => d.spec.command.includes(id)).length, 1, 'one dyno');
  });

  it('a Slack upload that hangs: cancelled after the grace period, the worker exits in time, the next worker posts once', async function () {
    this.timeout(180_000);
    const graceSeconds = 2;
    const first = await spawnWorker(graceSeconds);
    stack.slack.faults.delay(UPLOAD_METHOD, 120_000); // Slack takes the bytes, then stalls
    const id = randomUUID();
    const posted = await postRun(stack, { id, integrationId: integration.integrationId, appName: 'app-sigterm', command: 'echo "for slack"', slackChannels: ['#ops'] });
    assert.equal(posted.status, 202);
    await waitFor('the upload to start', () => stack.h.db('command_runs').where({ id }).first('slack_upload_url'), (r: { slack_upload_url: string | null } | undefined) => !!r?.slack_upload_url);

    const signalled = Date.now();
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    assert.ok(Date.now() - signalled < graceSeconds * 1000 + EXIT_MARGIN_MS, `exited ${Date.now() - signalled} ms after SIGTERM`);
    assert.match(first.output(), /"activityType":"postRunOutputToSlack".*WORKER_SHUTDOWN.*"msg":"posting to Slack stopped: the activity was cancelled/);

    await spawnWorker(20);
    const run = await waitFor('the run to end', () => getRun(stack, id), (r) => r.finishedAt !== null);
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.deepEqual(run.slack.map((p) => p.status), ['posted']);
    const files = stack.slack.files.filter((f) => f.bytes.toString('utf8') === 'for slack\n');
    assert.equal(files.length, 1, 'posted once');
  });
});

function pickAnswer(answer: unknown): { eventId: unknown; duplicate: unknown } {
  const { eventId, duplicate } = answer as { eventId: unknown; duplicate: unknown };
  return { eventId, duplicate };
}

/** Tries a new TCP connection: 'connected' or the error code. */
function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}
