import { createHash } from 'node:crypto';
import Router from '@koa/router';
import type { WebClient } from '@slack/web-api';
import getRawBody from 'raw-body';
import { canonicalIdentity, isEmail } from '../../approval/approval-input';
import { findApproval, type ApprovalRow } from '../../approval/approval-store';
import { sendDecision } from '../../approval/send-decision';
import { parseInteraction, type ApprovalClick } from '../../approval/slack-interaction';
import { SLACK_SIGNATURE_HEADER, SLACK_TIMESTAMP_HEADER, verifySlackSignature } from '../../approval/slack-signature';
import { createSlackClient } from '../../slack/client';
import type { ApiContextExtras, ApiState } from '../context';
import type { ApiDeps } from '../deps';
import { HttpError } from '../http-error';

/** Receipts outlive the 5-minute timestamp window, after which a replay is stale anyway. */
const RECEIPT_RETENTION = "10 minutes";
const MAX_BODY_BYTES = 256 * 1024;

const unauthorized = (message: string) => new HttpError(401, 'invalid_signature', message);

/**
 * `POST /slack/interactions`: Slack's interactivity Request URL (CONTRACT §6). No admin token:
 * the v0 signature with SLACK_SIGNING_SECRET is the authentication, and each signed request is
 * acted on once (a replay within the 5-minute window is refused too). A click on Approve or
 * Reject becomes the gated workflow's Update for the Slack user (their id, and their email from
 * `users.info` when the request names people by email); the workflow then updates the message.
 * Mount before the JSON body parser: the body is form-encoded and its exact bytes are signed.
 */
export function slackInteractionRoutes(deps: ApiDeps): Router<ApiState, ApiContextExtras> {
  const router = new Router<ApiState, ApiContextExtras>();
  let client: WebClient | undefined;
  const slack = () => (client ??= createSlackClient(deps.config.slack, deps.logger));

  router.post('/slack/interactions', async (ctx) => {
    const secret = deps.config.slack.signingSecret;
    if (!secret) throw new HttpError(503, 'slack_interactivity_disabled', 'Slack interactivity is disabled: set SLACK_SIGNING_SECRET to enable it');
    const rawBody = await getRawBody(ctx.req, { limit: MAX_BODY_BYTES, length: ctx.get('content-length') || undefined });
    const signature = ctx.get(SLACK_SIGNATURE_HEADER) || undefined;
    const verified = verifySlackSignature({ secret, rawBody, timestamp: ctx.get(SLACK_TIMESTAMP_HEADER) || undefined, signature });
    if (!verified.ok) {
      ctx.state.log.warn({ reason: verified.reason }, 'Slack interaction refused');
      throw unauthorized(`Slack request refused: ${verified.reason}`);
    }
    if (!(await firstReceipt(deps, signature as string))) {
      ctx.state.log.warn('Slack interaction refused: replayed request');
      throw unauthorized('Slack request refused: this signed request was already received (replay)');
    }

    const parsed = parseInteraction(rawBody);
    if (parsed.kind === 'invalid') throw new HttpError(400, 'invalid_payload', `Slack interaction: ${parsed.message}`);
    ctx.status = 200;
    ctx.body = '';
    if (parsed.kind === 'ignored') return;

    const { click } = parsed;
    const approval = await findApproval(deps.db, click.approvalId);
    if (!approval) return tell(click, 'This approval request no longer exists.');
    const who = await identitiesOf(click, approval);
    const result = await sendDecision(deps, approval, click.kind, { by: who.by, identities: who.identities, via: 'slack' });
    ctx.state.log.info({ approvalId: approval.id, decision: click.kind, slackUser: click.userId, accepted: result.ok }, 'Slack approval click');
    if (!result.ok) await tell(click, `Not recorded: ${result.message}`);
  });

  /**
   * The Slack user's names: their id always; their email (`users.info`, scopes `users:read` and
   * `users:read.email`) when the request names people by email. `by` is the name the request
   * knows them by.
   */
  async function identitiesOf(click: ApprovalClick, approval: ApprovalRow): Promise<{ by: string; identities: string[] }> {
    const names = [...(approval.approvers ?? []), approval.requested_by ?? ''];
    let email: string | undefined;
    const web = slack();
    if (web && names.some(isEmail)) {
      try {
        const info = await web.users.info({ user: click.userId });
        email = info.user?.profile?.email ? canonicalIdentity(info.user.profile.email) : undefined;
      } catch (err) {
        deps.logger.warn({ err, slackUser: click.userId }, 'Slack users.info failed: the click is judged by the user id alone');
      }
    }
    const identities = [click.userId, ...(email ? [email] : [])];
    const by = approval.approvers?.includes(click.userId) || !email ? click.userId : email;
    return { by, identities };
  }

  /** An ephemeral note to the clicker (the interaction's response_url), best effort. */
  async function tell(click: ApprovalClick, text: string): Promise<void> {
    if (!click.responseUrl || !/^https?:\/\//.test(click.responseUrl)) return;
    try {
      await fetch(click.responseUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
        signal: AbortSignal.timeout(2_000),
      });
    } catch (err) {
      deps.logger.debug({ err }, 'Slack response_url post failed');
    }
  }

  return router;
}

/** True the first time this signature is seen (signatures differ per timestamp and body). */
async function firstReceipt(deps: ApiDeps, signature: string): Promise<boolean> {
  const digest = createHash('sha256').update(signature).digest('hex');
  await deps.db('slack_interaction_receipts').where('received_at', '<', deps.db.raw(`now() - interval '${RECEIPT_RETENTION}'`)).delete();
  const inserted = await deps.db('slack_interaction_receipts').insert({ signature_digest: digest }).onConflict('signature_digest').ignore().returning('signature_digest');
  return inserted.length === 1;
}
