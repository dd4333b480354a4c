import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { workflowMetadataQuery } from '@temporalio/workflow';
import { after, before, describe, it } from 'mocha';
import { projectRoot } from '../../src/paths';
import { locateTemporalCli } from '../../src/temporal/cli-binary';
import { ApprovalStatusKey } from '../../src/temporal/search-attributes';
import { failureOf, getOutput, postRun, startRunStack, waitFor } from '../command-runs/support';
import type { ConnectedIntegration } from '../support/fixtures';
import { ADMIN_TOKEN, type Stack } from '../support/stack';
import { awaitingApproval, decide, dynosOfRun, FINAL, gatedRun } from './support';

const SECRET = 's3cr3t-pass';

/**
 * The approval gate of RunCommandOnHeroku through the API and a Temporal client: the request is
 * shown (redacted), nothing reaches Heroku's dynos before approval, the validator refuses the
 * requester and people not in the list, and rejected / expired runs end so.
 */
describe('approval gate of command runs (API and Temporal Update)', function () {
  this.timeout(120_000);
  let stack: Stack;
  let integration: ConnectedIntegration;
  before(async () => ({ stack, integration } = await startRunStack({ apps: [{ name: 'app-gated', configVars: { DATABASE_URL: `postgres://u:${SECRET}@db.internal/x` } }] })));
  after(async () => stack?.close());

  const body = (extra: Record<string, unknown> = {}) => ({
    id: `gated-${randomUUID()}`,
    integrationId: integration.integrationId,
    appName: 'app-gated',
    command: `echo migrating {{ incident.id }} postgres://u:${SECRET}@db.internal/x`,
    incident: { id: 'INC-A1' },
    requestedBy: 'Requester@Example.com',
    approval: { timeoutSeconds: 600, approvers: ['alice@example.com', 'U0ALICE01', 'requester@example.com'] },
    ...extra,
  });

  it('waits for approval with the rendered, redacted command shown, and creates no dyno until approved', async () => {
    const request = body({ postToIncidentTimeline: true });
    assert.equal((await postRun(stack, request)).status, 202);
    const waiting = await awaitingApproval(stack, request.id);
    assert.equal(waiting.approval?.status, 'pending');
    assert.equal(waiting.approval?.requestedBy, 'requester@example.com');
    assert.equal(waiting.approval?.decidedBy, null);
    assert.match(waiting.approval?.renderedCommand ?? '', /^echo migrating 'INC-A1' /);
    assert.ok(!(waiting.approval?.renderedCommand ?? '').includes(SECRET), 'the config var value is redacted in what approvers see');
    assert.equal(waiting.dynoId, null);

    const handle = stack.h.temporal.workflow.getHandle(waiting.workflowId);
    assert.equal((await handle.describe()).typedSearchAttributes.get(ApprovalStatusKey), 'pending');
    const details = (await handle.query(workflowMetadataQuery)).currentDetails ?? '';
    assert.match(details, /^\*\*Awaiting approval\*\* to run `echo migrating 'INC-A1' .*` on \*\*app-gated\*\*, requested by requester@example.com/);
    assert.ok(!details.includes(SECRET));

    // The requester may not approve their own run; someone not in the list may not either.
    const own = await decide(stack, request.id, 'approve', { by: 'requester@example.com' });
    assert.equal(own.status, 403, JSON.stringify(own.json));
    assert.equal(own.json.error?.code, 'approver_not_allowed');
    const stranger = await decide(stack, request.id, 'approve', { by: 'mallory@example.com' });
    assert.equal(stranger.status, 403);
    assert.equal(stranger.json.error?.code, 'approver_not_allowed');
    const badBody = await decide(stack, request.id, 'approve', { who: 'alice@example.com' });
    assert.equal(badBody.status, 400);
    assert.equal((await gatedRun(stack, request.id)).status, 'awaiting_approval', 'refused decisions change nothing');
    assert.equal(dynosOfRun(stack, 'app-gated', request.id), 0, 'no dyno before approval');

    const approved = await decide(stack, request.id, 'approve', { by: 'ALICE@example.com', reason: 'looks right' });
    assert.equal(approved.status, 200, JSON.stringify(approved.json));
    const approval = approved.json.approval as { status: string; decidedBy: string; decidedAt: string; reason: string; decidedVia: string };
    assert.equal(approval.status, 'approved');
    assert.equal(approval.decidedBy, 'alice@example.com');
    assert.equal(approval.reason, 'looks right');
    assert.equal(approval.decidedVia, 'api');
    assert.ok(Date.now() - Date.parse(approval.decidedAt) < 60_000);

    const again = await decide(stack, request.id, 'approve', { by: 'U0ALICE01' });
    assert.equal(again.status, 409);
    assert.equal(again.json.error?.code, 'not_awaiting_approval');

    const done = await waitFor('the approved run to end', () => gatedRun(stack, request.id), (r) => FINAL.includes(r.status));
    assert.equal(done.status, 'succeeded', done.error ?? '');
    assert.equal(dynosOfRun(stack, 'app-gated', request.id), 1);
    assert.match(await getOutput(stack, request.id), /^migrating INC-A1 /);
    assert.equal((await handle.describe()).typedSearchAttributes.get(ApprovalStatusKey), 'approved');
    assert.match((await handle.query(workflowMetadataQuery)).currentDetails ?? '', /exit code 0/);

    const [event] = await stack.h.db('timeline_events').where({ idempotency_key: `command-run:${request.id}` });
    assert.equal(event.data.approval.status, 'approved');
    assert.equal(event.data.approval.decidedBy, 'alice@example.com');
    assert.equal(event.data.approval.renderedCommand, done.approval?.renderedCommand);
    assert.ok(!JSON.stringify(event.data).includes(SECRET));
  });

  it('a rejected run ends `rejected` with who and why, creates no dyno, and its workflow fails as ApprovalRejected', async () => {
    const request = body({ postToIncidentTimeline: true });
    await postRun(stack, request);
    await awaitingApproval(stack, request.id);
    // The requester may withdraw (reject) their own request.
    const rejected = await decide(stack, request.id, 'reject', { by: 'requester@example.com', reason: 'wrong app' });
    assert.equal(rejected.status, 200, JSON.stringify(rejected.json));
    const done = await waitFor('the rejected run to end', () => gatedRun(stack, request.id), (r) => FINAL.includes(r.status));
    assert.equal(done.status, 'rejected');
    assert.equal(done.approval?.status, 'rejected');
    assert.equal(done.approval?.decidedBy, 'requester@example.com');
    assert.equal(done.approval?.reason, 'wrong app');
    assert.match(done.error ?? '', /^not run: rejected by requester@example.com \(wrong app\)$/);
    assert.ok(done.finishedAt);
    const failure = await failureOf(stack, done.workflowId);
    assert.equal(failure.type, 'ApprovalRejected');
    assert.equal(dynosOfRun(stack, 'app-gated', request.id), 0, 'no dyno for a rejected run');
    const [event] = await stack.h.db('timeline_events').where({ idempotency_key: `command-run:${request.id}` });
    assert.match(event.summary, /^Did not run `echo migrating 'INC-A1' .*` on app-gated: rejected by requester@example.com \(wrong app\)$/);
    assert.equal((await decide(stack, request.id, 'approve', { by: 'alice@example.com' })).status, 409, 'a finished run is not waiting');
  });

  it('two approvers deciding at once: one decision is recorded, the other is told the run is no longer waiting', async () => {
    const request = body();
    await postRun(stack, request);
    await awaitingApproval(stack, request.id);
    const answers = await Promise.all([decide(stack, request.id, 'approve', { by: 'alice@example.com' }), decide(stack, request.id, 'reject', { by: 'U0ALICE01', reason: 'too late' })]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 409], JSON.stringify(answers.map((a) => a.json)));
    const winner = answers.find((a) => a.status === 200)!;
    const done = await waitFor('the run to end', () => gatedRun(stack, request.id), (r) => FINAL.includes(r.status));
    assert.equal(done.approval?.status, (winner.json.approval as { status: string }).status);
    assert.equal(done.status, done.approval?.status === 'approved' ? 'succeeded' : 'rejected');
  });

  it('an unanswered request expires on its durable timer: status `expired`, no dyno', async () => {
    const request = body({ approval: { timeoutSeconds: 2 } });
    await postRun(stack, request);
    const done = await waitFor('the run to expire', () => gatedRun(stack, request.id), (r) => FINAL.includes(r.status));
    assert.equal(done.status, 'expired');
    assert.equal(done.approval?.status, 'expired');
    assert.equal(done.approval?.decidedBy, null);
    assert.equal((await failureOf(stack, done.workflowId)).type, 'ApprovalExpired');
    assert.equal((await stack.h.temporal.workflow.getHandle(done.workflowId).describe()).typedSearchAttributes.get(ApprovalStatusKey), 'expired');
    assert.equal(dynosOfRun(stack, 'app-gated', request.id), 0);
    const late = await decide(stack, request.id, 'approve', { by: 'alice@example.com' });
    assert.equal(late.status, 409);
    assert.equal(late.json.error?.code, 'not_awaiting_approval');
  });

  it('a run without approval is refused a decision with 409; bad approval input is a 400 with a clear message', async () => {
    const request = { id: `plain-${randomUUID()}`, integrationId: integration.integrationId, appName: 'app-gated', command: 'echo plain' };
    await postRun(stack, request);
    const refused = await decide(stack, request.id, 'approve', { by: 'alice@example.com' });
    assert.equal(refused.status, 409);
    assert.equal(refused.json.error?.code, 'not_awaiting_approval');
    assert.equal((await decide(stack, 'no-such-run', 'approve', { by: 'alice@example.com' })).status, 404);

    const cases: [unknown, RegExp][] = [
      [{ timeoutSeconds: 0 }, /approval\.timeoutSeconds: approval\.timeoutSeconds must be positive/],
      [{ timeoutSeconds: 1.5 }, /whole number/],
      [{}, /approval\.timeoutSeconds/],
      [{ timeoutSeconds: 60, approvers: ['not a person'] }, /approval\.approvers\.0: .*email address or a Slack user id/],
      [{ timeoutSeconds: 60, approvers: [] }, /approval\.approvers must not be empty/],
      [{ timeoutSeconds: 60, approverz: ['x'] }, /Unrecognized key/i],
    ];
    for (const [approval, message] of cases) {
      const posted = await postRun(stack, body({ approval }));
      assert.equal(posted.status, 400, JSON.stringify(approval));
      assert.match((posted.json.error as { message: string }).message, message);
    }
    const badRequester = await postRun(stack, body({ requestedBy: 'bob' }));
    assert.equal(badRequester.status, 400);
  });

  it('started directly by a Temporal client: decided by the `approve` Update (client or `temporal workflow update execute`), whose validator refuses the requester', async () => {
    const runId = `direct-${randomUUID()}`;
    const handle = await stack.h.temporal.workflow.start('RunCommandOnHeroku', {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId: `heroku-run-${runId}`,
      args: [{ integrationId: integration.integrationId, appName: 'app-gated', command: 'echo direct', requestedBy: 'U0REQ0001', approval: { timeoutSeconds: 600 } }],
    });
    await awaitingApproval(stack, runId);
    await assert.rejects(handle.executeUpdate('approve', { args: [{ by: 'U0REQ0001' }] }), (err: unknown) => {
      assert.ok(err instanceof WorkflowUpdateFailedError);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'ApproverNotAllowed');
      return true;
    });
    await assert.rejects(handle.executeUpdate('approve', { args: [{ by: 'nobody' }] }), (err: unknown) => err instanceof WorkflowUpdateFailedError && (err.cause as ApplicationFailure).type === 'InvalidDecision');
    const cli = await locateTemporalCli({ projectRoot, onProvision: () => undefined });
    const { stdout } = await promisify(execFile)(cli, ['workflow', 'update', 'execute', '--address', stack.h.temporalAddress, '--namespace', stack.h.namespace, '--workflow-id', handle.workflowId, '--name', 'approve', '--input', JSON.stringify({ by: 'U0OTHER01', reason: 'from the CLI' }), '--codec-endpoint', `${stack.apiUrl}/codec`, '--codec-auth', `Bearer ${ADMIN_TOKEN}`]);
    assert.match(stdout, /approved/);
    const result = (await handle.result()) as { exitCode: number };
    assert.equal(result.exitCode, 0);
    const run = await gatedRun(stack, runId);
    assert.equal(run.approval?.decidedVia, 'temporal');
    assert.equal(run.approval?.decidedBy, 'U0OTHER01');
    assert.equal(run.approval?.reason, 'from the CLI');
  });
});
