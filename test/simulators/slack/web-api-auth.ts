import type { IncomingHttpHeaders } from 'node:http';

export type TokenSource = 'header' | 'form' | 'none';

export interface PresentedToken {
  readonly token?: string;
  readonly source: TokenSource;
}

/**
 * Finds the token a request presents: `Authorization: Bearer <token>`, or else a `token` form
 * field (slack-liquid.md A8.2; "Tokens should be passed as an HTTP Authorization header or
 * alternatively, as a POST parameter", Slack method docs). The SDK sends both when a per-call
 * token is given (A2); the header wins.
 */
export function presentedToken(headers: IncomingHttpHeaders, formToken: string | undefined): PresentedToken {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  if (match?.[1]) return { token: match[1], source: 'header' };
  if (formToken) return { token: formToken, source: 'form' };
  return { source: 'none' };
}

/** `not_authed` without a token, `invalid_auth` for one the workspace does not know (A8.2). */
export function authError(presented: PresentedToken, validTokens: ReadonlySet<string>): 'not_authed' | 'invalid_auth' | undefined {
  if (presented.token === undefined) return 'not_authed';
  if (!validTokens.has(presented.token)) return 'invalid_auth';
  return undefined;
}
