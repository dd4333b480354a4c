import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from '@slack/web-api';

/** Errors about one destination: that channel cannot get the post, others still can. */
export const CHANNEL_ERRORS = new Set(['channel_not_found', 'not_in_channel', 'is_archived']);

/**
 * What to do about a failed Slack call: wait and retry (429 with its Retry-After, 5xx, network),
 * or give up and report (any `ok:false` platform error: bad channel, bad token, missing scope).
 */
export type SlackFailure =
  | { kind: 'retry'; message: string; retryAfterSeconds?: number }
  | { kind: 'give_up'; code: string; message: string };

export function classifySlackError(err: unknown): SlackFailure {
  if (err instanceof WebAPIRateLimitedError) return { kind: 'retry', message: `Slack rate limited the call (retry after ${err.retryAfter} s)`, retryAfterSeconds: err.retryAfter };
  if (err instanceof WebAPIPlatformError) return { kind: 'give_up', code: err.data.error, message: `Slack refused the call: ${err.data.error}` };
  if (err instanceof WebAPIHTTPError) {
    return err.statusCode >= 500 || err.statusCode === 408
      ? { kind: 'retry', message: `Slack answered HTTP ${err.statusCode}` }
      : { kind: 'give_up', code: `http_${err.statusCode}`, message: `Slack answered HTTP ${err.statusCode}` };
  }
  if (err instanceof WebAPIRequestError) return { kind: 'retry', message: `Slack could not be reached: ${err.original.message}` };
  return { kind: 'retry', message: `Slack call failed: ${(err as Error).message}` };
}
