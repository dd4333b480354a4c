// The delivery side of app webhooks (heroku.md §4): builds the §4.3 envelope, serialises it
// once per attempt, signs exactly those bytes (§4.2), POSTs them, and retries `sync`
// subscriptions with exponential back-off (§4.4). `notify` gets one attempt.
//
// Ordering: first attempts to one subscription go out one at a time in event order (the 2017
// docs said deliveries per subscription are ordered, heroku.md §4.4); retries are scheduled on
// their own timers, so a retried event can arrive after a later one (ordering today is [U], §9.5).
import http from 'node:http';
import https from 'node:https';
import { randomUUID } from 'node:crypto';
import type { WebhookEvent, WebhookSubscription } from './model';
import type { DeliveryAttempt, DeliveryRecord } from './webhook-delivery';
import { serializeJson, type JsonLayout } from './json-bytes';
import { signWebhookBody } from './webhook-signature';

export interface WebhookRetryOptions {
  /** Attempts of a `sync` delivery before it is marked failed (real: 72 h of retries, §4.4). */
  maxAttempts: number;
  /** Delay before the second attempt; doubles each time. */
  baseDelayMs: number;
  /** Cap of the back-off (real, 2017: 1 hour). */
  maxDelayMs: number;
}

export interface WebhookSenderOptions {
  retry: WebhookRetryOptions;
  /** Per-attempt timeout; the real value is undocumented (heroku.md §9.3). */
  timeoutMs: number;
  layout: JsonLayout;
}

/** Delivery faults, changed by the simulator's control API. */
export interface DeliveryFaults {
  /** Attempts still to be sent with a wrong signature. */
  forgeNext: number;
  /** Deliveries still to be sent twice, byte for byte. */
  duplicateNext: number;
  /** Added before every attempt. */
  delayMs: number;
}

export interface PostResult {
  status: number | null;
  error: string | null;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** The envelope version string (§4.3). */
export const WEBHOOK_PAYLOAD_VERSION = 'application/vnd.heroku+json; version=3';

export class WebhookSender {
  readonly deliveries: DeliveryRecord[] = [];
  readonly faults: DeliveryFaults = { forgeNext: 0, duplicateNext: 0, delayMs: 0 };
  private readonly agent = { http: new http.Agent({ keepAlive: false }), https: new https.Agent({ keepAlive: false }) };
  private readonly chains = new Map<string, Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sleepers = new Set<() => void>();
  private readonly requests = new Set<http.ClientRequest>();
  private readonly settledWaiters: (() => void)[] = [];
  private unsettled = 0;
  private seq = 0;
  private closed = false;

  constructor(
    private readonly options: WebhookSenderOptions,
    /** Current state of a subscription (PATCHed url/secret apply to later attempts; deleted → undefined). */
    private readonly subscription: (webhookId: string) => WebhookSubscription | undefined,
  ) {}

  /** Creates one delivery per subscription and queues its first attempt. */
  enqueue(event: WebhookEvent, subscriptions: readonly WebhookSubscription[]): DeliveryRecord[] {
    const created: DeliveryRecord[] = [];
    for (const sub of subscriptions) {
      const now = new Date();
      const delivery: DeliveryRecord = {
        id: randomUUID(),
        eventId: event.id,
        webhookId: sub.id,
        appId: event.appId,
        include: event.include,
        level: sub.level,
        seq: ++this.seq,
        status: 'pending',
        numAttempts: 0,
        attempts: [],
        nextAttemptAt: now,
        createdAt: now,
        updatedAt: now,
      };
      this.deliveries.push(delivery);
      created.push(delivery);
      this.unsettled += 1;
      const previous = this.chains.get(sub.id) ?? Promise.resolve();
      const next = previous.then(() => this.attempt(delivery, event));
      this.chains.set(sub.id, next);
    }
    return created;
  }

