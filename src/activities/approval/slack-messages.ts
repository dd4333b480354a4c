import type { WebClient } from '@slack/web-api';
import { ApplicationFailure } from '@temporalio/common';
import { findApproval, writeSlackMessages, type ApprovalRow, type ApprovalSlackMessage } from '../../approval/approval-store';
import { APPROVAL_MESSAGE_EVENT_TYPE, cancelledMessage, decidedMessage, requestMessage } from '../../approval/slack-blocks';
import { resolveChannels } from '../../slack/channels';
import type { ActivityDeps } from '../deps';
import { slackStep } from '../live-output/slack-call';

/**
 * The approval request in the run's Slack channels: one Block Kit message per channel with
 * Approve / Reject buttons, and once decided the same message updated to say who decided.
 * `chat.postMessage` is not idempotent, so the attempt is recorded first and the message carries
 * the approval id in its metadata: a retry whose predecessor's answer was lost finds it instead
 * of posting a second one. Needs `chat:write` (and `channels:read`, `channels:history`).
 */
export function approvalSlackActivities(deps: ActivityDeps, slack: () => WebClient | undefined) {
  return {
    async postApprovalRequestToSlack({ approvalId }: { approvalId: string }): Promise<void> {
      const web = slack();
      const row = await approvalOf(approvalId);
      if (!web) return;
      const messages = await messagesOf(web, row);
      for (const [index, message] of messages.entries()) {
        if (message.ts || message.error || message.channelId === null) continue;
        if (message.postingStartedAt) {
          const found = await findOurMessage(web, message.channelId, approvalId, message.postingStartedAt);
          if (found) {
            await record(approvalId, messages, index, { ts: found });
            continue;
          }
        }
        await record(approvalId, messages, index, { postingStartedAt: new Date().toISOString() });
        const posted = await slackStep(() =>
          web.chat.postMessage({
            channel: message.channelId as string,
            ...requestMessage(row),
            metadata: { event_type: APPROVAL_MESSAGE_EVENT_TYPE, event_payload: { approval_id: approvalId } },
          }),
        );
        await record(approvalId, messages, index, posted.ok ? { ts: posted.value.ts ?? null } : { error: posted.code });
      }
    },

    /** After the decision, or (`cancelled`) when the run was cancelled before anyone decided. */
    async showApprovalDecisionInSlack({ approvalId, cancelled = false }: { approvalId: string; cancelled?: boolean }): Promise<void> {
      const web = slack();
      const row = await approvalOf(approvalId);
      const shows = row.status === 'pending' && cancelled ? 'cancelled' : row.status;
      if (!web || shows === 'pending') return;
      const messages = [...row.slack_messages];
      for (const [index, message] of messages.entries()) {
        if (!message.ts || message.channelId === null || message.shows === shows) continue;
        const updated = await slackStep(() => web.chat.update({ channel: message.channelId as string, ts: message.ts as string, ...(shows === 'cancelled' ? cancelledMessage(row) : decidedMessage(row)) }));
        await record(approvalId, messages, index, updated.ok ? { shows } : { error: updated.code });
      }
    },
  };

  async function approvalOf(approvalId: string): Promise<ApprovalRow> {
    const row = await findApproval(deps.db, approvalId);
    if (!row) throw ApplicationFailure.nonRetryable(`no approval ${approvalId}`, 'UnknownApproval');
    return row;
  }

  /** The channels of the request, resolved once (`conversations.list`), with where each stands. */
  async function messagesOf(web: WebClient, row: ApprovalRow): Promise<ApprovalSlackMessage[]> {
    if (row.slack_messages.length > 0) return [...row.slack_messages];
    const channels = await channelsOf(row);
    const resolved = await slackStep(() => resolveChannels(web, channels));
    const messages: ApprovalSlackMessage[] = resolved.ok
      ? resolved.value.map((r) => ({ channel: r.ref, channelId: r.channelId, postingStartedAt: null, ts: null, shows: null, error: r.error }))
      : channels.map((channel) => ({ channel, channelId: null, postingStartedAt: null, ts: null, shows: null, error: resolved.code }));
    await writeSlackMessages(deps.db, row.id, messages);
    return messages;
  }

  /** The subject's own `slackChannels`. */
  async function channelsOf(row: ApprovalRow): Promise<string[]> {
    const table = row.subject_kind === 'command_run' ? 'command_runs' : 'rollbacks';
    const subject = await deps.db(table).where({ id: row.subject_id }).first<{ input: { slackChannels?: string[] } } | undefined>('input');
    return subject?.input.slackChannels ?? [];
  }

  async function record(approvalId: string, messages: ApprovalSlackMessage[], index: number, patch: Partial<ApprovalSlackMessage>): Promise<void> {
    messages[index] = { ...(messages[index] as ApprovalSlackMessage), ...patch };
    await writeSlackMessages(deps.db, approvalId, messages);
  }
}

/** Our request message in the channel since `since`, by its metadata (`conversations.history` with `include_all_metadata`). */
async function findOurMessage(web: WebClient, channelId: string, approvalId: string, since: string): Promise<string | undefined> {
  const oldest = String(Math.floor(new Date(since).getTime() / 1000) - 60);
  let cursor: string | undefined;
  do {
    const found = await slackStep(() => web.conversations.history({ channel: channelId, oldest, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) }));
    if (!found.ok) return undefined;
    const match = found.value.messages?.find((m) => m.metadata?.event_type === APPROVAL_MESSAGE_EVENT_TYPE && (m.metadata.event_payload as { approval_id?: unknown } | undefined)?.approval_id === approvalId);
    if (match?.ts) return match.ts;
    cursor = found.value.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return undefined;
}
