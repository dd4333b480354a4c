import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities';
import { MAX_TIME_TO_LIVE_SECONDS, parseRunCommandInput, type RunCommandInput, type RunCommandResult } from '../command-runs/input';
import { describeOutcome, statusOf, type RunOutcome, type StreamResult } from '../command-runs/outcome';
import { runIdOfWorkflow } from '../command-runs/run-id';
import { HerokuAppKey, IncidentIdKey, IntegrationIdKey } from '../temporal/search-attributes';
import { notApprovedStatusOf, requireApproval } from './approval-gate';

/** Short steps: database, Platform API, rendering. */
const steps = wf.proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 8 },
});

/**
 * The output stream: as long as the cap, and heartbeating, so a dead worker is noticed within the
 * heartbeat timeout and the TTL timer's cancellation reaches the activity.
 */
const streaming = wf.proxyActivities<Activities>({
  startToCloseTimeout: `${MAX_TIME_TO_LIVE_SECONDS + 600} seconds`,
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 5 },
  cancellationType: wf.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/** Stopping a dyno at the cap: a few quick tries, the stream's cancellation ends it anyway. */
const stopping = wf.proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
});

/**
 * Slack: rate limits say when to come back (Retry-After becomes the next retry delay). The
 * activity heartbeats, so a post whose worker died is retried within the heartbeat timeout, not
 * after the 10 minutes a large upload may take.
 */
const slack = wf.proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 6 },
});

/**
 * Live output in Slack: the follower updates messages for as long as the output streams, then is
 * cancelled and waited for (so it is gone before the final update). Its trouble never fails a run.
 */