  /** Resolves once every delivery has succeeded or failed (retries included). */
  waitForSettled(): Promise<void> {
    if (this.unsettled === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  /** POSTs one signed body outside the subscription machinery (tests of receivers). */
  async sendSigned(url: string, secret: string, body: unknown, extraHeaders: Record<string, string> = {}): Promise<PostResult> {
    const raw = Buffer.from(typeof body === 'string' ? body : serializeJson(body, this.options.layout), 'utf8');
    const headers = {
      'content-type': 'application/json',
      'heroku-webhook-hmac-sha256': signWebhookBody(secret, raw),
      ...lowerCaseKeys(extraHeaders),
    };
    return this.post(url, headers, raw);
  }

  /** Stops retries, aborts in-flight requests and fails what is still pending. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const wake of this.sleepers) wake();
    this.sleepers.clear();
    for (const request of this.requests) request.destroy(new Error('simulator closed'));
    for (const delivery of this.deliveries) {
      if (delivery.status === 'pending' || delivery.status === 'retrying') this.finish(delivery, 'failed');
    }
    await Promise.allSettled([...this.chains.values()]);
    this.agent.http.destroy();
    this.agent.https.destroy();
  }

  private async attempt(delivery: DeliveryRecord, event: WebhookEvent): Promise<void> {
    if (this.faults.delayMs > 0 && !this.closed) await this.sleep(this.faults.delayMs);
    if (this.closed) {
      // Nothing is sent after close(); waiters must not hang on it.
      this.finish(delivery, 'failed');
      return;
    }
    if (isFinal(delivery)) return;
    const sub = this.subscription(delivery.webhookId);
    if (!sub) {
      // The subscription was deleted while the delivery waited: nobody to deliver to.
      this.finish(delivery, 'failed');
      return;
    }
    const number = delivery.numAttempts + 1;
    const attemptId = randomUUID();
    const raw = Buffer.from(serializeJson(envelope(event, delivery, attemptId), this.options.layout), 'utf8');
    const forged = this.faults.forgeNext > 0;
    if (forged) this.faults.forgeNext -= 1;
    // A forged signature is well-formed (44 base64 chars) but made with the wrong key.
    const signature = signWebhookBody(forged ? `${sub.secret}-forged` : sub.secret, raw);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'heroku-webhook-hmac-sha256': signature };
    if (sub.authorization !== null) headers['authorization'] = sub.authorization;

    delivery.numAttempts = number;
    delivery.nextAttemptAt = null;
    const primary = await this.send(delivery, { id: attemptId, number, duplicate: false, forged, url: sub.url, headers, raw });
    const duplicate = event.duplicate || this.faults.duplicateNext > 0;
    if (!event.duplicate && this.faults.duplicateNext > 0) this.faults.duplicateNext -= 1;
    if (duplicate && !this.closed) {
      await this.send(delivery, { id: attemptId, number, duplicate: true, forged, url: sub.url, headers, raw });
    }
    if (this.closed || isFinal(delivery)) return;

    const ok = primary.responseStatus !== null && primary.responseStatus >= 200 && primary.responseStatus < 300;
    if (ok) {
      this.finish(delivery, 'succeeded');
    } else if (delivery.level === 'sync' && number < this.options.retry.maxAttempts) {
      const { baseDelayMs, maxDelayMs } = this.options.retry;
      const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (number - 1));
      delivery.status = 'retrying';
      delivery.nextAttemptAt = new Date(Date.now() + delay);
      delivery.updatedAt = new Date();
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.attempt(delivery, event);
      }, delay);
      this.timers.add(timer);
    } else {
      this.finish(delivery, 'failed');
    }
  }

  private async send(
    delivery: DeliveryRecord,
    a: { id: string; number: number; duplicate: boolean; forged: boolean; url: string; headers: Record<string, string>; raw: Buffer },
  ): Promise<DeliveryAttempt> {
    const attempt: DeliveryAttempt = {
      id: a.id,
      number: a.number,
      duplicate: a.duplicate,
      forged: a.forged,
      url: a.url,
      requestHeaders: { ...a.headers, 'content-length': String(a.raw.length) },
      rawBody: a.raw,
      startedAt: new Date(),
      responseStatus: null,
      error: null,
      finishedAt: null,
    };
    delivery.attempts.push(attempt);
    const result = await this.post(a.url, a.headers, a.raw);
    attempt.responseStatus = result.status;
    attempt.error = result.error;
    attempt.finishedAt = new Date();
    delivery.updatedAt = attempt.finishedAt;
    return attempt;
  }

  private post(url: string, headers: Record<string, string>, raw: Buffer): Promise<PostResult> {
    return new Promise((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        resolve({ status: null, error: 'InvalidURL', body: '', headers: {} });
        return;
      }
      const isHttps = target.protocol === 'https:';
      const request = (isHttps ? https : http).request(target, {
        method: 'POST',
        agent: isHttps ? this.agent.https : this.agent.http,
        headers: { ...headers, 'content-length': String(raw.length) },
        timeout: this.options.timeoutMs,
      });
      this.requests.add(request);
      let settled = false;
      const done = (result: PostResult): void => {
        if (settled) return;
        settled = true;
        this.requests.delete(request);
        resolve(result);
      };
      request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'Timeout' })));
      request.on('error', (err: NodeJS.ErrnoException) => done({ status: null, error: err.code ?? err.name, body: '', headers: {} }));
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', () => done({ status: response.statusCode ?? null, error: null, body: '', headers: response.headers }));
        response.on('end', () =>
          done({ status: response.statusCode ?? null, error: null, body: Buffer.concat(chunks).toString('utf8'), headers: response.headers }),
        );
      });
      request.end(raw);
    });
  }

  private finish(delivery: DeliveryRecord, status: 'succeeded' | 'failed'): void {
    if (isFinal(delivery)) return;
    delivery.status = status;
    delivery.nextAttemptAt = null;
    delivery.updatedAt = new Date();
    this.unsettled -= 1;
    if (this.unsettled === 0) {
      for (const resolve of this.settledWaiters.splice(0)) resolve();
    }
  }

  /** A delay that close() cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.timers.delete(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.timers.add(timer);
      this.sleepers.add(wake);
    });
  }
}

function isFinal(delivery: DeliveryRecord): boolean {
  return delivery.status === 'succeeded' || delivery.status === 'failed';
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** The body of one attempt, key order as in the real captures (heroku.md §4.3, ZULIP, REAL-BUILD). */
export function envelope(event: WebhookEvent, delivery: DeliveryRecord, attemptId: string): Record<string, unknown> {
  return {
    id: event.id,
    data: event.data,
    actor: event.actor,
    action: event.action,
    version: WEBHOOK_PAYLOAD_VERSION,
    resource: event.resource,
    sequence: null,
    created_at: event.createdAt,
    updated_at: event.updatedAt,
    published_at: event.publishedAt,
    previous_data: {},
    webhook_metadata: {
      attempt: { id: attemptId },
      delivery: { id: delivery.id },
      event: { id: event.id, include: event.include },
      webhook: { id: delivery.webhookId },
    },
  };
}
