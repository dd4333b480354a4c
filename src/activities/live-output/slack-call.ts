import { ApplicationFailure } from '@temporalio/common';
import { classifySlackError } from '../../slack/errors';

/**
 * A Slack call of a live-output step: retryable trouble (429 with its Retry-After, 5xx, network)
 * is thrown for Temporal to retry after the delay Slack asked for; a refusal (`ok:false`) is
 * returned for the step to record on its channel.
 */
export async function slackStep<T>(call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; code: string }> {
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    const failure = classifySlackError(err);
    if (failure.kind === 'retry') {
      throw ApplicationFailure.create({
        message: failure.message,
        type: 'SlackUnavailable',
        ...(failure.retryAfterSeconds !== undefined ? { nextRetryDelay: `${failure.retryAfterSeconds}s` } : {}),
      });
    }
    return { ok: false, code: failure.code };
  }
}
