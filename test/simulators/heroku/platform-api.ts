// The Platform API request pipeline (heroku.md §1), in the order a request meets it:
// injected fault → version Accept header (400 missing_version) → credentials (401) →
// per-account rate limit (429) → route (404) → JSON body (400 / 422 in handlers) → handler.
// Every answer carries Request-Id and RateLimit-Remaining; GETs carry an ETag.
import type http from 'node:http';
import { createHash, randomUUID } from 'node:crypto';
import type { CallRecord } from './call-log';
import type { FaultInjector } from './faults';
import { badRequest, endpointNotFound, HerokuApiError, missingVersion, rateLimited, unauthorized } from './heroku-error';
import { readBody, Router, type Params } from './http-kit';
import type { Authenticated, OAuthTokens } from './oauth-tokens';
import type { RateLimiter } from './rate-limiter';
import type { JsonObject } from './request-validation';

export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly url: URL;
  readonly params: Params;
  readonly headers: http.IncomingHttpHeaders;
  readonly auth: Authenticated;
  /** The JSON object body (`{}` when there was none). */
  readonly body: JsonObject;
  /** The `Range` request header, if any. */
  readonly range: string | undefined;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

export type ApiHandler = (request: ApiRequest) => ApiResponse | Promise<ApiResponse>;

/** A simulator-only route under `/__sim/` (no Accept, no auth). */
export type ControlHandler = (body: JsonObject, params: Params, url: URL) => ApiResponse | Promise<ApiResponse>;

/**
 * Accepted `Accept` values (heroku.md §1 "Version header"): `version=3` and the variants that
 * Heroku's own clients send (`3.sdk`, `3.webhooks`, `3.run-inside`).
 */
const VERSION_PARAM = /^3(\.(sdk|webhooks|run-inside))?$/;

export function hasVersionedAccept(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((mediaRange) => {
    const [type, ...params] = mediaRange.split(';').map((p) => p.trim());
    if (type?.toLowerCase() !== 'application/vnd.heroku+json') return false;
    return params.some((p) => {
      const [key, value] = p.split('=').map((s) => s.trim());
      return key?.toLowerCase() === 'version' && value !== undefined && VERSION_PARAM.test(value);
    });
  });
}

/**
 * The token from `Authorization: Bearer <token>` or Basic with the token as password
 * (`:token`, heroku.md §1 "Auth header").
 */
export function credentialsToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+(\S+)\s*$/i.exec(header);
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const password = colon >= 0 ? decoded.slice(colon + 1) : '';
    return password === '' ? undefined : password;
  }
  return undefined;
}

export interface PlatformApiDeps {
  readonly tokens: OAuthTokens;
  readonly rateLimiter: RateLimiter;
  readonly faults: FaultInjector;
  readonly calls: CallRecord[];
  readonly latencyMs: () => number;
  readonly routes: Router<ApiHandler>;
  readonly control: Router<ControlHandler>;
  /** Reports handler crashes (a bug in the simulator, answered as 500). */
  readonly onInternalError: (error: unknown) => void;
}

export class PlatformApi {
  constructor(private readonly deps: PlatformApiDeps) {}

