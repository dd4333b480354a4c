import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities';
import { parseRollbackInput, type RollbackInput, type RollbackResult } from '../rollbacks/input';
import { rollbackIdOfWorkflow } from '../rollbacks/rollback-id';
import { HerokuAppKey, IncidentIdKey, IntegrationIdKey } from '../temporal/search-attributes';
import { notApprovedStatusOf, requireApproval } from './approval-gate';

/** Database and Platform API reads: quick, retried through short outages (429/5xx). */
const steps = wf.proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
});

/**
 * The rollback call: heartbeating, so a worker killed while Heroku answers is noticed within
 * seconds and the retry (which first looks for the release already made) runs on another worker.
 */
const rollingBack = wf.proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
});

/** Slack: rate limits say when to come back; its trouble never fails the rollback. */
const slack = wf.proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 6 },
});

/**
 * Release rollback (CONTRACT §6 "Rollback"): check the target (exists, eligible for rollback, not
 * the current release), with `approval` wait for someone allowed to approve (the same gate as
 * command runs; rejected or expired: no release), ask Heroku for the rollback exactly once, then
 * tell the rollback's Slack channels and, if asked, the incident timeline.
 */
export async function RollbackHerokuRelease(rawInput: unknown): Promise<RollbackResult> {
  const parsed = parseRollbackInput(rawInput);
  if (!parsed.ok) throw wf.ApplicationFailure.nonRetryable(parsed.message, 'InvalidInput');
  const input = parsed.input;
  const { workflowId } = wf.workflowInfo();
  const rollbackId = rollbackIdOfWorkflow(workflowId);
  wf.upsertSearchAttributes([
    { key: HerokuAppKey, value: input.appName },
    { key: IntegrationIdKey, value: input.integrationId },
    ...(input.incident?.id ? [{ key: IncidentIdKey, value: input.incident.id }] : []),
  ]);

  let checked = false;
  try {
    wf.setCurrentDetails(`Checking the rollback target of **${input.appName}**`);
    const target = await steps.checkRollbackTarget({ rollbackId, workflowId, input });
    checked = true;
    if (input.approval) {
      // After the check (read-only): approvers decide on the release the rollback would go back to, and a bad target is never put to them.
      const what = `roll back **${input.appName}** to v${target.targetVersion}`;
      await requireApproval({ kind: 'rollback', subjectId: rollbackId, approval: input.approval, requestedBy: input.requestedBy ?? null, renderedCommand: null, summary: what, slackChannels: input.slackChannels });
    }
    wf.setCurrentDetails(`Rolling back **${input.appName}** from v${target.currentVersion} to v${target.targetVersion}`);
    // Once Heroku is asked, a cancellation cannot take the release back: the rollback finishes and says what it made.
    return await wf.CancellationScope.nonCancellable(async () => {
      const release = await rollingBack.rollBackRelease({ rollbackId });
      await report(rollbackId, input); // before the final status: once it is final, Slack and the timeline have been told
      await steps.finishRollback({ rollbackId, status: 'succeeded', error: null });
      wf.setCurrentDetails(`Rolled back **${input.appName}** to v${target.targetVersion}: release v${release.releaseVersion}`);
      return { rollbackId, releaseId: release.releaseId, releaseVersion: release.releaseVersion, targetReleaseId: target.targetReleaseId, targetVersion: target.targetVersion };
    });
  } catch (err) {
    const cancelled = wf.isCancellation(err);
    const notApproved = notApprovedStatusOf(err);
    const failure = cancelled ? err : asWorkflowFailure(err);
    const message = cancelled ? 'the rollback was cancelled' : (failure as Error).message;
    await wf.CancellationScope.nonCancellable(async () => {
      await steps.finishRollback({ rollbackId, status: cancelled ? 'cancelled' : (notApproved ?? 'failed'), error: message });
      // Refused before any check (bad integration): there is no row, nothing to report.
      if (checked || !(failure instanceof wf.ApplicationFailure && failure.type === 'UnknownIntegration')) await report(rollbackId, input).catch(() => undefined);
    });
    wf.setCurrentDetails(cancelled ? 'Cancelled' : `Failed: ${message}`);
    throw failure;
  }
}

/** Slack and the timeline; their trouble is not the rollback's (the release is made already). */
async function report(rollbackId: string, input: RollbackInput): Promise<void> {
  if (input.slackChannels.length > 0) await slack.postRollbackToSlack({ rollbackId }).catch((err: unknown) => rethrowCancellation(err));
  if (input.postToIncidentTimeline) await steps.postRollbackToTimeline({ rollbackId }).catch((err: unknown) => rethrowCancellation(err));
}

function rethrowCancellation(err: unknown): void {
  if (wf.isCancellation(err)) throw err;
}

/** The failure a caller should see: the activity's own message (e.g. "not eligible for rollback"), not "activity task failed". */
function asWorkflowFailure(err: unknown): wf.ApplicationFailure {
  let cause: unknown = err;
  while (cause instanceof wf.ActivityFailure && cause.cause) cause = cause.cause;
  if (cause instanceof wf.ApplicationFailure) return wf.ApplicationFailure.nonRetryable(cause.message, cause.type ?? 'RollbackFailed');
  if (cause instanceof wf.TimeoutFailure) return wf.ApplicationFailure.nonRetryable(`a step of the rollback timed out (${cause.timeoutType})`, 'StepTimedOut');
  return wf.ApplicationFailure.nonRetryable(cause instanceof Error ? cause.message : String(cause), 'RollbackFailed');
}

// Under worker versioning a rollback stays on the build that started it (src/temporal/worker-versioning.ts).
// Unversioned workers must declare no behavior (the server refuses one), hence the getter.
wf.setWorkflowOptions(() => (wf.workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior: 'PINNED' } : {}), RollbackHerokuRelease);
