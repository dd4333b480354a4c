import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type { WebClient } from '@slack/web-api';
import { getRun } from '../../command-runs/run-store';
import { outputTail, runningText } from '../../live-output/live-text';
import { readLiveState } from '../../live-output/live-state';
import { readStoredTail } from '../../live-output/output-tail';
import { classifySlackError } from '../../slack/errors';
import type { ActivityDeps } from '../deps';
import { heartbeating } from '../heartbeating';

/**
 * The pace of live updates. `chat.update` is a Tier 3 method (about 50 calls a minute per app and
 * workspace, slack-liquid.md): one run updates each of its messages at most every 5 s, slower
 * with many channels (1.5 s per channel), so a few runs at once stay inside the limit.
 */
export const LIVE_UPDATE_INTERVAL_MS = 5_000;
const PER_CHANNEL_MS = 1_500;

/**
 * While the command runs: every few seconds, the last lines of the stored output into each live
 * message, one `chat.update` at a time (never two in flight for a message), only when they
 * changed. A 429 pauses updates for its Retry-After; a channel that refuses (message deleted,
 * bot removed) is left alone. Best effort by design: the final update (finish-messages.ts) is
 * the durable one. Runs until the workflow cancels it when the output ends.
 */
export function followOutputActivity(deps: ActivityDeps, slack: () => WebClient | undefined) {
  return async function followOutputInSlack({ runId }: { runId: string }): Promise<{ updates: number }> {
    const ctx = Context.current();
    const web = slack();
    let updates = 0;
    if (!web) return { updates };
    const log = deps.logger.child({ commandRunId: runId });
    return heartbeating(async () => {
      const live = (await readLiveState(deps.db, runId)).filter((s) => s.ts && !s.error);
      const refused = new Set<string>();
      const interval = Math.max(LIVE_UPDATE_INTERVAL_MS, live.length * PER_CHANNEL_MS);
      let shown = '';
      let pausedUntil = 0;
      try {
        for (;;) {
          await ctx.sleep(interval);
          if (Date.now() < pausedUntil) continue;
          const tail = outputTail(await readStoredTail(deps.db, runId));
          if (tail === shown) continue;
          const run = await getRun(deps.db, runId);
          let all = true;
          for (const message of live) {
            if (refused.has(message.channelId)) continue;
            try {
              await web.chat.update({ channel: message.channelId, ts: message.ts as string, text: runningText(run, tail) });
              updates++;
            } catch (err) {
              const failure = classifySlackError(err);
              if (failure.kind === 'retry') {
                pausedUntil = Date.now() + (failure.retryAfterSeconds ?? 5) * 1000;
                log.info({ retryAfterSeconds: failure.retryAfterSeconds }, 'live output: Slack asked to slow down; pausing updates');
                all = false;
                break;
              }
              refused.add(message.channelId);
              log.warn({ channel: message.channel, error: failure.code }, 'live output: Slack refused an update; this message stays as it is until the run ends');
            }
          }
          if (all) shown = tail;
        }
      } catch (err) {
        if (err instanceof CancelledFailure || ctx.cancellationSignal.aborted) return { updates };
        throw err;
      }
    });
  };
}
