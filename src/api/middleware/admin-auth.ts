import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../http-error';
import type { ApiContext, ApiMiddleware } from '../context';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * The admin console's alternative to the bearer token (src/api/console): true when the request
 * carries a live session cookie (and, for a state-changing request, its CSRF token, else it
 * throws 403); false when it carries no usable session.
 */
export interface SessionAuthenticator {
  authenticate(ctx: ApiContext): Promise<boolean>;
}

/**
 * `Authorization: Bearer $ADMIN_API_TOKEN` on every /api/* route. Comparing SHA-256 digests with
 * timingSafeEqual keeps the comparison constant-time whatever the length of the guess. With no
 * token configured the admin API is closed (503), never open. A request without an
 * Authorization header may instead use a console session, when `sessions` is given.
 */
export function adminAuth(adminApiToken: string | undefined, options: { sessions?: SessionAuthenticator } = {}): ApiMiddleware {
  const expected = adminApiToken === undefined ? undefined : digest(adminApiToken);
  return async (ctx, next) => {
    if (expected === undefined) {
      throw new HttpError(503, 'admin_api_disabled', 'The admin API is disabled: set ADMIN_API_TOKEN to enable it');
    }
    if (options.sessions && ctx.get('authorization') === '' && (await options.sessions.authenticate(ctx))) {
      await next();
      return;
    }
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(ctx.get('authorization'));
    if (!match || !timingSafeEqual(digest(match[1] ?? ''), expected)) {
      throw new HttpError(401, 'unauthorized', 'Missing or invalid admin bearer token', { 'WWW-Authenticate': 'Bearer realm="dynopulse"' });
    }
    await next();
  };
}
