import type { WebClient } from '@slack/web-api';
import { getRun, updateRun } from '../../command-runs/run-store';
import { LIVE_MESSAGE_EVENT_TYPE, runningText } from '../../live-output/live-text';
import { readLiveState, recordChannel, writeLiveState, type LiveMessageState } from '../../live-output/live-state';
import { resolveChannels } from '../../slack/channels';
import type { ActivityDeps } from '../deps';
import { heartbeating } from '../heartbeating';
import { slackStep } from './slack-call';

/**
 * When the command starts: one message per channel ("Running `<command>` on <app> (run.1234)…").
 * `chat.postMessage` is not idempotent, so the attempt is recorded first and the message carries
 * the run id in its metadata: a retry whose predecessor's answer was lost finds that message in
 * the channel's history instead of posting a second one.
 */
export function startMessagesActivity(deps: ActivityDeps, slack: () => WebClient | undefined) {
  return ({ runId }: { runId: string }): Promise<void> => heartbeating(() => start(runId));

  async function start(runId: string): Promise<void> {
    const web = slack();
    const run = await getRun(deps.db, runId);
    if (!web || run.input.slackChannels.length === 0) return;
    const states = await liveStates(deps, web, runId);
    for (const [index, state] of states.entries()) {
      if (state.ts || state.error) continue;
      if (state.postingStartedAt) {
        const found = await findOurMessage(web, state.channelId, runId, state.postingStartedAt);
        if (found) {
          await recordChannel(deps.db, runId, states, index, { ts: found });
          continue;
        }
      }
      await recordChannel(deps.db, runId, states, index, { postingStartedAt: new Date().toISOString() });
      const posted = await slackStep(() =>
        web.chat.postMessage({
          channel: state.channelId,
          text: runningText(run, ''),
          metadata: { event_type: LIVE_MESSAGE_EVENT_TYPE, event_payload: { run_id: runId } },
        }),
      );
      await recordChannel(deps.db, runId, states, index, posted.ok ? { ts: posted.value.ts ?? null } : { error: posted.code });
    }
  }
}

/**
 * The run's live messages, one per channel that can get a post, resolved once (the others are
 * recorded as failed in `slack_posts`, as for a run without live output).
 */
export async function liveStates(deps: ActivityDeps, web: WebClient, runId: string): Promise<LiveMessageState[]> {
  const states = await readLiveState(deps.db, runId);
  if (states.length > 0) return states;
  const run = await getRun(deps.db, runId);
  const resolved = await slackStep(() => resolveChannels(web, run.input.slackChannels));
  if (!resolved.ok) {
    await updateRun(deps.db, runId, { slack_posts: run.input.slackChannels.map((channel) => ({ channel, channelId: null, status: 'failed', error: resolved.code })) });
    return [];
  }
  await updateRun(deps.db, runId, { slack_posts: resolved.value.map((r) => ({ channel: r.ref, channelId: r.channelId, status: r.error ? 'failed' : 'pending', error: r.error })) });
  const fresh = resolved.value
    .filter((r) => r.channelId !== null)
    .map((r): LiveMessageState => ({ channel: r.ref, channelId: r.channelId as string, postingStartedAt: null, ts: null, fileId: null, uploadUrl: null, uploadedAt: null, completionStartedAt: null, completedAt: null, finalUpdatedAt: null, error: null }));
  await writeLiveState(deps.db, runId, fresh);
  return fresh;
}

/** Our message for this run in the channel since `since`, by its metadata (`conversations.history` with `include_all_metadata`). */
async function findOurMessage(web: WebClient, channelId: string, runId: string, since: string): Promise<string | undefined> {
  const oldest = String(Math.floor(new Date(since).getTime() / 1000) - 60);
  let cursor: string | undefined;
  do {
    const found = await slackStep(() => web.conversations.history({ channel: channelId, oldest, include_all_metadata: true, limit: 200, ...(cursor ? { cursor } : {}) }));
    if (!found.ok) return undefined;
    const match = found.value.messages?.find((m) => m.metadata?.event_type === LIVE_MESSAGE_EVENT_TYPE && (m.metadata.event_payload as { run_id?: unknown } | undefined)?.run_id === runId);
    if (match?.ts) return match.ts;
    cursor = found.value.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return undefined;
}
