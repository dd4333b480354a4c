import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../http-error';
import type { ApiContext, ApiMiddleware } from '../context';
import { AuthFailureLimiter, type AuthFailureLimits } from './auth-failure-limiter';

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
 * Failed bearer tokens per client address. No total budget: one address guessing must not lock
 * every other client out of the admin API.
 */
export const ADMIN_TOKEN_FAILURE_LIMITS: AuthFailureLimits = { perClient: 10, windowMs: 15 * 60 * 1000 };

/**
 * `Authorization: Bearer $ADMIN_API_TOKEN` on every /api/* route. Comparing SHA-256 digests with
 * timingSafeEqual keeps the comparison constant-time whatever the length of the guess. With no
 * token configured the admin API is closed (503), never open. A request without an
 * Authorization header may instead use a console session, when `sessions` is given.
 *
 * Wrong credentials are counted per client address (`ctx.ip`, see TRUSTED_PROXY_HOPS): past the
 * budget the address gets 429 with Retry-After, whatever it sends, until old failures leave the
 * window. A request with no credentials at all is not a guess and is not counted.
 */
export function adminAuth(adminApiToken: string | undefined, options: { sessions?: SessionAuthenticator; failures?: AuthFailureLimiter } = {}): ApiMiddleware {
  const expected = adminApiToken === undefined ? undefined : digest(adminApiToken);
  const failures = options.failures ?? new AuthFailureLimiter(ADMIN_TOKEN_FAILURE_LIMITS);
  return async (ctx, next) => {
    if (expected === undefined) {
      throw new HttpError(503, 'admin_api_disabled', 'The admin API is disabled: set ADMIN_API_TOKEN to enable it');
    }
    const authorization = ctx.get('authorization');
    if (options.sessions && authorization === '' && (await options.sessions.authenticate(ctx))) {
      await next();
      return;
    }
    const wait = failures.retryAfterSeconds(ctx.ip);
    if (wait > 0) {
      throw new HttpError(429, 'too_many_failed_attempts', `Too many failed admin authentications from this address; retry in ${wait} seconds`, { 'Retry-After': String(wait) });
    }
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    if (!match || !timingSafeEqual(digest(match[1] ?? ''), expected)) {
      if (authorization !== '') {
        failures.recordFailure(ctx.ip);
        ctx.state.log.warn({ ip: ctx.ip }, 'admin API request refused: wrong credentials');
      }
      throw new HttpError(401, 'unauthorized', 'Missing or invalid admin bearer token', { 'WWW-Authenticate': 'Bearer realm="dynopulse"' });
    }
    failures.recordSuccess(ctx.ip);
    await next();
  };
}
