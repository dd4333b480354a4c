import { z } from 'zod';

/** Token endpoint response (heroku.md §2 "Token response"). */
const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number().int().positive(),
  user_id: z.string().optional(),
});

export interface OAuthTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  userId: string | undefined;
}

/** The token endpoint refused the grant: the code or refresh token is dead, so a human must reconnect. */
export class OAuthGrantRejectedError extends Error {
  override name = 'OAuthGrantRejectedError';
}

export interface OAuthClientConfig {
  idUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
}

/**
 * id.heroku.com authorize URL for the web flow (heroku.md §2 "Authorize params"). `redirectUri`
 * (our `PUBLIC_URL/oauth/heroku/callback`) is needed when the client has no registered callback
 * and must equal it when it has one.
 */
export function authorizeUrl(config: OAuthClientConfig, state: string, redirectUri?: string): string {
  const url = new URL(`${config.idUrl}/oauth/authorize`);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', config.scope);
  url.searchParams.set('state', state);
  if (redirectUri !== undefined) url.searchParams.set('redirect_uri', redirectUri);
  return url.toString();
}

export function exchangeCode(config: OAuthClientConfig, code: string, now = new Date()): Promise<OAuthTokens> {
  return tokenRequest(config, { grant_type: 'authorization_code', code }, now);
}

export function refreshTokens(config: OAuthClientConfig, refreshToken: string, now = new Date()): Promise<OAuthTokens> {
  return tokenRequest(config, { grant_type: 'refresh_token', refresh_token: refreshToken }, now);
}

async function tokenRequest(config: OAuthClientConfig, grant: Record<string, string>, now: Date): Promise<OAuthTokens> {
  const res = await fetch(`${config.idUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({ ...grant, client_secret: config.clientSecret }).toString(),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status >= 400 && res.status < 500) {
    // Never echo the body verbatim: some servers quote the grant back.
    throw new OAuthGrantRejectedError(`Heroku refused the ${grant.grant_type} grant (HTTP ${res.status}${describeOAuthError(text)})`);
  }
  if (!res.ok) throw new Error(`Heroku token endpoint answered HTTP ${res.status}`);
  const parsed = tokenResponseSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error('Heroku token endpoint answered an unexpected body');
  const t = parsed.data;
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    expiresAt: new Date(now.getTime() + t.expires_in * 1000),
    userId: t.user_id,
  };
}

function describeOAuthError(text: string): string {
  try {
    const body = JSON.parse(text) as { id?: unknown; error?: unknown };
    const id = typeof body.id === 'string' ? body.id : typeof body.error === 'string' ? body.error : undefined;
    return id && /^[a-z_]{1,40}$/.test(id) ? `, ${id}` : '';
  } catch {
    return '';
  }
}