const following = wf.proxyActivities<Activities>({
  startToCloseTimeout: `${MAX_TIME_TO_LIVE_SECONDS + 600} seconds`,
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '2 seconds', maximumAttempts: 3 },
  cancellationType: wf.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

type Outcome = RunOutcome & { streamLost: boolean };

/** After stopping a dyno at the cap, how long its stream may take to close by itself. */
const STREAM_END_AFTER_STOP = '15 seconds';

/**
 * Run Command on Heroku (CONTRACT §4): render the command template for the incident, run it on one
 * one-off dyno, stream its output into storage until it ends or the cap passes, then post the
 * output to Slack and, if asked, to the incident timeline.
 */
export async function RunCommandOnHeroku(rawInput: unknown): Promise<RunCommandResult> {
  const parsed = parseRunCommandInput(rawInput);
  if (!parsed.ok) throw wf.ApplicationFailure.nonRetryable(parsed.message, 'InvalidInput');
  const input = parsed.input;
  const { workflowId } = wf.workflowInfo();
  const runId = runIdOfWorkflow(workflowId);
  wf.upsertSearchAttributes([
    { key: HerokuAppKey, value: input.appName },
    { key: IntegrationIdKey, value: input.integrationId },
    ...(input.incident?.id ? [{ key: IncidentIdKey, value: input.incident.id }] : []),
  ]);

  let dynoCreated = false;
  try {
    wf.setCurrentDetails(`Checking access to **${input.appName}** and rendering the command`);
    const prepared = await steps.prepareCommandRun({ runId, workflowId, input });
    if (input.approval) {
      const what = `run \`${oneLine(prepared.commandRedacted ?? '')}\` on **${input.appName}**`;
      await requireApproval({ kind: 'command_run', subjectId: runId, approval: input.approval, requestedBy: input.requestedBy ?? null, renderedCommand: prepared.commandRedacted, summary: what, slackChannels: input.slackChannels });
    }

    wf.setCurrentDetails(`Starting the command on **${input.appName}** (a new dyno on Cedar, inside a running one on Fir)`);
    const dyno = await steps.createRunDyno({ runId });
    dynoCreated = true;

    const live = input.slackLiveOutput && input.slackChannels.length > 0;
    if (live) await slack.startLiveSlackMessages({ runId }).catch((err: unknown) => rethrowCancellation(err));

    wf.setCurrentDetails(`Streaming the output of \`${dyno.dynoName}\` on **${input.appName}** (capped at ${input.timeToLiveSeconds} s)`);
    const streamStarted = Date.now();
    const outcome = live ? await followingInSlack(runId, () => streamUntilCap(runId, input.timeToLiveSeconds)) : await streamUntilCap(runId, input.timeToLiveSeconds);
    const durationSeconds = (Date.now() - streamStarted) / 1000;

    wf.setCurrentDetails(`\`${dyno.dynoName}\` on **${input.appName}**: ${describeOutcome(outcome, durationSeconds)}; posting the output`);
    const report = await reportOutput(runId, input, { exitCode: outcome.exitCode, timedOut: outcome.timedOut, problem: outcome.problem });
    await steps.finishCommandRun({ runId, status: statusOf(outcome), exitCode: outcome.exitCode, timedOut: outcome.timedOut, error: outcome.problem, slackError: report.slackError });
    wf.setCurrentDetails(`\`${dyno.dynoName}\` on **${input.appName}**: ${describeOutcome(outcome, durationSeconds)}`);

    if (outcome.streamLost) throw wf.ApplicationFailure.nonRetryable(outcome.problem ?? 'output stream lost', 'OutputStreamLost');
    return {
      runId,
      dynoId: dyno.dynoId,
      exitCode: outcome.exitCode,
      timedOut: outcome.timedOut,
      outputBytes: outcome.outputBytes,
      slackFileIds: report.slackFileIds,
      timelineEventId: report.timelineEventId,
    };
  } catch (err) {
    if (err instanceof wf.ApplicationFailure && err.type === 'OutputStreamLost') throw err; // recorded already
    const cancelled = wf.isCancellation(err);
    const notApproved = notApprovedStatusOf(err);
    const failure = cancelled ? err : asWorkflowFailure(err);
    await wf.CancellationScope.nonCancellable(async () => {
      // Never leave a dyno running behind a run that is over.
      if (dynoCreated) await stopping.stopRunDyno({ runId }).catch(() => undefined);
      if (notApproved && input.postToIncidentTimeline) await steps.postRunToTimeline({ runId, outcome: { exitCode: null, timedOut: false, problem: (failure as Error).message } }).catch(() => undefined);
      await steps.finishCommandRun({
        runId,
        status: cancelled ? 'cancelled' : (notApproved ?? 'failed'),
        exitCode: null,
        timedOut: false,
        error: cancelled ? 'the run was cancelled' : (failure as Error).message,
        slackError: null,
      });
    });
    wf.setCurrentDetails(cancelled ? 'Cancelled' : `Failed: ${(failure as Error).message}`);
    throw failure;
  }
}

/**
 * Races the output stream against the cap. When the cap passes first: stop the dyno, end the
 * stream (the activity keeps what it received), and report a timeout.
 */
async function streamUntilCap(runId: string, ttlSeconds: number): Promise<Outcome & { outputBytes: number }> {
  const started = Date.now();
  let result: StreamResult | undefined;
  let failure: unknown;
  const scope = new wf.CancellationScope();
  const streamed = scope.run(() => streaming.streamRunOutput({ runId })).then(
    (r) => void (result = r),
    (e: unknown) => void (failure = e),
  );
  const ended = () => result !== undefined || failure !== undefined;
  if (!(await wf.condition(ended, ttlSeconds * 1000))) {
    // Stop the dyno first: its output up to the stop still arrives, then the stream closes. If it
    // hangs (or Heroku does not answer), cancelling the stream closes the connection, which ends
    // an attached dyno too.
    const stopped = await wf.CancellationScope.nonCancellable(() => stopping.stopRunDyno({ runId }).then(() => true, () => false));
    if (!(stopped && (await wf.condition(ended, STREAM_END_AFTER_STOP)))) scope.cancel();
    await streamed;
    if (result?.kind !== 'exited') return { exitCode: null, timedOut: true, problem: null, streamLost: false, outputBytes: result?.outputBytes ?? 0 };
  }
  if (result === undefined) throw failure;
  switch (result.kind) {
    case 'exited':
      return { exitCode: result.exitCode, timedOut: false, problem: null, streamLost: false, outputBytes: result.outputBytes };
    case 'lost':
      return { exitCode: null, timedOut: false, problem: result.message, streamLost: true, outputBytes: result.outputBytes };
    case 'ended_without_status': {
      // Heroku's own time_to_live (the backstop) ends a dyno that reaches the cap too.
      const reachedCap = Date.now() - started >= (ttlSeconds - 1) * 1000;
      const problem = reachedCap ? null : (result.message ?? 'no exit status: the dyno ended without reporting one (stopped, killed or crashed)');
      return { exitCode: null, timedOut: reachedCap, problem, streamLost: false, outputBytes: result.outputBytes };
    }
  }
}

/** Runs `stream` with the live-output follower beside it; the follower ends with the stream. */
async function followingInSlack<T>(runId: string, stream: () => Promise<T>): Promise<T> {
  const scope = new wf.CancellationScope();
  const followed = scope.run(() => following.followOutputInSlack({ runId })).catch(() => undefined);
  try {
    return await stream();
  } finally {
    scope.cancel();
    await wf.CancellationScope.nonCancellable(() => followed);
  }
}

/** A command for a one-line summary. */
function oneLine(command: string): string {
  const line = command.replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

/** Slack trouble never fails a run, but a cancellation of the run must go on. */
function rethrowCancellation(err: unknown): void {
  if (wf.isCancellation(err)) throw err;
}

/**
 * Posts the stored output where the input asks. Slack trouble that outlasts the retries is
 * reported in the run status, not as a failed run: the output itself is safe in storage.
 */
async function reportOutput(runId: string, input: RunCommandInput, outcome: RunOutcome): Promise<{ slackFileIds: string[]; slackError: string | null; timelineEventId: string | null }> {
  let slackFileIds: string[] = [];
  let slackError: string | null = null;
  if (input.slackChannels.length > 0) {
    try {
      slackFileIds = input.slackLiveOutput ? (await slack.finishLiveSlackMessages({ runId, outcome })).fileIds : (await slack.postRunOutputToSlack({ runId, outcome })).fileIds;
    } catch (err) {
      if (wf.isCancellation(err)) throw err;
      slackError = asWorkflowFailure(err).message;
    }
  }
  const timelineEventId = input.postToIncidentTimeline ? (await steps.postRunToTimeline({ runId, outcome })).timelineEventId : null;
  return { slackFileIds, slackError, timelineEventId };
}

/** The failure a caller should see: the activity's own message (e.g. the Liquid error), not "activity task failed". */
function asWorkflowFailure(err: unknown): wf.ApplicationFailure {
  let cause: unknown = err;
  while (cause instanceof wf.ActivityFailure && cause.cause) cause = cause.cause;
  if (cause instanceof wf.ApplicationFailure) return wf.ApplicationFailure.nonRetryable(cause.message, cause.type ?? 'RunFailed');
  if (cause instanceof wf.TimeoutFailure) return wf.ApplicationFailure.nonRetryable(`a step of the run timed out (${cause.timeoutType})`, 'StepTimedOut');
  return wf.ApplicationFailure.nonRetryable(cause instanceof Error ? cause.message : String(cause), 'RunFailed');
}

// Under worker versioning a run stays on the build that started it (src/temporal/worker-versioning.ts).
// Unversioned workers must declare no behavior (the server refuses one), hence the getter.
wf.setWorkflowOptions(() => (wf.workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: 'PINNED' } : {}), RunCommandOnHeroku);
