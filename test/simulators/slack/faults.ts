/**
 * Failures the simulator can be told to produce, one per call (slack-liquid.md A8.7). How the
 * SDK reacts to each is in A4 and A5.
 */
export type SlackFault =
  /** HTTP 429 with `Retry-After: <seconds>` and body `{"ok":false,"error":"ratelimited"}` (A5). */
  | { kind: 'rate_limited'; retryAfterSeconds: number }
  /** A non-200, non-429 status (default body `{"ok":false,"error":"internal_error"}`): `WebAPIHTTPError` (A4). */
  | { kind: 'http_error'; status: number; body?: string }
  /** HTTP 200 whose body is not JSON, as from a proxy page: `WebAPIPlatformError` with the raw text as `error` (A4). */
  | { kind: 'non_json'; body?: string }
  /** HTTP 200 `{"ok":false,"error":<error>, ...fields}`: `WebAPIPlatformError` (A4). */
  | { kind: 'platform_error'; error: string; fields?: Record<string, unknown> }
  /** Waits `ms` before handling the call normally (exercises the client's `timeout` option). */
  | { kind: 'delay'; ms: number };

/** Fault key that matches every Web API method and the upload endpoint. */
export const ANY_METHOD = '*';

/**
 * Name under which the upload endpoint (`POST /upload/v1/<opaque>`, slack-liquid.md A8.5) appears
 * in `faults` and `calls`. It is not a Web API method.
 */
export const UPLOAD_METHOD = 'upload';

interface ArmedFault {
  readonly fault: SlackFault;
  remaining: number;
}

/**
 * Per-method fault queues. Each call to a method consumes one fault from that method's queue
 * (oldest first), falling back to the {@link ANY_METHOD} queue; with both empty the call is
 * handled normally.
 *
 * @example
 * sim.faults.rateLimit('chat.postMessage', 1);          // next call: 429, Retry-After: 1
 * sim.faults.serverError('files.completeUploadExternal', 2); // next two calls: HTTP 500
 */
export class SlackFaults {
  private readonly queues = new Map<string, ArmedFault[]>();

  /** Arms `fault` for the next `times` calls of `method` (a Web API method name, {@link UPLOAD_METHOD} or {@link ANY_METHOD}). */
  inject(method: string, fault: SlackFault, times = 1): this {
    if (!Number.isInteger(times) || times < 1) throw new Error(`SlackFaults: times must be a positive integer, got ${times}`);
    validateFault(fault);
    const queue = this.queues.get(method) ?? [];
    queue.push({ fault, remaining: times });
    this.queues.set(method, queue);
    return this;
  }

  /** HTTP 429 with `Retry-After: retryAfterSeconds` (an integer, as Slack sends; slack-liquid.md A5). */
  rateLimit(method: string, retryAfterSeconds: number, times = 1): this {
    return this.inject(method, { kind: 'rate_limited', retryAfterSeconds }, times);
  }

  /** HTTP 500 (or another non-200, non-429 `status`). */
  serverError(method: string, times = 1, status = 500): this {
    return this.inject(method, { kind: 'http_error', status }, times);
  }

  /** HTTP 200 with a non-JSON body (default: an HTML error page). */
  nonJson(method: string, times = 1, body?: string): this {
    return this.inject(method, { kind: 'non_json', body }, times);
  }

  /** HTTP 200 `{"ok":false,"error":error}` plus optional extra fields (e.g. `needed`/`provided` for `missing_scope`). */
  platformError(method: string, error: string, times = 1, fields?: Record<string, unknown>): this {
    return this.inject(method, { kind: 'platform_error', error, fields }, times);
  }

  /** Delays the next `times` calls by `ms`, then handles them normally. */
  delay(method: string, ms: number, times = 1): this {
    return this.inject(method, { kind: 'delay', ms }, times);
  }

  /** Number of fault uses still armed, for one method key or all. */
  pending(method?: string): number {
    const queues = method === undefined ? [...this.queues.values()] : [this.queues.get(method) ?? []];
    return queues.flat().reduce((sum, armed) => sum + armed.remaining, 0);
  }

  /** Disarms everything. */
  clear(): void {
    this.queues.clear();
  }

  /** Consumes the fault for one call of `method`, if any is armed. Used by the simulator. */
  take(method: string): SlackFault | undefined {
    return this.takeFrom(method) ?? this.takeFrom(ANY_METHOD);
  }

  private takeFrom(key: string): SlackFault | undefined {
    const queue = this.queues.get(key);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.remaining -= 1;
    if (head.remaining === 0) queue.shift();
    if (queue.length === 0) this.queues.delete(key);
    return head.fault;
  }
}

function validateFault(fault: SlackFault): void {
  switch (fault.kind) {
    case 'rate_limited':
      if (!Number.isInteger(fault.retryAfterSeconds) || fault.retryAfterSeconds < 0) {
        throw new Error('SlackFaults: Retry-After is an integer number of seconds (slack-liquid.md A5)');
      }
      return;
    case 'http_error':
      if (!Number.isInteger(fault.status) || fault.status < 100 || fault.status > 599 || fault.status === 200 || fault.status === 429) {
        throw new Error('SlackFaults: http_error needs a status other than 200 and 429 (use rate_limited for 429)');
      }
      return;
    case 'delay':
      if (!Number.isFinite(fault.ms) || fault.ms < 0) throw new Error('SlackFaults: delay ms must be >= 0');
      return;
    case 'non_json':
    case 'platform_error':
      return;
  }
}
