import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { WebClient } from '@slack/web-api';
import type { RunOutcome } from '../../command-runs/outcome';
import { getRun, updateRun, type SlackPostState } from '../../command-runs/run-store';
import { finalText, outputTail } from '../../live-output/live-text';
import { recordChannel } from '../../live-output/live-state';
import { readStoredTail } from '../../live-output/output-tail';
import { completeUploadInThread, openUpload, uploadBytes, UploadRejectedError } from '../../slack/file-upload';
import { slackPosts } from '../../metrics/registry';
import type { ActivityDeps } from '../deps';
import { fileName, fileTitle } from '../command-run/slack-post';
import { storedOutputFile } from '../command-run/output-file';
import { heartbeating } from '../heartbeating';
import { slackStep } from './slack-call';
import { liveStates } from './start-messages';

/**
 * When the run ended: in each channel, the output file in the live message's thread, then the
 * message updated to the final status and exit code. Each step is recorded before the next, so a
 * retry after a worker crash or a 429 continues where it stopped: no file twice, no final update
 * lost. (A thread takes one channel per file, so each channel gets its own upload.)
 */
export function finishMessagesActivity(deps: ActivityDeps, slack: () => WebClient | undefined) {
  return async function finishLiveSlackMessages({ runId, outcome }: { runId: string; outcome: RunOutcome }): Promise<{ fileIds: string[] }> {
    const ctx = Context.current();
    return heartbeating(async () => {
      const web = slack();
      const run = await getRun(deps.db, runId);
      if (!web) {
        await settle(runId, () => ({ status: 'failed', error: 'SLACK_BOT_TOKEN is not configured' }));
        return { fileIds: [] };
      }
      // No live message could be posted when the command started: the file then goes to the channel itself.
      const states = await liveStates(deps, web, runId);
      const tail = outputTail(await readStoredTail(deps.db, runId));
      for (const [index, state] of states.entries()) {
        if (state.error) continue;
        if (!state.completedAt) {
          const shared = await shareFile(web, index);
          if (!shared) continue;
        }
        const current = states[index];
        if (current?.ts && !current.finalUpdatedAt) {
          const updated = await slackStep(() => web.chat.update({ channel: current.channelId, ts: current.ts as string, text: finalText(run, outcome, tail) }));
          // The file is in the channel either way; a message deleted meanwhile is only noted.
          await recordChannel(deps.db, runId, states, index, updated.ok ? { finalUpdatedAt: new Date().toISOString() } : { finalUpdatedAt: new Date().toISOString(), error: `final update refused: ${updated.code}` });
        }
      }
      await settle(runId, (post) => {
        const state = states.find((s) => s.channelId === post.channelId);
        if (state?.completedAt) return { status: 'posted', error: null };
        return { status: 'failed', error: state?.error ?? 'not posted' };
      });
      return { fileIds: states.filter((s) => s.completedAt && s.fileId).map((s) => s.fileId as string) };

      /** Upload, then share in the thread; false when this channel gave up. */
      async function shareFile(client: WebClient, index: number): Promise<boolean> {
        let state = states[index];
        if (!state) return false;
        const file = await storedOutputFile(deps.db, runId);
        try {
          if (!state.fileId || !state.uploadUrl) {
            const opened = await slackStep(() => openUpload(client, fileName(run), file.length));
            if (!opened.ok) return giveUp(index, opened.code);
            await recordChannel(deps.db, runId, states, index, { fileId: opened.value.fileId, uploadUrl: opened.value.uploadUrl, uploadedAt: null });
            state = states[index] as typeof state;
          }
          if (!state.uploadedAt) {
            await uploadBytes(state.uploadUrl as string, deps.config.slack.botToken as string, file.length, file.body(), ctx.cancellationSignal);
            await recordChannel(deps.db, runId, states, index, { uploadedAt: new Date().toISOString() });
          }
        } catch (err) {
          if (!(err instanceof UploadRejectedError)) throw err;
          // An expired or unknown upload ticket: a new upload on the next attempt.
          if (err.status === 404) await recordChannel(deps.db, runId, states, index, { fileId: null, uploadUrl: null, uploadedAt: null });
          if (err.status === 404 || err.status >= 500) throw ApplicationFailure.retryable(err.message, 'SlackUnavailable');
          return giveUp(index, err.message);
        }
        const retrying = states[index]?.completionStartedAt !== null;
        if (!retrying) await recordChannel(deps.db, runId, states, index, { completionStartedAt: new Date().toISOString() });
        const current = states[index] as typeof state;
        const comment = `Output of \`${run.dyno_name ?? run.id}\` on *${run.app_name}*`;
        const completed = await slackStep(() => completeUploadInThread(client, { fileId: current.fileId as string, title: fileTitle(run) }, current.channelId, current.ts, comment));
        // file_not_found on a retried completion: the earlier one went through and its answer was lost.
        if (!completed.ok && !(retrying && completed.code === 'file_not_found')) return giveUp(index, completed.code);
        await recordChannel(deps.db, runId, states, index, { completedAt: new Date().toISOString() });
        return true;
      }

      async function giveUp(index: number, code: string): Promise<false> {
        await recordChannel(deps.db, runId, states, index, { error: code });
        return false;
      }
    });
  };

  async function settle(runId: string, decide: (post: SlackPostState) => Pick<SlackPostState, 'status' | 'error'>): Promise<void> {
    const run = await getRun(deps.db, runId);
    const posts = run.slack_posts.map((p) => (p.status === 'pending' ? { ...p, ...decide(p) } : p));
    await updateRun(deps.db, runId, { slack_posts: posts, slack_completed_at: new Date() });
    slackPosts.inc({ outcome: posts.some((p) => p.status === 'posted') ? 'posted' : 'failed' });
  }
}

