import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack } from '../support/stack';
import { getOutput, getRun, postRun, runToEnd, startRunStack, waitFor } from '../command-runs/support';

const FIR_DYNO = /^web-[0-9a-z]{10}-[0-9a-z]{5}$/;

describe('Run Command on a Fir app and a Cedar app of the same integration (README "On Fir")', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  before(async () => {
    ({ stack, integration } = await startRunStack({
      apps: [
        { name: 'fir-app', generation: 'fir', formation: { web: 2, worker: 1 }, configVars: { API_TOKEN: 'fir-s3cret-value' } },
        { name: 'cedar-app' },
      ],
    }));
  });
  after(async () => stack?.close());

  const base = () => ({ integrationId: integration.integrationId });
  const runInsideCalls = (app: string) => stack.heroku.calls.filter((c) => c.method === 'POST' && new RegExp(`^/apps/${app}/dynos/[^/]+$`).test(c.path));
  const createCalls = (app: string) => stack.heroku.calls.filter((c) => c.method === 'POST' && c.path === `/apps/${app}/dynos`);

  it('Fir: runs inside an up web dyno over SSH via run-inside, launcher prepended, exit code kept, output stored and redacted', async function () {
    this.timeout(120_000);
    const run = await runToEnd(stack, { ...base(), appName: 'fir-app', command: 'echo "on $DYNO launched=${CNB_LAUNCHED:-no}"; echo "token $API_TOKEN"; echo oops >&2; exit 3' });
    assert.equal(run.status, 'failed', JSON.stringify(run));
    assert.equal(run.exitCode, 3, run.error ?? '');
    assert.match(run.dynoName ?? '', FIR_DYNO);
    const output = await getOutput(stack, run.id);
    assert.equal(output, `on ${run.dynoName} launched=1\ntoken [REDACTED]\noops\n`.replace('[REDACTED]', redactedMarker(output)));
    assert.doesNotMatch(output, /fir-s3cret-value/);

    const [call, ...more] = runInsideCalls('fir-app');
    assert.equal(more.length, 0);
    assert.equal(call?.path, `/apps/fir-app/dynos/${run.dynoName}`);
    assert.equal(call?.accept, 'application/vnd.heroku+json; version=3.run-inside');
    assert.equal(call?.status, 201);
    assert.equal(createCalls('fir-app').length, 0, 'never the Cedar endpoint on a Fir app');

    const [session] = stack.heroku.insideSessions('fir-app');
    assert.ok(session?.spec.command.startsWith('launcher env DYNOPULSE_RUN_ID='), session?.spec.command);
    const keys = stack.heroku.accountKeys(integration.accountId);
    assert.equal(keys.length, 1, 'one key registered for the integration');
    assert.equal(session?.keyFingerprint, keys[0]?.fingerprint);
    const row = await stack.h.db('command_runs').where({ id: run.id }).first('ssh_host_key', 'generation');
    assert.deepEqual(row, { ssh_host_key: stack.heroku.insideHostKeyFingerprint, generation: 'fir' });
    const sealed = await stack.h.db('integration_ssh_keys').where({ integration_id: integration.integrationId }).first('private_key_sealed');
    assert.match(sealed?.private_key_sealed ?? '', /^v1\./, 'the private key is sealed at rest');
    assert.doesNotMatch(sealed?.private_key_sealed ?? '', /PRIVATE KEY/);
  });

  it('Cedar: the same integration still creates an attached one-off dyno with the plain version=3 Accept header', async function () {
    this.timeout(120_000);
    const before = runInsideCalls('cedar-app').length;
    const run = await runToEnd(stack, { ...base(), appName: 'cedar-app', command: 'echo cedar ok' });
    assert.equal(run.status, 'succeeded');
    assert.equal(run.exitCode, 0);
    assert.match(run.dynoName ?? '', /^run\.\d+$/);
    assert.equal(await getOutput(stack, run.id), 'cedar ok\n');
    const [create] = createCalls('cedar-app');
    assert.equal(create?.accept, 'application/vnd.heroku+json; version=3');
    assert.equal(runInsideCalls('cedar-app').length, before);
  });

  it('Fir: exit 0 succeeds; noLauncher runs the command as given; processType and dynoName choose the dyno', async function () {
    this.timeout(120_000);
    const plain = await runToEnd(stack, { ...base(), appName: 'fir-app', command: 'echo launched=${CNB_LAUNCHED:-no}', noLauncher: true });
    assert.equal(plain.status, 'succeeded');
    assert.equal(plain.exitCode, 0);
    assert.equal(await getOutput(stack, plain.id), 'launched=no\n');
    assert.ok(stack.heroku.insideSessions('fir-app').at(-1)?.spec.command.startsWith('env DYNOPULSE_RUN_ID='));

    const worker = await runToEnd(stack, { ...base(), appName: 'fir-app', command: 'echo $DYNO', processType: 'worker' });
    assert.equal(worker.status, 'succeeded');
    assert.match(worker.dynoName ?? '', /^worker-[0-9a-z]{10}-[0-9a-z]{5}$/);

    const named = stack.heroku.firDynos('fir-app').find((d) => d.type === 'web' && d.name !== plain.dynoName)?.name ?? '';
    const chosen = await runToEnd(stack, { ...base(), appName: 'fir-app', command: 'echo $DYNO', dynoName: named });
    assert.equal(chosen.dynoName, named);
    assert.equal(await getOutput(stack, chosen.id), `${named}\n`);
  });

  it('input errors are clear and run nothing: no dyno of the type up, an unknown dyno name, dynoSize on Fir, Fir inputs on Cedar', async function () {
    this.timeout(120_000);
    const sessions = stack.heroku.insideSessions('fir-app').length;
    const calls = runInsideCalls('fir-app').length;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ appName: 'fir-app', processType: 'release' }, /^no release dyno is up on fir-app; nothing was run$/],
      [{ appName: 'fir-app', dynoName: 'web-0000000000-zzzzz' }, /^there is no dyno named web-0000000000-zzzzz on fir-app \(its dynos: .*\); nothing was run$/],
      [{ appName: 'fir-app', dynoSize: 'standard-2X' }, /^dynoSize does not apply to fir-app: it is a Fir-generation app/],
      [{ appName: 'cedar-app', processType: 'web', noLauncher: true }, /^processType, noLauncher apply to Fir-generation apps only; cedar-app is a Cedar-generation app/],
    ];
    for (const [input, message] of cases) {
      const run = await runToEnd(stack, { ...base(), command: 'touch /tmp/should-not-run', ...input });
      assert.equal(run.status, 'failed', JSON.stringify(input));
      assert.match(run.error ?? '', message);
    }
    const worker = stack.heroku.firDynos('fir-app').find((d) => d.type === 'worker');
    stack.heroku.setFirDynoState('fir-app', worker?.name ?? '', 'crashed');
    const down = await runToEnd(stack, { ...base(), appName: 'fir-app', command: 'true', processType: 'worker' });
    assert.match(down.error ?? '', new RegExp(`^no worker dyno is up on fir-app \\(its worker dynos: ${worker?.name} crashed\\); nothing was run$`));
    stack.heroku.setFirDynoState('fir-app', worker?.name ?? '', 'up');
    assert.equal(stack.heroku.insideSessions('fir-app').length, sessions, 'no session was opened');
    assert.equal(runInsideCalls('fir-app').length, calls, 'run-inside was never called');
  });

  it('the TTL cap ends the command on Fir (SSH KILL signal, session closed) and the run is timed_out with the output so far', async function () {
    this.timeout(120_000);
    const started = Date.now();
    const run = await runToEnd(stack, { ...base(), appName: 'fir-app', command: 'echo started; sleep 120; echo never', timeToLiveSeconds: 3 });
    assert.equal(run.status, 'timed_out');
    assert.equal(run.timedOut, true);
    assert.equal(run.exitCode, null);
    assert.ok(Date.now() - started < 40_000, `ended ${Date.now() - started} ms after the start`);
    assert.equal(await getOutput(stack, run.id), 'started\n');
    const session = stack.heroku.insideSessions('fir-app').at(-1);
    await session?.ended;
    // dynopulse sends an SSH `KILL` signal request, then closes the session. ssh2's Server (the
    // simulator) does not pass signal requests on once the shell runs, so what ends the command
    // here is the hang-up (the simulator's model of a closed session).
    assert.equal(session?.endReason, 'hangup');
    assert.equal(session?.exitCode, null);
    assert.ok(stack.heroku.firDynos('fir-app').every((d) => d.state === 'up'), 'no dyno was stopped');
  });

  it('a command whose exit status never arrives (the dyno restarted) fails with a clear message, never succeeds', async function () {
    this.timeout(120_000);
    const id = randomUUID();
    assert.equal((await postRun(stack, { id, ...base(), appName: 'fir-app', command: 'echo begin; sleep 120' })).status, 202);
    const running = await waitFor('output', () => getRun(stack, id), (r) => r.outputBytes > 0);
    await stack.heroku.restartFirDyno(running.dynoName ?? '');
    const run = await waitFor('the end', () => getRun(stack, id), (r) => ['succeeded', 'failed', 'timed_out'].includes(r.status));
    assert.equal(run.status, 'failed');
    assert.equal(run.exitCode, null);
    assert.match(run.error ?? '', /^no exit status: the SSH session ended \(the dyno restarted, or the command was killed\) before the command reported one, inside dyno web-/);
    assert.equal(await getOutput(stack, id), 'begin\n');
  });

  it('disconnecting the integration removes its SSH key from the Heroku account and from the database', async function () {
    this.timeout(60_000);
    assert.equal(stack.heroku.accountKeys(integration.accountId).length, 1);
    const res = await stack.api(`/api/integrations/heroku/${integration.integrationId}`, { method: 'DELETE' });
    assert.ok(res.status < 300, `DELETE answered ${res.status}`);
    await waitFor('the disconnect', async () => (await stack.h.db('integrations').where({ id: integration.integrationId }).first('status'))?.status as string, (s) => s === 'disconnected');
    assert.deepEqual(stack.heroku.accountKeys(integration.accountId), []);
    assert.equal((await stack.h.db('integration_ssh_keys').where({ integration_id: integration.integrationId })).length, 0);
  });
});

/** Whatever the redactor writes in place of a secret (redactor.ts), read from the output itself. */
function redactedMarker(output: string): string {
  return /^token (.*)$/m.exec(output)?.[1] ?? '';
}
