import { findRun, updateRun, type RunStatus, type SlackPostState } from '../../command-runs/run-store';
import { commandRunsFinished } from '../../metrics/registry';
import type { ActivityDeps } from '../deps';

export interface FinishArgs {
  runId: string;
  status: RunStatus;
  exitCode: number | null;
  timedOut: boolean;
  /** Why the run failed, if it did. */
  error: string | null;
  /** Why posting to Slack failed for good (retries exhausted), if it did. */
  slackError: string | null;
}

/**
 * Records how the run ended (when it was recorded at all). `error` tells everything that went wrong, the command's failure and
 * channels that did not get the output alike, so the run status shows Slack trouble too.
 */
export function finishActivity(deps: ActivityDeps) {
  return async function finishCommandRun(args: FinishArgs): Promise<void> {
    const run = await findRun(deps.db, args.runId);
    if (!run) return; // refused before it was recorded (unknown integration): nothing to finish
    const posts: SlackPostState[] = args.slackError
      ? (run.slack_posts.length ? run.slack_posts : run.input.slackChannels.map((channel) => ({ channel, channelId: null, status: 'pending' as const, error: null }))).map(
          (p) => (p.status === 'pending' ? { ...p, status: 'failed', error: args.slackError } : p),
        )
      : run.slack_posts;
    const notPosted = posts.filter((p) => p.status === 'failed').map((p) => `${p.channel} (${p.error})`);
    const errors = [args.error, notPosted.length ? `Slack: output not posted to ${notPosted.join(', ')}` : null].filter((e): e is string => !!e);
    await updateRun(deps.db, args.runId, {
      status: args.status,
      exit_code: args.exitCode ?? run.exit_code,
      timed_out: args.timedOut,
      error: errors.length ? errors.join('; ') : null,
      slack_posts: posts,
      finished_at: run.finished_at ?? new Date(),
    });
    if (run.finished_at === null) {
      commandRunsFinished.inc({ status: args.status }); // once per run, not per retried attempt
      deps.logger.info({ commandRunId: args.runId, status: args.status, exitCode: args.exitCode, timedOut: args.timedOut }, 'command run finished');
    }
  };
}
