import type { WebClient } from '@slack/web-api';
import { findApprovalOf } from '../../approval/approval-store';
import { getRollback, updateRollback, type RollbackSlackPost } from '../../rollbacks/rollback-store';
import { resolveChannels } from '../../slack/channels';
import { createSlackClient } from '../../slack/client';
import type { ActivityDeps } from '../deps';
import { slackStep } from '../live-output/slack-call';
import { rollbackSummary } from './report';

export const ROLLBACK_MESSAGE_EVENT_TYPE = 'dynopulse_rollback';

/**
 * The rollback's outcome in each of its Slack channels, once: `chat.postMessage` is not
 * idempotent, so the attempt is recorded first and the message carries the rollback id in its
 * metadata; a retry whose predecessor's answer was lost finds the message instead of posting a
 * second (the approval messages do the same). Slack refusals are recorded on the channel; only
 * retryable trouble (429, 5xx) fails the attempt.
 */
export function rollbackSlackActivity(deps: ActivityDeps) {
  let client: WebClient | undefined;
  const slack = () => (client ??= createSlackClient(deps.config.slack, deps.logger));

  return async function postRollbackToSlack({ rollbackId }: { rollbackId: string }): Promise<{ posted: number }> {
    const row = await getRollback(deps.db, rollbackId);
    const approval = await findApprovalOf(deps.db, 'rollback', rollbackId);
    const channels = row.input.slackChannels;
    if (channels.length === 0) return { posted: 0 };
    const web = slack();
    let posts = [...row.slack_posts];
    const save = async (index: number, patch: Partial<RollbackSlackPost>) => {
      posts[index] = { ...(posts[index] as RollbackSlackPost), ...patch };
      await updateRollback(deps.db, rollbackId, { slack_posts: posts });
    };
    if (posts.length === 0) {
      if (!web) {
        posts = channels.map((channel) => ({ channel, channelId: null, status: 'failed', error: 'SLACK_BOT_TOKEN is not configured', postingStartedAt: null, ts: null }));
        await updateRollback(deps.db, rollbackId, { slack_posts: posts });
        return { posted: 0 };
      }
      const resolved = await slackStep(() => resolveChannels(web, channels));
      posts = resolved.ok
        ? resolved.value.map((r) => ({ channel: r.ref, channelId: r.channelId, status: r.error ? 'failed' : 'pending', error: r.error, postingStartedAt: null, ts: null }))
        : channels.map((channel) => ({ channel, channelId: null, status: 'failed', error: resolved.code, postingStartedAt: null, ts: null }));
      await updateRollback(deps.db, rollbackId, { slack_posts: posts });
    }
    if (!web) return { posted: posts.filter((p) => p.status === 'posted').length };
    const text = `:rewind: ${rollbackSummary(row, approval)}`;
    for (const [index, post] of posts.entries()) {
      if (post.status !== 'pending' || post.channelId === null) continue;
      if (post.postingStartedAt) {
        const found = await findOurMessage(web, post.channelId, rollbackId, post.postingStartedAt);
        if (found) {
          await save(index, { status: 'posted', ts: found });
          continue;
        }
      }
      await save(index, { postingStartedAt: new Date().toISOString() });
      const sent = await slackStep(() =>
        web.chat.postMessage({ channel: post.channelId as string, text, metadata: { event_type: ROLLBACK_MESSAGE_EVENT_TYPE, event_payload: { rollback_id: rollbackId } } }),
      );
      await save(index, sent.ok ? { status: 'posted', ts: sent.value.ts ?? null } : { status: 'failed', error: sent.code });
    }
    return { posted: posts.filter((p) => p.status === 'posted').length };
  };
}

/** Our message in the channel since `since`, by its metadata (`conversations.history` with `include_all_metadata`). */
async function findOurMessage(web: WebClient, channelId: string, rollbackId: string, since: string): Promise<string | undefined> {
  const oldest = String(Math.floor(new Date(since).getTime() / 1000) - 60);
  let cursor: string | undefined;
  do {
    const found = await slackStep(() => web.conversations.history({ channel: channelId, oldest, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) }));
    if (!found.ok) return undefined;
    const match = found.value.messages?.find((m) => m.metadata?.event_type === ROLLBACK_MESSAGE_EVENT_TYPE && (m.metadata.event_payload as { rollback_id?: unknown } | undefined)?.rollback_id === rollbackId);
    if (match?.ts) return match.ts;
    cursor = found.value.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return undefined;
}
