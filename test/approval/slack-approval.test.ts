import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import { createApprovalActivities } from '../../src/activities/approval';
import { postRun, startRunStack, waitFor } from '../command-runs/support';
import type { PostedMessage } from '../simulators/slack';
import { signedBody, signedInteraction } from '../simulators/slack/interactions';
import type { ConnectedIntegration } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import { awaitingApproval, dynosOfRun, FINAL, gatedRun } from './support';

const APPROVE = 'dynopulse_approve';
const REJECT = 'dynopulse_reject';
const buttonsOf = (m: PostedMessage) => JSON.stringify(m.blocks ?? []).match(/dynopulse_(approve|reject)/g) ?? [];

/**
 * Approval from Slack: the request is posted to the run's channels as a Block Kit message with
 * Approve / Reject buttons; the simulator delivers clicks signed as Slack signs them to
 * POST /slack/interactions; the clicker is mapped to their Slack id and (users.info) email; the
 * message is updated to say who decided. Forged, stale and replayed requests are refused (401)
 * and change nothing.
 */
describe('approval gate from Slack (signed block_actions interactions)', function () {
  this.timeout(120_000);
  let stack: Stack;
  let integration: ConnectedIntegration;
  before(async () => {
    ({ stack, integration } = await startRunStack({ apps: [{ name: 'app-slack-gate' }] }));
    stack.slack.addUser({ id: 'U0ALICE01', name: 'alice', email: 'Alice@Example.com' });
    stack.slack.addUser({ id: 'U0BOB0001', name: 'bob', email: 'bob@example.com' });
    stack.slack.addUser({ id: 'U0CAROL01', name: 'carol', email: 'carol@example.com' });
  });
  after(async () => stack?.close());

  async function gatedRunInSlack(extra: Record<string, unknown> = {}): Promise<{ id: string; message: PostedMessage }> {
    const id = `slack-gate-${randomUUID()}`;
    const posted = await postRun(stack, { id, integrationId: integration.integrationId, appName: 'app-slack-gate', command: 'echo deploy fix', slackChannels: ['#ops'], requestedBy: 'carol@example.com', approval: { timeoutSeconds: 600, approvers: ['alice@example.com', 'U0BOB0001'] }, ...extra });
    assert.equal(posted.status, 202, JSON.stringify(posted.json));
    await awaitingApproval(stack, id);
    const message = await waitFor(
      'the approval request in #ops',
      async () => stack.slack.messages.find((m) => m.metadata?.event_payload['approval_id'] === `command_run:${id}`),
      (m) => m !== undefined,
    );
    return { id, message: message as PostedMessage };
  }

  it('posts the request with Approve and Reject buttons; a listed approver’s click (matched by email through users.info) approves it and the message says who', async () => {
    const { id, message } = await gatedRunInSlack();
    assert.equal(message.channel, 'C1');
    assert.deepEqual(buttonsOf(message), [APPROVE, REJECT]);
    assert.match(JSON.stringify(message.blocks), /echo deploy fix/);
    assert.match(message.text ?? '', /^Approval needed to run `echo 'deploy fix'|^Approval needed to run `echo deploy fix/);

    // The requester clicking Approve is refused: nothing changes, and they are told why.
    const own = await stack.slack.click({ channel: 'C1', ts: message.ts, actionId: APPROVE, userId: 'U0CAROL01' });
    assert.equal(own.status, 200);
    assert.equal((await gatedRun(stack, id)).status, 'awaiting_approval');
    assert.match(JSON.stringify(stack.slack.responses.at(-1)?.body), /requested this run and may not approve it/);
    assert.equal(dynosOfRun(stack, 'app-slack-gate', id), 0);

    const click = await stack.slack.click({ channel: 'C1', ts: message.ts, actionId: APPROVE, userId: 'U0ALICE01' });
    assert.equal(click.status, 200, click.responseBody);
    const run = await gatedRun(stack, id);
    assert.equal(run.approval?.status, 'approved', 'decided by the time Slack got its 200');
    assert.equal(run.approval?.decidedBy, 'alice@example.com');
    assert.equal(run.approval?.decidedVia, 'slack');
    assert.ok(stack.slack.callsTo('users.info').some((c) => c.args['user'] === 'U0ALICE01'));

    const updated = await waitFor('the message to say who approved', async () => message, (m) => buttonsOf(m).length === 0);
    assert.match(JSON.stringify(updated.blocks), /Approved\* by alice@example.com/);
    assert.match(updated.text ?? '', /^Approved by alice@example.com/);
    const done = await waitFor('the run to end', () => gatedRun(stack, id), (r) => FINAL.includes(r.status));
    assert.equal(done.status, 'succeeded');
    assert.equal(dynosOfRun(stack, 'app-slack-gate', id), 1);

    // The same signed request again (within the 5 minutes): refused, and nothing changes.
    const replay = await stack.slack.deliverInteraction(click.request);
    assert.equal(replay.status, 401);
    assert.equal((await gatedRun(stack, id)).approval?.decidedBy, 'alice@example.com');
  });

  it('refuses forged, unsigned, stale and replayed requests with 401, and they change nothing', async () => {
    const { id, message } = await gatedRunInSlack();
    // The requester (not an approver) may withdraw their request from Slack too.
    const withdrawn = await stack.slack.click({ channel: 'C1', ts: message.ts, actionId: REJECT, userId: 'U0CAROL01' });
    assert.equal(withdrawn.status, 200);
    const carolRejected = (await gatedRun(stack, id)).approval;
    assert.equal(carolRejected?.status, 'rejected', 'the requester may withdraw their request');

    // A click the requester makes on Approve (refused by the validator): its bytes, signed by Slack, are a template for forgeries.
    const { id: id2, message: message2 } = await gatedRunInSlack();
    const valid = await stack.slack.click({ channel: 'C1', ts: message2.ts, actionId: APPROVE, userId: 'U0CAROL01' });
    assert.equal(valid.status, 200);
    const url = valid.request.url;
    const forgedBody = valid.request.body.replace(/U0CAROL01/g, 'U0BOB0001');
    const attempts: [string, Record<string, string>, string][] = [
      ['body changed after signing (bob instead of carol)', valid.request.headers, forgedBody],
      ['no signature', { ...valid.request.headers, 'X-Slack-Signature': '' }, forgedBody],
      ['a signature made with another secret', { ...valid.request.headers, 'X-Slack-Signature': `v0=${'0'.repeat(64)}` }, forgedBody],
      ['a v1 signature', { ...valid.request.headers, 'X-Slack-Signature': valid.request.headers['X-Slack-Signature']!.replace(/^v0=/, 'v1=') }, valid.request.body],
      ['replayed exactly', valid.request.headers, valid.request.body],
    ];
    for (const [what, headers, body] of attempts) {
      const res = await stack.slack.deliverInteraction({ url, headers, body });
      assert.equal(res.status, 401, what);
      assert.equal(JSON.parse(res.responseBody).error.code, 'invalid_signature', what);
    }
    // Signed correctly by Slack, but more than 5 minutes old (or ahead).
    for (const skewMs of [-6 * 60_000, 6 * 60_000]) {
      const stale = await stack.slack.click({ channel: 'C1', ts: message2.ts, actionId: APPROVE, userId: 'U0BOB0001', atMs: Date.now() + skewMs });
      assert.equal(stale.status, 401, `timestamp ${skewMs / 60_000} min away`);
    }
    const run = await gatedRun(stack, id2);
    assert.equal(run.status, 'awaiting_approval');
    assert.equal(run.approval?.status, 'pending');
    assert.deepEqual(buttonsOf(message2), [APPROVE, REJECT], 'the message still has its buttons');

    // Bob is listed by Slack id: his click rejects it.
    const bob = await stack.slack.click({ channel: 'C1', ts: message2.ts, actionId: REJECT, userId: 'U0BOB0001' });
    assert.equal(bob.status, 200);
    const done = await waitFor('the rejected run to end', () => gatedRun(stack, id2), (r) => FINAL.includes(r.status));
    assert.equal(done.status, 'rejected');
    assert.equal(done.approval?.decidedBy, 'U0BOB0001');
    const updated = await waitFor('the message to say who rejected', async () => message2, (m) => buttonsOf(m).length === 0);
    assert.match(JSON.stringify(updated.blocks), /Rejected\* by <@U0BOB0001>/);
  });

  it('posts once per channel even when a retry follows a post whose answer was lost (found again by its message metadata)', async () => {
    const { id, message } = await gatedRunInSlack();
    const approvalId = `command_run:${id}`;
    // As if the worker died after Slack posted but before the ts was recorded: the attempt is marked, the ts is not.
    const row = await stack.h.db('approvals').where({ id: approvalId }).first<{ slack_messages: { ts: string | null }[] }>('slack_messages');
    await stack.h.db('approvals').where({ id: approvalId }).update({ slack_messages: JSON.stringify(row.slack_messages.map((m) => ({ ...m, ts: null }))) });
    // Counted per approval: a run of an earlier test may still be posting its own messages.
    const requestsInSlack = () => stack.slack.messages.filter((m) => m.metadata?.event_payload['approval_id'] === approvalId).length;
    assert.equal(requestsInSlack(), 1);
    await createApprovalActivities(stack.deps).postApprovalRequestToSlack({ approvalId });
    assert.equal(requestsInSlack(), 1, 'no second message');
    const after = await stack.h.db('approvals').where({ id: approvalId }).first<{ slack_messages: { ts: string | null }[] }>('slack_messages');
    assert.equal(after.slack_messages[0]?.ts, message.ts);
    // Recorded again, the decision still reaches that message.
    assert.equal((await stack.slack.click({ channel: 'C1', ts: message.ts, actionId: APPROVE, userId: 'U0BOB0001' })).status, 200);
    await waitFor('the message to say who approved', async () => message, (m) => buttonsOf(m).length === 0);
  });

  it('a run cancelled while it waits ends cancelled, without a dyno, and its message loses its buttons', async () => {
    const { id, message } = await gatedRunInSlack();
    await stack.h.temporal.workflow.getHandle(`heroku-run-${id}`).cancel();
    const done = await waitFor('the run to end', () => gatedRun(stack, id), (r) => FINAL.includes(r.status));
    assert.equal(done.status, 'cancelled');
    const updated = await waitFor('the message to say it was cancelled', async () => message, (m) => buttonsOf(m).length === 0);
    assert.match(updated.text ?? '', /^Cancelled before anyone decided/);
    assert.equal(dynosOfRun(stack, 'app-slack-gate', id), 0);
  });

  it('a signed request that is not an approval click is answered and ignored; a signed malformed one is a 400; an oversized one 413', async () => {
    const url = `${stack.apiUrl}/slack/interactions`;
    const now = Math.floor(Date.now() / 1000);
    const send = (payload: unknown, raw?: string) =>
      stack.slack.deliverInteraction(raw === undefined ? signedInteraction(url, stack.slack.signingSecret, payload, now) : signedBody(url, stack.slack.signingSecret, raw, now));
    assert.equal((await send({ type: 'view_submission', user: { id: 'U0ALICE01' } })).status, 200, 'another interaction type');
    assert.equal((await send({ type: 'block_actions', user: { id: 'U0ALICE01' }, actions: [{ action_id: 'something_else', value: 'x' }] })).status, 200, 'another button');
    const unknown = await send({ type: 'block_actions', user: { id: 'U0ALICE01' }, actions: [{ action_id: APPROVE, value: 'command_run:no-such-run' }], response_url: `${stack.slack.baseUrl}/actions/x` });
    assert.equal(unknown.status, 200);
    assert.match(JSON.stringify(stack.slack.responses.at(-1)?.body), /no longer exists/);
    for (const [what, raw] of [['no payload field', 'nothing=1'], ['payload not JSON', 'payload=%7Bnot'], ['block_actions without user', `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', actions: [] }))}`]] as const) {
      const res = await send(null, raw);
      assert.equal(res.status, 400, what);
      assert.equal(JSON.parse(res.responseBody).error.code, 'invalid_payload', what);
    }
    const big = await stack.slack.deliverInteraction({ url, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `payload=${'x'.repeat(300 * 1024)}` });
    assert.equal(big.status, 413);
  });

  it('an expired request’s message says so and loses its buttons', async () => {
    const { id, message } = await gatedRunInSlack({ approval: { timeoutSeconds: 2 } });
    const done = await waitFor('the run to expire', () => gatedRun(stack, id), (r) => FINAL.includes(r.status));
    assert.equal(done.status, 'expired');
    const updated = await waitFor('the message to say it expired', async () => message, (m) => buttonsOf(m).length === 0);
    assert.match(JSON.stringify(updated.blocks), /Expired\*/);
  });
});

describe('POST /slack/interactions without SLACK_SIGNING_SECRET', () => {
  let stack: Stack;
  before(async () => (stack = await startStack({ inProcessWorker: false, env: { SLACK_SIGNING_SECRET: '' } })));
  after(async () => stack?.close());

  it('answers 503 with a clear message and reads nothing', async () => {
    const res = await fetch(`${stack.apiUrl}/slack/interactions`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'payload=%7B%7D' });
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { error: { code: 'slack_interactivity_disabled', message: 'Slack interactivity is disabled: set SLACK_SIGNING_SECRET to enable it' } });
  });
});
