// heroku.md §4.2: Heroku-Webhook-Hmac-SHA256 = base64(HMAC-SHA256(key = secret as UTF-8,
// message = the raw request body bytes)); standard base64 with padding (44 chars), no prefix.
import { createHmac } from 'node:crypto';

/** The `Heroku-Webhook-Hmac-SHA256` value for these exact body bytes. Pure; exported for tests. */
export function signWebhookBody(secret: string, rawBody: Buffer | string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody)
    .digest('base64');
}
