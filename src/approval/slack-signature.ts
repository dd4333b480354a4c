import { createHmac, timingSafeEqual } from 'node:crypto';

// Slack's request signing ("Verifying requests from Slack", docs.slack.dev/authentication/verifying-requests-from-slack):
// X-Slack-Signature = "v0=" + hex(HMAC-SHA256(signing secret, "v0:" + X-Slack-Request-Timestamp + ":" + raw body)).
// A timestamp more than five minutes from now is refused, so a captured request cannot be replayed later.

export const SLACK_SIGNATURE_HEADER = 'x-slack-signature';
export const SLACK_TIMESTAMP_HEADER = 'x-slack-request-timestamp';
export const MAX_SLACK_CLOCK_SKEW_SECONDS = 5 * 60;

export function slackSignature(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
}

export type SlackVerification = { ok: true } | { ok: false; reason: string };

export function verifySlackSignature(args: { secret: string; rawBody: Buffer; timestamp: string | undefined; signature: string | undefined; nowMs?: number }): SlackVerification {
  const { secret, rawBody, timestamp, signature } = args;
  if (!timestamp || !signature) return { ok: false, reason: 'missing X-Slack-Signature or X-Slack-Request-Timestamp' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'X-Slack-Request-Timestamp is not a Unix time' };
  const skew = Math.abs((args.nowMs ?? Date.now()) / 1000 - Number(timestamp));
  if (skew > MAX_SLACK_CLOCK_SKEW_SECONDS) return { ok: false, reason: 'X-Slack-Request-Timestamp is more than 5 minutes away' };
  const expected = Buffer.from(slackSignature(secret, timestamp, rawBody));
  const presented = Buffer.from(signature);
  // timingSafeEqual needs equal lengths; a length mismatch reveals nothing the format does not.
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return { ok: false, reason: 'signature mismatch' };
  return { ok: true };
}
