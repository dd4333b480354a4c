// Helpers for the Heroku simulator's own tests: plain-fetch Platform API calls, the OAuth web
// flow as a browser + client would do it, and a local webhook receiver that keeps raw bytes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HerokuSimulator, type HerokuSimulatorOptions } from './index';

export const HEROKU_ACCEPT = 'application/vnd.heroku+json; version=3';
export const CLIENT = { id: 'b1c0c1f2-5d3c-4b8e-9d57-0a7c1e0f2c11', secret: 'client-secret-for-tests', redirectUri: 'http://127.0.0.1:9/oauth/heroku/callback' };

/** Starts a simulator with the test OAuth client registered. */
export function startSimulator(options: HerokuSimulatorOptions = {}): Promise<HerokuSimulator> {
  return HerokuSimulator.start({ oauthClients: [{ ...CLIENT, name: 'dynopulse tests' }], ...options });
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON body (undefined when empty). */
  json: unknown;
}

/** One Platform API call with plain fetch, as a correct client sends it unless overridden. */
export async function callApi(
  sim: HerokuSimulator,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { Accept: HEROKU_ACCEPT };
  if (options.token !== undefined) headers['Authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${sim.apiUrl}${path}`, {
    method,
    headers: { ...headers, ...(options.headers ?? {}) },
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** Narrowing helper for JSON answers in assertions. */
export function obj(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`expected a JSON object, got ${JSON.stringify(value)}`);
  return value as Record<string, unknown>;
}

export function arr(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) throw new Error(`expected a JSON array, got ${JSON.stringify(value)}`);
  return value.map(obj);
}

/** Follows GET /oauth/authorize like a browser; returns the redirect Location. */
export async function authorizeRedirect(sim: HerokuSimulator, params: Record<string, string>): Promise<{ status: number; location: URL | null; body: string }> {
  const url = new URL('/oauth/authorize', sim.idUrl);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const response = await fetch(url, { redirect: 'manual' });
  const location = response.headers.get('location');
  return { status: response.status, location: location === null ? null : new URL(location), body: await response.text() };
}

/** POST /oauth/token with a form body. */
export async function tokenRequest(sim: HerokuSimulator, form: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${sim.idUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, json: obj(await response.json()) };
}

export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  userId: string;
  expiresIn: number;
}

/** The whole install flow: authorize as the browser user, then exchange the code. */
export async function oauthInstall(sim: HerokuSimulator, scope = 'global'): Promise<TokenSet> {
  const { location } = await authorizeRedirect(sim, { client_id: CLIENT.id, response_type: 'code', scope, state: 'xyz' });
  const code = location?.searchParams.get('code');
  if (!code) throw new Error('authorize did not redirect with a code');
  const { status, json } = await tokenRequest(sim, { grant_type: 'authorization_code', code, client_secret: CLIENT.secret });
  if (status !== 200) throw new Error(`token exchange failed: ${status} ${JSON.stringify(json)}`);
  return { accessToken: String(json['access_token']), refreshToken: String(json['refresh_token']), userId: String(json['user_id']), expiresIn: Number(json['expires_in']) };
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
}

/**
 * A local webhook endpoint. `respond` decides each status (default 204); every request is kept
 * with its raw bytes. `waitFor(n)` resolves once n requests arrived.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  respond: (request: ReceivedRequest, index: number) => number = () => 204;
  private waiters: { n: number; resolve: () => void }[] = [];

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(path = '/webhooks/heroku'): Promise<WebhookReceiver> {
    const self: { receiver?: WebhookReceiver } = {};
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const receiver = self.receiver;
        if (!receiver) return;
        const request: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw: Buffer.concat(chunks) };
        const index = receiver.requests.push(request) - 1;
        res.writeHead(receiver.respond(request, index));
        res.end();
        receiver.notify();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    self.receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}${path}`);
    return self.receiver;
  }

  waitFor(n: number): Promise<void> {
    if (this.requests.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  /** Parsed JSON bodies in arrival order. */
  bodies(): Record<string, unknown>[] {
    return this.requests.map((r) => obj(JSON.parse(r.raw.toString('utf8'))));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private notify(): void {
    const ready = this.waiters.filter((w) => this.requests.length >= w.n);
    this.waiters = this.waiters.filter((w) => this.requests.length < w.n);
    for (const w of ready) w.resolve();
  }
}
