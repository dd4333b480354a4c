// id.heroku.com: the OAuth web flow (heroku.md §2).
//   GET  /oauth/authorize?client_id&response_type=code&scope&state[&redirect_uri]
//        → 302 <redirect URI>?code=...&state=...   (the "logged in" browser user approves at once)
//   POST /oauth/token  grant_type=authorization_code (code, client_secret)
//                      grant_type=refresh_token      (refresh_token, client_secret)
//        → {access_token, expires_in, refresh_token, token_type, user_id, session_nonce}
//
// Token-endpoint errors use the Platform API error shape `{"id", "message"}` rather than RFC 6749's
// `{"error": "invalid_grant"}`: the web flow is built on the Platform API's /oauth/* resources
// (heroku.md §2 "Endpoints", DC-OAUTH), whose errors have that shape. Bad credentials (wrong client
// secret, unknown/used/expired code, dead refresh token) answer 401 `unauthorized`; a malformed
// request (missing field, unsupported grant_type) answers 400 `bad_request`.
import type http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import type { CallRecord } from './call-log';
import type { FaultInjector } from './faults';
import { badRequest, HerokuApiError, unauthorized } from './heroku-error';
import { readBody } from './http-kit';
import { OAUTH_SCOPES, type Account, type OAuthClient, type OAuthScope } from './model';
import type { IssuedTokens, OAuthTokens } from './oauth-tokens';
import { sleep } from './platform-api';
import type { SimulatorState } from './simulator-state';

export interface OAuthIdServerDeps {
  readonly state: SimulatorState;
  readonly tokens: OAuthTokens;
  readonly faults: FaultInjector;
  readonly calls: CallRecord[];
  /** Who is logged in on id.heroku.com in the simulated browser. */
  readonly browserUser: () => Account | undefined;
  /** What that user answers on the consent step. */
  readonly consent: () => 'allow' | 'deny';
  readonly onInternalError: (error: unknown) => void;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export class OAuthIdServer {
  constructor(private readonly deps: OAuthIdServerDeps) {}

  readonly handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    void this.serve(req, res).catch((error: unknown) => {
      this.deps.onInternalError(error);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ id: 'internal_server_error', message: 'Internal server error.' }));
    });
  };

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://id.heroku.local');
    const method = (req.method ?? 'GET').toUpperCase();
    const requestId = randomUUID();
    let accountId: string | null = null;
    const log = (status: number): void => {
      this.deps.calls.push({ host: 'id', method, path: url.pathname, query: url.search, status, accountId, requestId, at: new Date() });
    };
    const fault = this.deps.faults.take('id', method, url.pathname);
    if (fault.kind !== 'none' && fault.delayMs > 0) await sleep(fault.delayMs);
    if (fault.kind === 'reset') {
      log(0);
      req.socket.destroy();
      return;
    }
    let answer: Answer;
    try {
      if (fault.kind === 'error') throw fault.error;
      const path = url.pathname.replace(/\/$/, '');
      if (method === 'GET' && path === '/oauth/authorize') {
        const result = this.authorize(url);
        accountId = result.accountId;
        answer = result.answer;
      } else if (method === 'POST' && path === '/oauth/token') {
        const issued = this.token(url, req.headers['content-type'], await readBody(req));
        accountId = issued.authorization.accountId;
        answer = json(200, tokenResponse(issued, this.deps.tokens.policy.accessTokenTtlSeconds));
      } else {
        answer = page(404, 'Not found', 'There is no such page on id.heroku.com.');
      }
    } catch (error) {
      if (error instanceof HerokuApiError) {
        answer = json(error.status, error.body());
      } else {
        this.deps.onInternalError(error);
        answer = json(500, { id: 'internal_server_error', message: 'Internal server error.' });
      }
    }
    log(answer.status);
    res.writeHead(answer.status, { 'Request-Id': requestId, ...answer.headers });
    res.end(answer.body);
  }

  private authorize(url: URL): { answer: Answer; accountId: string | null } {
    const q = url.searchParams;
    const clientId = q.get('client_id');
    const client = clientId ? this.deps.state.clients.get(clientId) : undefined;
    // Errors about the client or redirect URI must not redirect (RFC 6749 §4.1.2.1): a 400 page.
    if (!client) return { answer: page(400, 'Invalid OAuth client', `Unknown client_id ${JSON.stringify(clientId ?? '')}.`), accountId: null };
    const requested = q.get('redirect_uri');
    if (requested !== null && client.redirectUri !== null && requested !== client.redirectUri) {
      return { answer: page(400, 'Invalid redirect_uri', 'redirect_uri does not match the OAuth client\'s registered callback URL.'), accountId: null };
    }
    const redirectUri = client.redirectUri ?? requested;
    if (redirectUri === null) return { answer: page(400, 'Missing redirect_uri', 'The OAuth client has no callback URL.'), accountId: null };
    const state = q.get('state');
    const back = (params: Record<string, string>): Answer => {
      const target = new URL(redirectUri);
      for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
      if (state !== null) target.searchParams.set('state', state);
      return { status: 302, headers: { Location: target.toString(), 'Content-Type': 'text/html; charset=utf-8' }, body: '' };
    };
    // Errors about the request itself go back to the client (RFC 6749 §4.1.2.1).
    if (q.get('response_type') !== 'code') {
      return { answer: back({ error: 'unsupported_response_type', error_description: 'response_type must be code' }), accountId: null };
    }
    const scope = parseScope(q.get('scope'));
    if (!scope) return { answer: back({ error: 'invalid_scope', error_description: `scope must be one or more of ${OAUTH_SCOPES.join(', ')}` }), accountId: null };
    const user = this.deps.browserUser();
    if (!user) return { answer: page(401, 'Log in to Heroku', 'Nobody is logged in on the simulated id.heroku.com (setBrowserUser).'), accountId: null };
    if (this.deps.consent() === 'deny') return { answer: back({ error: 'access_denied', error_description: 'The user denied access.' }), accountId: user.id };
    const authorization = this.deps.tokens.createAuthorization(user.id, client.id, scope);
    const code = this.deps.tokens.createCode(authorization, client.id);
    return { answer: back({ code: code.code }), accountId: user.id };
  }

  private token(url: URL, contentType: string | undefined, raw: Buffer): IssuedTokens {
    const form = readForm(url, contentType, raw);
    const grantType = form.get('grant_type');
    const clientSecret = form.get('client_secret');
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
      throw badRequest(`Unsupported grant_type ${JSON.stringify(grantType ?? '')}: use authorization_code or refresh_token.`);
    }
    if (!clientSecret) throw unauthorized('Invalid OAuth client credentials: client_secret is required.');
    const checkClient = (client: OAuthClient | undefined): void => {
      const clientId = form.get('client_id');
      if (!client || client.secret !== clientSecret || (clientId !== null && clientId !== client.id)) {
        throw unauthorized('Invalid OAuth client credentials.');
      }
    };

    if (grantType === 'authorization_code') {
      const codeValue = form.get('code');
      if (!codeValue) throw badRequest('code is required for grant_type=authorization_code.');
      const code = this.deps.state.codes.get(codeValue);
      if (!code) throw unauthorized('Invalid authorization code.');
      checkClient(this.deps.state.clients.get(code.clientId));
      if (code.used) throw unauthorized('This authorization code has already been used.');
      if (code.expiresAt.getTime() <= Date.now()) throw unauthorized('This authorization code has expired.');
      const authorization = this.deps.state.authorizations.get(code.authorizationId);
      if (!authorization || authorization.revoked) throw unauthorized('Invalid authorization code.');
      code.used = true;
      return this.deps.tokens.issue(authorization);
    }

    const refreshValue = form.get('refresh_token');
    if (!refreshValue) throw badRequest('refresh_token is required for grant_type=refresh_token.');
    const refresh = this.deps.state.refreshTokens.get(refreshValue);
    if (!refresh || refresh.dead) throw unauthorized('Invalid refresh token.');
    const authorization = this.deps.state.authorizations.get(refresh.authorizationId);
    if (!authorization || authorization.revoked) throw unauthorized('Invalid refresh token.');
    checkClient(authorization.clientId ? this.deps.state.clients.get(authorization.clientId) : undefined);
    return this.deps.tokens.refresh(refresh);
  }
}

