import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import { failureOf, startRunStack, waitFor } from '../command-runs/support';
import type { PostedMessage } from '../simulators/slack';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack } from '../support/stack';
import type { ApprovalView } from '../approval/support';
import { FINAL_ROLLBACK, getRollback, postRollback, rollbackReleases, type RollbackView } from './support';

const APPROVE = 'dynopulse_approve';
const REJECT = 'dynopulse_reject';
const buttonsOf = (m: PostedMessage) => JSON.stringify(m.blocks ?? []).match(/dynopulse_(approve|reject)/g) ?? [];

type GatedRollback = RollbackView & { approval: ApprovalView | null };
type Answer = { status: number; json: Record<string, unknown> & { error?: { code: string; message: string }; approval?: ApprovalView | null; status?: string } };

/**
 * The approval gate of RollbackHerokuRelease (CONTRACT §6 "Approval", "Rollback"): the target is
 * checked first (reads only), then the rollback waits in `awaiting_approval`; nothing is POSTed
 * to Heroku's releases until someone allowed approves (API or a signed Slack click); rejected and
 * expired rollbacks end without a release; the result in Slack and on the timeline says who approved.
 */
describe('approval gate of rollbacks (API, Slack, timer)', function () {
  this.timeout(120_000);
  let stack: Stack;
  let integration: ConnectedIntegration;
  const apps = ['rbg-approve', 'rbg-reject', 'rbg-expire', 'rbg-409', 'rbg-slack', 'rbg-forged', 'rbg-cancel'];
  before(async () => {
    ({ stack, integration } = await startRunStack({ apps: apps.map((name) => ({ name })) }));
    stack.slack.addUser({ id: 'U0ALICE01', name: 'alice', email: 'alice@example.com' });
    stack.slack.addUser({ id: 'U0LEAD001', name: 'lead', email: 'Lead@Example.com' });
    stack.slack.addUser({ id: 'U0MALLO01', name: 'mallory', email: 'mallory@example.com' });
  });
  after(async () => stack?.close());

  /** v1, v2, then two deploys: v3, v4 (current); "previous" is v3. */
  async function withDeploys(app: string): Promise<void> {
    await stack.heroku.deploy(app);
    await stack.heroku.deploy(app);
    await stack.heroku.waitForDeliveriesSettled();
  }

  /** Rollback requests to Heroku (POST /apps/{app}/releases) in the simulator's call log. */
  const releasePosts = (app: string) => stack.heroku.calls.filter((c) => c.method === 'POST' && c.path === `/apps/${app}/releases`).length;
  const gated = async (id: string) => (await getRollback(stack, id)) as GatedRollback;
  const toEnd = (id: string) => waitFor(`rollback ${id} to end`, () => gated(id), (r) => FINAL_ROLLBACK.includes(r.status) || ['rejected', 'expired'].includes(r.status));

  async function decide(id: string, kind: 'approve' | 'reject', body: Record<string, unknown>): Promise<Answer> {
    const res = await stack.api(`/api/rollbacks/${encodeURIComponent(id)}/${kind}`, { method: 'POST', body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as Answer['json'] };
  }

  /** Starts a gated rollback of `app` to "previous" and waits until it awaits approval. */
  async function gatedRollback(app: string, extra: Record<string, unknown> = {}): Promise<{ id: string; waiting: GatedRollback }> {
    await withDeploys(app);
    const id = `rb-gate-${randomUUID()}`;
    const posted = await postRollback(stack, {
      id,
      integrationId: integration.integrationId,
      appName: app,
      target: 'previous',
      requestedBy: 'alice@example.com',
      approval: { timeoutSeconds: 600, approvers: ['lead@example.com', 'U0LEAD001'] },
      ...extra,
    });
    assert.equal(posted.status, 202, JSON.stringify(posted.json));
    const waiting = await waitFor(`rollback ${id} to await approval`, () => gated(id), (r) => r.status === 'awaiting_approval' || FINAL_ROLLBACK.includes(r.status));
    assert.equal(waiting.status, 'awaiting_approval', waiting.error ?? '');
    return { id, waiting };
  }

  /** The request in #ops, with its buttons (`rollback:<id>` in its metadata). */
  const requestMessage = (id: string) =>
    waitFor('the approval request in #ops', async () => stack.slack.messages.find((m) => m.metadata?.event_payload['approval_id'] === `rollback:${id}`), (m) => m !== undefined) as Promise<PostedMessage>;

  it('checks the target, waits with no release until a listed approver approves through the API, then makes exactly one; Slack and the timeline say who approved', async () => {
    const app = 'rbg-approve';
    const { id, waiting } = await gatedRollback(app, { slackChannels: ['#ops'], postToIncidentTimeline: true, incident: { id: 'INC-rbg-1' } });
    assert.equal(waiting.targetVersion, 3, 'the target is checked before the request');
    assert.equal(waiting.releaseId, null);
    assert.deepEqual(
      { status: waiting.approval?.status, requestedBy: waiting.approval?.requestedBy, decidedBy: waiting.approval?.decidedBy, renderedCommand: waiting.approval?.renderedCommand, approvers: waiting.approval?.approvers },
      { status: 'pending', requestedBy: 'alice@example.com', decidedBy: null, renderedCommand: null, approvers: ['lead@example.com', 'U0LEAD001'] },
    );
    const request = await requestMessage(id);
    assert.deepEqual(buttonsOf(request), [APPROVE, REJECT]);
    assert.equal(request.text, 'Approval needed to roll back *rbg-approve* to v3');
    assert.ok(stack.heroku.calls.some((c) => c.method === 'GET' && c.path === `/apps/${app}/releases`), 'the releases were read');
    assert.equal(releasePosts(app), 0, 'nothing POSTed to the releases before approval');

    const own = await decide(id, 'approve', { by: 'alice@example.com' });
    assert.equal(own.status, 403, JSON.stringify(own.json));
    assert.equal(own.json.error?.code, 'approver_not_allowed');
    assert.equal(own.json.error?.message, 'alice@example.com requested this rollback and may not approve it (four eyes)');
    const stranger = await decide(id, 'approve', { by: 'mallory@example.com' });
    assert.equal(stranger.status, 403);
    assert.equal(stranger.json.error?.code, 'approver_not_allowed');
    assert.equal((await gated(id)).status, 'awaiting_approval', 'refused decisions change nothing');
    assert.equal(releasePosts(app), 0);

    const approved = await decide(id, 'approve', { by: 'LEAD@example.com', reason: 'v4 breaks checkout' });
    assert.equal(approved.status, 200, JSON.stringify(approved.json));
    assert.equal(approved.json['id'], id, 'the rollback as GET shows it');
    assert.equal(approved.json.approval?.status, 'approved');
    assert.equal(approved.json.approval?.decidedBy, 'lead@example.com');
    assert.equal(approved.json.approval?.reason, 'v4 breaks checkout');
    assert.equal(approved.json.approval?.decidedVia, 'api');

    const done = await toEnd(id);
    assert.equal(done.status, 'succeeded', done.error ?? '');
    assert.equal(done.releaseVersion, 5);
    assert.equal(releasePosts(app), 1, 'one rollback request to Heroku');
    assert.equal(rollbackReleases(stack, app, 3).length, 1);

    const posted = stack.slack.messages.filter((m) => m.text?.includes('Rolled back rbg-approve'));
    assert.deepEqual(posted.map((m) => m.text), [':rewind: Rolled back rbg-approve to v3: new release v5 ("Rollback to v3"), approved by lead@example.com']);
    await waitFor('the request to lose its buttons', async () => request, (m) => buttonsOf(m).length === 0);
    assert.match(JSON.stringify(request.blocks), /Approved\* by lead@example.com/);

    const timeline = (await (await stack.api('/api/incidents/INC-rbg-1/timeline')).json()) as { id: string; kind: string; summary: string; data: Record<string, unknown> }[];
    const event = timeline.find((e) => e.kind === 'heroku_rollback');
    assert.equal(event?.id, done.timelineEventId);
    assert.equal(event?.summary, 'Rolled back rbg-approve to v3: new release v5 ("Rollback to v3"), approved by lead@example.com');
    assert.equal((event?.data['approval'] as ApprovalView | undefined)?.decidedBy, 'lead@example.com');

    // Over: another decision is 409, and nothing changes.
    const again = await decide(id, 'reject', { by: 'lead@example.com' });
    assert.equal(again.status, 409);
    assert.equal(again.json.error?.code, 'not_awaiting_approval');
    assert.equal(releasePosts(app), 1);
    const listed = (await (await stack.api(`/api/rollbacks?orgId=${integration.orgId}&appName=${app}`)).json()) as GatedRollback[];
    assert.equal(listed[0]?.approval?.decidedBy, 'lead@example.com', 'the list shows the approval too');
  });

  it('rejected: ends rejected with who and why, no release, the workflow fails ApprovalRejected', async () => {
    const app = 'rbg-reject';
    const { id } = await gatedRollback(app, { slackChannels: ['#ops'], postToIncidentTimeline: true, incident: { id: 'INC-rbg-2' } });
    const rejected = await decide(id, 'reject', { by: 'U0LEAD001', reason: 'not now' });
    assert.equal(rejected.status, 200, JSON.stringify(rejected.json));
    assert.equal(rejected.json.approval?.status, 'rejected');
    const done = await toEnd(id);
    assert.equal(done.status, 'rejected');
    assert.equal(done.error, 'not rolled back: rejected by U0LEAD001 (not now)');
    assert.equal(done.releaseId, null);
    assert.equal(releasePosts(app), 0);
    assert.equal(stack.heroku.releases(app).length, 4);
    assert.equal((await failureOf(stack, done.workflowId)).type, 'ApprovalRejected');
    assert.ok(stack.slack.messages.some((m) => m.text === ':rewind: Did not roll back rbg-reject to v3: rejected by U0LEAD001 (not now)'));
    const timeline = (await (await stack.api('/api/incidents/INC-rbg-2/timeline')).json()) as { kind: string; summary: string }[];
    assert.equal(timeline.find((e) => e.kind === 'heroku_rollback')?.summary, 'Did not roll back rbg-reject to v3: rejected by U0LEAD001 (not now)');
  });

  it('expired: no answer within the timeout ends it expired, without a release', async () => {
    const app = 'rbg-expire';
    const { id } = await gatedRollback(app, { approval: { timeoutSeconds: 2 } });
    const done = await toEnd(id);
    assert.equal(done.status, 'expired');
    assert.equal(done.approval?.status, 'expired');
    assert.equal(done.approval?.decidedBy, null);
    assert.equal(done.error, 'not rolled back: the approval request expired after 2 s without an answer');
    assert.equal(releasePosts(app), 0);
    assert.equal((await failureOf(stack, done.workflowId)).type, 'ApprovalExpired');
    const late = await decide(id, 'approve', { by: 'lead@example.com' });
    assert.equal(late.status, 409);
    assert.equal(late.json.error?.code, 'not_awaiting_approval');
    assert.equal(releasePosts(app), 0);
  });

  it('409 not_awaiting_approval for a rollback without approval; 404 for an unknown one; 400 for a bad body', async () => {
    const app = 'rbg-409';
    await withDeploys(app);
    const id = randomUUID();
    assert.equal((await postRollback(stack, { id, integrationId: integration.integrationId, appName: app, target: 'previous' })).status, 202);
    const done = await toEnd(id);
    assert.equal(done.status, 'succeeded', done.error ?? '');
    assert.equal(done.approval, null);
    const ungated = await decide(id, 'approve', { by: 'lead@example.com' });
    assert.equal(ungated.status, 409);
    assert.equal(ungated.json.error?.code, 'not_awaiting_approval');
    assert.equal((await decide('no-such-rollback', 'approve', { by: 'lead@example.com' })).status, 404);
    const bad = await decide(id, 'approve', { who: 'lead@example.com' });
    assert.equal(bad.status, 400);
    assert.equal(releasePosts(app), 1);
  });

  it('a signed Slack click by a listed approver approves it (the requester’s click is refused); one release', async () => {
    const app = 'rbg-slack';
    const { id } = await gatedRollback(app, { slackChannels: ['#ops'], approval: { timeoutSeconds: 600, approvers: ['lead@example.com'] } });
    const message = await requestMessage(id);
    assert.equal(message.channel, 'C1');

    const own = await stack.slack.click({ channel: 'C1', ts: message.ts, actionId: APPROVE, userId: 'U0ALICE01' });
    assert.equal(own.status, 200);
    assert.equal((await gated(id)).status, 'awaiting_approval');
    assert.match(JSON.stringify(stack.slack.responses.at(-1)?.body), /requested this rollback and may not approve it/);
    assert.equal(releasePosts(app), 0);

    const click = await stack.slack.click({ channel: 'C1', ts: message.ts, actionId: APPROVE, userId: 'U0LEAD001' });
    assert.equal(click.status, 200, click.responseBody);
    const decided = await gated(id);
    assert.equal(decided.approval?.status, 'approved', 'decided by the time Slack got its 200');
    assert.equal(decided.approval?.decidedBy, 'lead@example.com', 'matched by email through users.info');
    assert.equal(decided.approval?.decidedVia, 'slack');
    const done = await toEnd(id);
    assert.equal(done.status, 'succeeded', done.error ?? '');
    assert.equal(releasePosts(app), 1);
    assert.ok(stack.slack.messages.some((m) => m.text?.endsWith('approved by lead@example.com')));
    await waitFor('the request to say who approved', async () => message, (m) => buttonsOf(m).length === 0);
    assert.match(message.text ?? '', /^Approved by lead@example.com/);
  });

  it('a forged, unsigned or replayed click is refused with 401 and changes nothing; no release until a real decision (rejected)', async () => {
    const app = 'rbg-forged';
    const { id } = await gatedRollback(app, { slackChannels: ['#ops'] });
    const message = await requestMessage(id);
    // A real click by someone not listed (refused by the validator): its signed bytes are the template.
    const valid = await stack.slack.click({ channel: 'C1', ts: message.ts, actionId: APPROVE, userId: 'U0MALLO01' });
    assert.equal(valid.status, 200);
    const forgedBody = valid.request.body.replace(/U0MALLO01/g, 'U0LEAD001');
    const attempts: [string, Record<string, string>, string][] = [
      ['body changed after signing (lead instead of mallory)', valid.request.headers, forgedBody],
      ['no signature', { ...valid.request.headers, 'X-Slack-Signature': '' }, forgedBody],
      ['a signature made with another secret', { ...valid.request.headers, 'X-Slack-Signature': `v0=${'0'.repeat(64)}` }, forgedBody],
      ['replayed exactly', valid.request.headers, valid.request.body],
    ];
    for (const [what, headers, body] of attempts) {
      const res = await stack.slack.deliverInteraction({ url: valid.request.url, headers, body });
      assert.equal(res.status, 401, what);
      assert.equal(JSON.parse(res.responseBody).error.code, 'invalid_signature', what);
    }
    const still = await gated(id);
    assert.equal(still.status, 'awaiting_approval');
    assert.equal(still.approval?.status, 'pending');
    assert.deepEqual(buttonsOf(message), [APPROVE, REJECT], 'the message still has its buttons');
    assert.equal(releasePosts(app), 0);

    assert.equal((await stack.slack.click({ channel: 'C1', ts: message.ts, actionId: REJECT, userId: 'U0LEAD001' })).status, 200);
    const done = await toEnd(id);
    assert.equal(done.status, 'rejected');
    assert.equal(done.approval?.decidedBy, 'U0LEAD001');
    assert.equal(releasePosts(app), 0);
  });

  it('cancelled while it waits: ends cancelled, without a release, and the request loses its buttons', async () => {
    const app = 'rbg-cancel';
    const { id, waiting } = await gatedRollback(app, { slackChannels: ['#ops'] });
    const message = await requestMessage(id);
    await stack.h.temporal.workflow.getHandle(waiting.workflowId).cancel();
    const done = await toEnd(id);
    assert.equal(done.status, 'cancelled');
    assert.equal(releasePosts(app), 0);
    await waitFor('the request to say it was cancelled', async () => message, (m) => buttonsOf(m).length === 0);
    assert.match(message.text ?? '', /^Cancelled before anyone decided/);
    const late = await decide(id, 'approve', { by: 'lead@example.com' });
    assert.equal(late.status, 409);
  });
});
