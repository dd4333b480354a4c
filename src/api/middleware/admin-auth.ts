import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../http-error';
import type { ApiMiddleware } from '../context';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * `Authorization: Bearer $ADMIN_API_TOKEN` on every /api/* route. Comparing SHA-256 digests with
 * timingSafeEqual keeps the comparison constant-time whatever the length of the guess. With no
 * token configured the admin API is closed (503), never open.
 */
export function adminAuth(adminApiToken: string | undefined): ApiMiddleware {
  const expected = adminApiToken === undefined ? undefined : digest(adminApiToken);
  return async (ctx, next) => {
    if (expected === undefined) {
      throw new HttpError(503, 'admin_api_disabled', 'The admin API is disabled: set ADMIN_API_TOKEN to enable it');
    }
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(ctx.get('authorization'));
    if (!match || !timingSafeEqual(digest(match[1] ?? ''), expected)) {
      throw new HttpError(401, 'unauthorized', 'Missing or invalid admin bearer token', { 'WWW-Authenticate': 'Bearer realm="dynopulse"' });
    }
    await next();
  };
}
