import { createHmac, timingSafeEqual } from 'node:crypto';

const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

/**
 * Checks `Heroku-Webhook-Hmac-SHA256` (heroku.md §4.2): base64 HMAC-SHA256 of the raw body bytes
 * keyed with the webhook secret. Over the raw bytes, never a re-serialisation of the parsed JSON;
 * digests are compared in constant time.
 */
export function verifyHerokuSignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (header === undefined || !BASE64_SHA256.test(header)) return false;
  const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(rawBody).digest();
  return timingSafeEqual(Buffer.from(header, 'base64'), expected);
}
