import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WebAPIPlatformError, type WebClient } from '@slack/web-api';
import type { RunOutcome } from '../../command-runs/outcome';
import { getRun, updateRun, type CommandRunRow, type SlackPostState } from '../../command-runs/run-store';
import { resolveChannels } from '../../slack/channels';
import { createSlackClient } from '../../slack/client';
import { classifySlackError } from '../../slack/errors';
import { completeUpload, openUpload, uploadBytes, UploadRejectedError } from '../../slack/file-upload';
import { slackPosts } from '../../metrics/registry';
import type { ActivityDeps } from '../deps';
import { heartbeating } from '../heartbeating';
import { storedOutputFile } from './output-file';
import { shortCommand, slackComment } from './run-report';

export { EMPTY_OUTPUT_PLACEHOLDER } from './output-file';

/**
 * Posts a run's stored (already redacted) output as one file to every requested channel, once.
 * Each step is recorded before the next (file opened, bytes uploaded, completion started), so a
 * retried attempt continues where the last one stopped; `files.completeUploadExternal` shares the
 * file in all channels in one call and works once per file, so no channel gets two posts.
 *
 * Retryable trouble (429 with its Retry-After, 5xx, network) is thrown for Temporal to retry;
 * anything else (unknown channel, bot not in channel, bad token or scope) is recorded on the
 * channels concerned and the run goes on.
 *
 * Uploading a large output takes a while: the activity heartbeats meanwhile and, when cancelled
 * (worker shutdown after its grace period), aborts the upload and fails the attempt retryably;
 * the next attempt uploads again.
 */
export function slackActivity(deps: ActivityDeps) {
  let client: WebClient | undefined;
  const slack = () => (client ??= createSlackClient(deps.config.slack, deps.logger));

  return async function postRunOutputToSlack(args: { runId: string; outcome: RunOutcome }): Promise<{ fileIds: string[] }> {
    const ctx = Context.current();
    try {
      return await heartbeating(() => post(args, ctx.cancellationSignal));
    } catch (err) {
      if (ctx.cancellationSignal.aborted) {
        deps.logger.warn({ commandRunId: args.runId, reason: String(ctx.cancellationSignal.reason) }, 'posting to Slack stopped: the activity was cancelled; the next attempt continues');
        throw ctx.cancellationSignal.reason;
      }
      if (err instanceof ApplicationFailure && err.type === 'SlackUnavailable') slackPosts.inc({ outcome: 'retry' });
      throw err;
    }
  };

  async function post({ runId, outcome }: { runId: string; outcome: RunOutcome }, signal: AbortSignal): Promise<{ fileIds: string[] }> {
    let run = await getRun(deps.db, runId);
    if (run.input.slackChannels.length === 0 || run.slack_completed_at) return { fileIds: posted(run) ? [run.slack_file_id as string] : [] };
    const web = slack();
    let posts = run.slack_posts;
    const settle = async (update: (p: SlackPostState) => SlackPostState): Promise<{ fileIds: string[] }> => {
      posts = posts.length ? posts : run.input.slackChannels.map((channel) => ({ channel, channelId: null, status: 'pending' as const, error: null }));
      const settled = posts.map((p) => (p.status === 'pending' ? update(p) : p));
      await updateRun(deps.db, runId, { slack_posts: settled, slack_completed_at: new Date() });
      slackPosts.inc({ outcome: settled.some((p) => p.status === 'posted') ? 'posted' : 'failed' });
      run = await getRun(deps.db, runId);
      return { fileIds: posted(run) ? [run.slack_file_id as string] : [] };
    };
    if (!web) return settle((p) => ({ ...p, status: 'failed', error: 'SLACK_BOT_TOKEN is not configured' }));

    try {
      if (posts.length === 0) {
        posts = (await resolveChannels(web, run.input.slackChannels)).map((r) => ({ channel: r.ref, channelId: r.channelId, status: r.error ? 'failed' : 'pending', error: r.error }));
        await updateRun(deps.db, runId, { slack_posts: posts });
      }
      const channelIds = [...new Set(posts.filter((p) => p.status === 'pending').map((p) => p.channelId as string))];
      if (channelIds.length === 0) return await settle((p) => p);

      const file = await storedOutputFile(deps.db, run.id);
      if (!run.slack_file_id || !run.slack_upload_url) {
        const upload = await openUpload(web, fileName(run), file.length);
        await updateRun(deps.db, runId, { slack_file_id: upload.fileId, slack_upload_url: upload.uploadUrl, slack_uploaded_at: null });
        run = await getRun(deps.db, runId);
      }
      if (!run.slack_uploaded_at) {
        await uploadBytes(run.slack_upload_url as string, deps.config.slack.botToken as string, file.length, file.body(), signal);
        await updateRun(deps.db, runId, { slack_uploaded_at: new Date() });
      }
      const retryingCompletion = run.slack_completion_started_at !== null;
      if (!retryingCompletion) await updateRun(deps.db, runId, { slack_completion_started_at: new Date() });
      try {
        await completeUpload(web, { fileId: run.slack_file_id as string, title: fileTitle(run) }, channelIds, slackComment(run, outcome));
      } catch (err) {
        // The earlier attempt's completion went through (its answer was lost): the file is posted.
        const alreadyCompleted = retryingCompletion && err instanceof WebAPIPlatformError && err.data.error === 'file_not_found';
        if (!alreadyCompleted) throw err;
      }
      return await settle((p) => ({ ...p, status: 'posted' }));
    } catch (err) {
      if (err instanceof UploadRejectedError) {
        // An expired or unknown upload ticket: start a new upload next attempt.
        if (err.status === 404) await updateRun(deps.db, runId, { slack_file_id: null, slack_upload_url: null, slack_uploaded_at: null });
        if (err.status === 404 || err.status >= 500) throw ApplicationFailure.retryable(err.message, 'SlackUnavailable');
        return settle((p) => ({ ...p, status: 'failed', error: err.message }));
      }
      const failure = classifySlackError(err);
      if (failure.kind === 'retry') {
        throw ApplicationFailure.create({
          message: failure.message,
          type: 'SlackUnavailable',
          ...(failure.retryAfterSeconds !== undefined ? { nextRetryDelay: `${failure.retryAfterSeconds}s` } : {}),
        });
      }
      return settle((p) => ({ ...p, status: 'failed', error: failure.code }));
    }
  }
}

const posted = (run: CommandRunRow) => run.slack_file_id !== null && run.slack_posts.some((p) => p.status === 'posted');
export const fileName = (run: CommandRunRow) => `${run.app_name}-${run.dyno_name ?? run.id}.txt`.replace(/[^\w.-]/g, '_');
export const fileTitle = (run: CommandRunRow) => `${run.app_name} ${run.dyno_name ?? ''}: ${shortCommand(run, 80)}`.replace(/\s+/g, ' ');
