import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log';
import { herokuApiRequests } from '../metrics/registry';
import { herokuRouteTemplate, withClientSpan } from '../telemetry/client-span';

/**
 * Where the client gets its bearer token. `refresh` is called at most once per request, after a
 * 401, with the token that was rejected (so concurrent callers can tell whether someone else
 * already refreshed).
 */
export interface AccessTokenSource {
  get(): Promise<string>;
  refresh(rejectedToken: string): Promise<string>;
}

/** A Platform API error, carrying Heroku's machine id (`not_found`, `two_factor`, `rate_limit`, ...) and its text. */
export class HerokuApiError extends Error {
  override name = 'HerokuApiError';
  constructor(
    readonly status: number,
    readonly id: string,
    readonly herokuMessage: string,
    readonly method: string,
    readonly path: string,
    readonly requestId: string | undefined,
  ) {
    super(`Heroku API ${method} ${path} answered ${status} ${id}: ${herokuMessage}`);
  }

  /** 429, 5xx and network-level failures may succeed later; a 4xx will not by itself. */
  get retryable(): boolean {
    return this.status === 429 || this.status >= 500 || this.status === 0;
  }
}

export interface HerokuClientOptions {
  apiUrl: string;
  tokens: AccessTokenSource;
  logger?: Logger;
  /** Attempts for one call on 429 (any method) and 5xx/network errors (idempotent methods). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /**
   * Below this RateLimit-Remaining, this client's calls are spaced one refill interval apart
   * (~0.8 s, one token), however many activities share the client.
   */
  rateLimitFloor?: number;
  refillIntervalMs?: number;
  requestTimeoutMs?: number;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** POSTs are not retried on 5xx unless the caller knows a repeat is harmless. */
  idempotent?: boolean;
}

export interface HerokuResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

const ACCEPT = 'application/vnd.heroku+json; version=3';
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'PATCH']);

/**
 * A small Platform API v3 client (heroku.md §1): version header, bearer auth with one refresh on
 * 401, bounded backoff on 429/5xx, slowing down when RateLimit-Remaining runs low, and Range
 * pagination. Longer outages surface as HerokuApiError so Temporal's retry policy takes over.
 */
export class HerokuClient {
  private readonly opts: Required<Omit<HerokuClientOptions, 'logger'>> & { logger?: Logger };
  /** Last RateLimit-Remaining seen for this account (the budget is per account, heroku.md §1). */
  rateLimitRemaining: number | undefined;
  /** Requests sent, including retries; benchmarks and tests read it. */
  callCount = 0;
  /** Earliest time the next call may start while the budget is low (shared by concurrent callers). */
  private nextPacedCallAt = 0;

  constructor(options: HerokuClientOptions) {
    this.opts = {
      maxAttempts: 5,
      baseDelayMs: 500,
      maxDelayMs: 8_000,
      rateLimitFloor: 100,
      refillIntervalMs: 800,
      requestTimeoutMs: 30_000,
      ...options,
      apiUrl: options.apiUrl.replace(/\/+$/, ''),
    };
  }