  /** The node:http request listener. */
  readonly handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    void this.serve(req, res).catch((error: unknown) => {
      this.deps.onInternalError(error);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ id: 'internal_server_error', message: 'Internal server error.' }));
    });
  };

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://api.heroku.local');
    const method = (req.method ?? 'GET').toUpperCase();
    const requestId = randomUUID();
    if (url.pathname.startsWith('/__sim/')) {
      await this.serveControl(method, url, req, res);
      return;
    }
    let accountId: string | null = null;
    const log = (status: number): void => {
      this.deps.calls.push({ host: 'api', method, path: url.pathname, query: url.search, status, accountId, requestId, accept: req.headers.accept, at: new Date() });
    };

    const fault = this.deps.faults.take('api', method, url.pathname);
    if (fault.kind !== 'none' && fault.delayMs > 0) await sleep(fault.delayMs);
    if (fault.kind === 'reset') {
      log(0);
      req.socket.destroy();
      return;
    }

    let response: ApiResponse;
    let remaining: number | null = null;
    try {
      if (fault.kind === 'error') throw fault.error;
      if (!hasVersionedAccept(req.headers.accept)) throw missingVersion();
      const token = credentialsToken(req.headers.authorization);
      const auth = token === undefined ? undefined : this.deps.tokens.authenticate(token);
      if (!auth) throw unauthorized();
      accountId = auth.account.id;
      // heroku.md §1: GET /account/rate-limits does not count towards the limit.
      const free = method === 'GET' && url.pathname.replace(/\/$/, '') === '/account/rate-limits';
      if (!free && !this.deps.rateLimiter.take(auth.account.id)) {
        remaining = 0;
        throw rateLimited();
      }
      remaining = this.deps.rateLimiter.remaining(auth.account.id);
      const match = this.deps.routes.match(method, url.pathname);
      if (match.kind === 'none') throw endpointNotFound();
      const body = await readJsonBody(req);
      const rangeHeader = req.headers.range;
      response = await match.handler({
        method,
        path: url.pathname,
        url,
        params: match.params,
        headers: req.headers,
        auth,
        body,
        range: typeof rangeHeader === 'string' ? rangeHeader : undefined,
      });
    } catch (error) {
      response = toErrorResponse(error, this.deps.onInternalError);
    }

    const headers: Record<string, string> = {
      'Request-Id': requestId,
      'RateLimit-Remaining': String(remaining ?? this.deps.rateLimiter.remaining(accountId ?? 'anonymous')),
      ...(response.headers ?? {}),
    };
    let status = response.status;
    let payload = response.body === undefined ? '' : JSON.stringify(response.body);
    if (payload !== '') headers['Content-Type'] = 'application/json; charset=utf-8';
    if (method === 'GET' && status >= 200 && status < 300) {
      // heroku.md §1 "Caching": ETag on responses, If-None-Match → 304.
      const etag = `"${createHash('sha1').update(payload).digest('hex')}"`;
      headers['ETag'] = etag;
      if (req.headers['if-none-match'] === etag) {
        status = 304;
        payload = '';
        delete headers['Content-Type'];
      }
    }
    const latency = this.deps.latencyMs();
    if (latency > 0) await sleep(latency);
    log(status);
    res.writeHead(status, headers);
    res.end(payload);
  }

  private async serveControl(method: string, url: URL, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let response: ApiResponse;
    try {
      const match = this.deps.control.match(method, url.pathname);
      if (match.kind === 'none') throw new HerokuApiError(404, 'not_found', `No simulator control route ${method} ${url.pathname}.`);
      response = await match.handler(await readJsonBody(req), match.params, url);
    } catch (error) {
      response = toErrorResponse(error, this.deps.onInternalError);
    }
    const payload = response.body === undefined ? '' : JSON.stringify(response.body);
    res.writeHead(response.status, { ...(payload === '' ? {} : { 'Content-Type': 'application/json; charset=utf-8' }), ...(response.headers ?? {}) });
    res.end(payload);
  }
}

/** Reads a JSON object body: non-JSON content type or malformed JSON → 400 bad_request. */
async function readJsonBody(req: http.IncomingMessage): Promise<JsonObject> {
  const raw = await readBody(req);
  if (raw.length === 0) return {};
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  // application/json, or a +json type such as application/vnd.heroku+json.
  if (contentType !== 'application/json' && !/^application\/[\w.-]+\+json$/.test(contentType ?? '')) {
    throw badRequest(`Request bodies must be JSON with Content-Type: application/json (got ${JSON.stringify(req.headers['content-type'] ?? '')}).`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest('Request invalid, validate usage and try again. (malformed JSON body)');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw badRequest('Request invalid, validate usage and try again. (the body must be a JSON object)');
  }
  return parsed as JsonObject;
}

export function toErrorResponse(error: unknown, onInternalError: (error: unknown) => void): ApiResponse {
  if (error instanceof HerokuApiError) return { status: error.status, body: error.body(), headers: error.headers };
  onInternalError(error);
  return { status: 500, body: { id: 'internal_server_error', message: 'Internal server error.' } };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