/** Scopes separated by commas or spaces (the separator is unconfirmed, heroku.md §9.2). */
function parseScope(raw: string | null): OAuthScope[] | undefined {
  if (raw === null) return undefined;
  const parts = raw.split(/[\s,]+/).filter((s) => s !== '');
  if (parts.length === 0 || parts.some((p) => !(OAUTH_SCOPES as readonly string[]).includes(p))) return undefined;
  return [...new Set(parts as OAuthScope[])];
}

/** Form fields from a urlencoded (or JSON) body, falling back to the query string (ELBA style, heroku.md §2). */
function readForm(url: URL, contentType: string | undefined, raw: Buffer): URLSearchParams {
  const form = new URLSearchParams(url.searchParams);
  if (raw.length === 0) return form;
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) form.set(k, v);
  } else if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw badRequest('Malformed JSON body.');
    }
    if (parsed && typeof parsed === 'object') {
      for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) if (typeof v === 'string') form.set(k, v);
    }
  } else {
    throw badRequest('Send the token request as application/x-www-form-urlencoded.');
  }
  return form;
}

/** heroku.md §2 "Token response". */
function tokenResponse(issued: IssuedTokens, ttlSeconds: number): Record<string, unknown> {
  return {
    access_token: issued.accessToken.token,
    // The commonly quoted value is 28799 for an 8 h token (§2): the lifetime minus one second.
    expires_in: Math.max(0, Math.round(ttlSeconds) - 1),
    refresh_token: issued.refreshToken.token,
    token_type: 'Bearer',
    user_id: issued.authorization.accountId,
    session_nonce: randomBytes(8).toString('hex'),
  };
}

function json(status: number, body: unknown): Answer {
  return { status, headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }, body: JSON.stringify(body) };
}

function page(status: number, title: string, text: string): Answer {
  const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return {
    status,
    headers: { 'Content-Type': 'text/html; charset=utf-8' },
    body: `<!doctype html><html><head><title>${escape(title)}</title></head><body><h1>${escape(title)}</h1><p>${escape(text)}</p></body></html>`,
  };
}
