import * as wf from '@temporalio/workflow';

/**
 * The failure a Nexus wrapper hands its caller when its child failed: the child's own type and
 * message (TargetNotEligible, HerokuRefused…), non-retryable, so a caller in another namespace
 * catches it by type on the operation failure's cause. Cancellation passes through unchanged.
 */
export function failureForCaller(err: unknown, names: { failed: string; terminated: string; what: string }): unknown {
  if (wf.isCancellation(err)) return err;
  const cause = err instanceof wf.ChildWorkflowFailure ? err.cause : err;
  if (cause instanceof wf.ApplicationFailure) return wf.ApplicationFailure.nonRetryable(cause.message, cause.type ?? names.failed);
  if (cause instanceof wf.TerminatedFailure) return wf.ApplicationFailure.nonRetryable(`the ${names.what} was terminated`, names.terminated);
  return wf.ApplicationFailure.nonRetryable(cause instanceof Error ? cause.message : String(cause), names.failed);
}
