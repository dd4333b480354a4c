import type { ApiContext } from '../context';
import { HttpError } from '../http-error';
import { sameSecret } from './session-tokens';

export const CSRF_HEADER = 'X-CSRF-Token';

const forbidden = (message: string) => new HttpError(403, 'csrf_failed', message);

/**
 * A state-changing request made with the session cookie must prove it comes from a console page:
 * the session's CSRF token (header for fetch calls, form field for forms) and, when the browser
 * sends one, an Origin equal to this server's.
 */
export function checkCsrf(ctx: ApiContext, expected: string, presented: string | undefined): void {
  if (!isSameOrigin(ctx)) throw forbidden(`Cross-origin request from ${ctx.get('origin')} refused`);
  if (!presented || !sameSecret(presented, expected)) throw forbidden(`Missing or invalid CSRF token (the console sends it as ${CSRF_HEADER}); reload the page`);
}

/** True unless the browser says the request comes from another origin. */
export function isSameOrigin(ctx: ApiContext): boolean {
  const origin = ctx.get('origin');
  return origin === '' || origin === `${ctx.protocol}://${ctx.host}`;
}

export const isStateChanging = (method: string): boolean => !['GET', 'HEAD', 'OPTIONS'].includes(method);