  async get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return (await this.request<T>('GET', path, options)).body;
  }

  async post<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return (await this.request<T>('POST', path, { ...options, body })).body;
  }

  async patch<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return (await this.request<T>('PATCH', path, { ...options, body })).body;
  }

  async delete<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return (await this.request<T>('DELETE', path, options)).body;
  }

  /** Every item of a list endpoint, following `Next-Range` until the last page (206 means more). */
  async list<T>(path: string, options: RequestOptions & { range?: string } = {}): Promise<T[]> {
    const items: T[] = [];
    let range: string | undefined = options.range ?? 'id ..; max=1000';
    while (range !== undefined) {
      const res: HerokuResponse<T[]> = await this.request<T[]>('GET', path, { ...options, headers: { ...options.headers, Range: range } });
      items.push(...res.body);
      range = res.status === 206 ? (res.headers.get('next-range') ?? undefined) : undefined;
    }
    return items;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<HerokuResponse<T>> {
    const retryOnServerError = options.idempotent ?? IDEMPOTENT.has(method);
    let token = await this.opts.tokens.get();
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      await this.paceForRateLimit(options.signal);
      let res: Response;
      try {
        res = await withClientSpan(`Heroku ${method} ${herokuRouteTemplate(path)}`, { 'http.request.method': method, 'url.template': herokuRouteTemplate(path), 'heroku.attempt': attempt }, () => this.send(method, path, token, options), (r) => r.status);
      } catch (err) {
        herokuApiRequests.inc({ method, status: options.signal?.aborted ? 'aborted' : 'network_error' });
        if (options.signal?.aborted) throw err;
        const failure = new HerokuApiError(0, 'network_error', (err as Error).message, method, path, undefined);
        if (retryOnServerError && attempt < this.opts.maxAttempts) {
          await this.backoff(attempt, failure, options.signal);
          continue;
        }
        throw failure;
      }
      herokuApiRequests.inc({ method, status: String(res.status) });
      const remaining = Number(res.headers.get('ratelimit-remaining'));
      if (Number.isFinite(remaining) && res.headers.has('ratelimit-remaining')) this.rateLimitRemaining = remaining;

      if (res.ok) {
        const text = await res.text();
        return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
      }
      const error = await toApiError(res, method, path);
      if (res.status === 401 && !refreshed) {
        refreshed = true;
        token = await this.opts.tokens.refresh(token);
        continue;
      }
      const retry = res.status === 429 || (res.status >= 500 && retryOnServerError);
      if (retry && attempt < this.opts.maxAttempts) {
        await this.backoff(attempt, error, options.signal);
        continue;
      }
      throw error;
    }
  }

  private async send(method: string, path: string, token: string, options: RequestOptions): Promise<Response> {
    this.callCount++;
    const signals = [AbortSignal.timeout(this.opts.requestTimeoutMs), ...(options.signal ? [options.signal] : [])];
    return fetch(`${this.opts.apiUrl}${path}`, {
      method,
      headers: {
        Accept: ACCEPT,
        Authorization: `Bearer ${token}`,
        'User-Agent': 'dynopulse',
        'Request-Id': randomUUID(),
        ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...options.headers,
      },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      signal: AbortSignal.any(signals),
    });
  }

  private async paceForRateLimit(signal: AbortSignal | undefined): Promise<void> {
    if (this.rateLimitRemaining === undefined || this.rateLimitRemaining >= this.opts.rateLimitFloor) return;
    // Each caller books the next free slot, so N concurrent callers together spend about one
    // token per refill interval instead of N.
    const now = Date.now();
    const slot = Math.max(now + this.opts.refillIntervalMs, this.nextPacedCallAt);
    this.nextPacedCallAt = slot + this.opts.refillIntervalMs;
    await sleep(slot - now, undefined, { signal });
  }

  private async backoff(attempt: number, error: HerokuApiError, signal: AbortSignal | undefined): Promise<void> {
    const exp = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** (attempt - 1));
    const delay = exp / 2 + Math.random() * (exp / 2); // jitter: many workers must not retry in lockstep
    this.opts.logger?.warn({ status: error.status, herokuErrorId: error.id, path: error.path, attempt, delayMs: Math.round(delay) }, 'Heroku API call failed; retrying');
    await sleep(delay, undefined, { signal });
  }
}

async function toApiError(res: Response, method: string, path: string): Promise<HerokuApiError> {
  const text = await res.text().catch(() => '');
  let id = `http_${res.status}`;
  let message = res.statusText || 'request failed';
  try {
    const body = JSON.parse(text) as { id?: unknown; message?: unknown };
    if (typeof body.id === 'string') id = body.id;
    if (typeof body.message === 'string') message = body.message;
  } catch {
    if (text) message = text.slice(0, 200);
  }
  return new HerokuApiError(res.status, id, message, method, path, res.headers.get('request-id') ?? undefined);
}

/** Path segment for an app name or id. */
export function appPath(app: string): string {
  return `/apps/${encodeURIComponent(app)}`;
}
