import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack } from '../support/stack';
import { failureOf, getOutput, postRun, runToEnd, startRunStack, waitFor } from './support';

describe('RunCommandOnHeroku: losing the output stream while the dyno runs on', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  before(async () => ({ stack, integration } = await startRunStack({ apps: [{ name: 'app-drop' }] })));
  after(async () => stack?.close());

  it('does not re-run anything: waits for the dyno to end, keeps and posts what arrived, and fails with "output stream lost"', async () => {
    stack.heroku.rendezvous.faults = { dropAfterBytes: 15 };
    const id = randomUUID();
    try {
      const posted = await postRun(stack, { id, integrationId: integration.integrationId, appName: 'app-drop', command: 'echo 0123456789; echo abcdefghij; sleep 7; echo late', slackChannels: ['#ops'] });
      assert.equal(posted.status, 202);
      // A dyno keeps the faults in force when it was created.
      await waitFor('the dyno', async () => stack.heroku.dynos('app-drop').length, (n) => n === 1);
    } finally {
      stack.heroku.rendezvous.faults = {};
    }
    const failure = await failureOf(stack, `heroku-run-${id}`);
    assert.equal(failure.type, 'OutputStreamLost');
    assert.match(failure.message, /^output stream lost: .*Rendezvous cannot be re-attached; the dyno has ended/);

    const dynos = stack.heroku.dynos('app-drop');
    assert.equal(dynos.length, 1, 'one dyno');
    assert.equal(dynos[0]?.endReason, 'exited', 'the command ran to its end, once');
    const output = await getOutput(stack, id);
    assert.ok(output.length >= 15 && '0123456789\nabcdefghij\n'.startsWith(output), JSON.stringify(output));
    const run = await waitFor('the run status', () => stack.api(`/api/command-runs/${id}`).then((r) => r.json() as Promise<{ status: string; error: string }>), (r) => r.status === 'failed');
    assert.match(run.error, /^output stream lost/);
    assert.equal(stack.slack.files.length, 1);
    assert.match(stack.slack.files[0]?.initialComment ?? '', /output stream lost after \d+ s/);
    assert.equal(stack.slack.files[0]?.bytes.toString('utf8'), output);
  });
});

describe('RunCommandOnHeroku: Rendezvous with a certificate that does not verify', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  before(async () => ({ stack, integration } = await startRunStack({ apps: [{ name: 'app-tls' }], stack: { heroku: { rendezvous: { certificate: 'untrusted' } } } })));
  after(async () => stack?.close());

  it('refuses to attach (nothing is sent), stops the dyno, and fails the run with a clear TLS error', async () => {
    const done = await runToEnd(stack, { integrationId: integration.integrationId, appName: 'app-tls', command: 'echo never runs' });
    assert.equal(done.status, 'failed');
    assert.match(done.error ?? '', /TLS certificate of localhost could not be verified \(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED/);
    const dyno = stack.heroku.dynos('app-tls')[0];
    await waitFor('the dyno to be stopped', async () => dyno?.endReason, (r) => r !== null && r !== undefined);
    assert.equal(dyno?.endReason, 'stopped');
    assert.equal(dyno?.pid, null, 'the command never started');
  });
});
