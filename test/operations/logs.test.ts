import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import { freePort } from '../../src/runtime/free-port';
import { ADMIN_TOKEN, OAUTH_CLIENT, SLACK_BOT_TOKEN, startStack, type Stack } from '../support/stack';
import { consent, openCallback } from '../integrations/support';
import { FINAL, waitFor, type RunView } from '../command-runs/support';
import { scrape, spawnDynopulse, type DynopulseProcess, type LogLine } from './dynopulse-process';

const APP = 'app-logs';
/** A config var value the command prints: it must reach neither logs nor metrics (nor the output, redacted). */
const CONFIG_SECRET = 'cfg-value-that-must-not-leak-7f3a9c';

describe('logs (a real `main.js all` process at LOG_LEVEL=trace)', () => {
  let stack: Stack;
  let proc: DynopulseProcess;
  let apiUrl: string;
  let integrationId: string;
  let runId: string;

  const api = (pathname: string, init: RequestInit = {}) =>
    fetch(`${apiUrl}${pathname}`, { ...init, headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json', ...(init.headers as Record<string, string> | undefined) } });

  before(async function () {
    this.timeout(240_000);
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    stack = await startStack({ inProcessWorker: false, env: { PUBLIC_URL: apiUrl }, slack: { channels: [{ id: 'C1', name: 'ops', isMember: true }] } });
    proc = await spawnDynopulse('all', { ...stack.env, PORT: String(port), PUBLIC_URL: apiUrl, LOG_LEVEL: 'trace' }, stack.h.logFile);

    // Install through OAuth (tokens issued to this process), a deploy (signed webhooks), a command run.
    const account = stack.heroku.createAccount({ email: `sre-${randomUUID().slice(0, 8)}@example.com` });
    stack.heroku.createApp({ name: APP, owner: account.id, configVars: { SECRET_VALUE: CONFIG_SECRET } });
    stack.heroku.setBrowserUser(account.id);
    const created = await api('/api/integrations/heroku', { method: 'POST', body: JSON.stringify({ orgId: 'org-logs', apps: [APP] }) });
    assert.equal(created.status, 201);
    const { id, authorizeUrl } = (await created.json()) as { id: string; authorizeUrl: string };
    integrationId = id;
    assert.equal((await openCallback(await consent(authorizeUrl))).status, 200);
    await waitFor('the install', async () => (await (await api(`/api/integrations/heroku/${id}`)).json()) as { status: string }, (i) => i.status === 'connected');

    await stack.heroku.deploy(APP);
    await stack.heroku.waitForDeliveriesSettled();

    runId = randomUUID();
    const posted = await api('/api/command-runs', {
      method: 'POST',
      body: JSON.stringify({ id: runId, integrationId, appName: APP, command: 'echo start; printenv SECRET_VALUE', slackChannels: ['#ops'] }),
    });
    assert.equal(posted.status, 202);
    const run = await waitFor('the run', async () => (await (await api(`/api/command-runs/${runId}`)).json()) as RunView, (r) => FINAL.includes(r.status));
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
  });
  after(async () => {
    if (proc) assert.equal(await proc.stop(), 0);
    await stack?.close();
  });

  it('tags every line of a request with the id answered in X-Request-Id', async () => {
    const res = await api(`/api/integrations/heroku/${integrationId}`);
    const requestId = res.headers.get('x-request-id');
    assert.ok(requestId);
    const own = await api('/api/pulses?orgId=org-logs', { headers: { 'X-Request-Id': 'caller-chosen-id-42' } });
    assert.equal(own.headers.get('x-request-id'), 'caller-chosen-id-42');

    // Lines are written as the response leaves; wait for the access lines.
    const linesOf = (rid: string) => proc.logs().filter((l) => l.requestId === rid);
    await waitFor('the access lines', async () => [linesOf(requestId), linesOf('caller-chosen-id-42')], ([a, b]) => a.some(isAccessLine) && b.some(isAccessLine));
    assert.deepEqual(linesOf(requestId).filter(isAccessLine).map((l) => [l.method, l.path, l.status]), [['GET', `/api/integrations/heroku/${integrationId}`, 200]]);

    // Deeper lines of a request carry it too: the webhook receiver's "recorded" line.
    const recorded = proc.logs().filter((l) => l.msg === 'Heroku event recorded');
    assert.ok(recorded.length >= 2, 'the deploy was recorded');
    for (const line of recorded) {
      assert.equal(typeof line.requestId, 'string');
      assert.ok(linesOf(line.requestId as string).some((l) => isAccessLine(l) && l.path === `/webhooks/heroku/${integrationId}` && l.status === 200));
    }
  });

  it('tags activity lines with workflowId, runId and activityType', async () => {
    const workflowId = `heroku-run-${runId}`;
    const { runId: temporalRunId } = await stack.h.temporal.workflow.getHandle(workflowId).describe();
    const lines = proc.logs().filter((l) => l.workflowId === workflowId);
    const byMessage = (msg: string) => lines.find((l) => l.msg === msg);
    assert.deepEqual(pick(byMessage('dyno created'), ['workflowId', 'runId', 'activityType', 'commandRunId']), { workflowId, runId: temporalRunId, activityType: 'createRunDyno', commandRunId: runId });
    assert.deepEqual(pick(byMessage('output stream ended'), ['runId', 'activityType']), { runId: temporalRunId, activityType: 'streamRunOutput' });
    assert.deepEqual(pick(byMessage('command run finished'), ['runId', 'activityType', 'status']), { runId: temporalRunId, activityType: 'finishCommandRun', status: 'succeeded' });
    // The SDK's own activity lines (at debug) name the workflow run as workflowRunId.
    const install = proc.logs().filter((l) => l.workflowId === `heroku-install-${integrationId}` && l.msg === 'Activity completed');
    assert.ok(install.length >= 1);
    for (const l of install) assert.ok(typeof l.activityType === 'string' && typeof l.workflowRunId === 'string', JSON.stringify(l));
  });

  it('never prints a secret: tokens, webhook secret, config var values, admin token, client secrets, the encryption key', async () => {
    const metrics = await scrape(`${apiUrl}/metrics`);
    const secrets: [string, string][] = [
      ...stack.heroku.issuedTokens().map((t): [string, string] => ['a Heroku access or refresh token', t]),
      ...stack.heroku.webhooksOf(APP).map((w): [string, string] => ['the webhook secret', w.secret]),
      ['a config var value', CONFIG_SECRET],
      ['the admin token', ADMIN_TOKEN],
      ['the OAuth client secret', OAUTH_CLIENT.secret],
      ['the Slack bot token', SLACK_BOT_TOKEN],
      ['the encryption key', stack.env.ENCRYPTION_KEY as string],
    ];
    assert.ok(stack.heroku.issuedTokens().length >= 2, 'the install got an access and a refresh token');
    assert.equal(stack.heroku.webhooksOf(APP).length, 1);
    const logs = proc.output();
    assert.ok(proc.logs().some((l) => l.level === 'trace'), 'trace logs were captured');
    for (const [what, value] of secrets) {
      assert.ok(value.length >= 8);
      assert.ok(!logs.includes(value), `${what} appears in the logs`);
      assert.ok(!metrics.includes(value), `${what} appears in /metrics`);
    }
  });
});

function isAccessLine(l: LogLine): boolean {
  return l.msg === 'request';
}

function pick(line: LogLine | undefined, keys: string[]): Record<string, unknown> {
  assert.ok(line, 'log line missing');
  return Object.fromEntries(keys.map((k) => [k, line[k]]));
}
