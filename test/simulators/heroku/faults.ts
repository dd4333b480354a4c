// Injected failures of the Platform API / id.heroku.com: an error status with a Heroku error
// body, an added delay, or a connection reset, on requests matching a method and a path regex.
import { faultError, HerokuApiError } from './heroku-error';

export type SimulatedHost = 'api' | 'id';

export interface FaultSpec {
  /** HTTP method to match (any when omitted). */
  method?: string;
  /** Matched against the request path without the query string. */
  path: RegExp | string;
  /** Which listener: the Platform API (`api`), id.heroku.com (`id`); both when omitted. */
  host?: SimulatedHost;
  /** Answer this status with a Heroku error body (500, 503, 429, 409 ... see faultError). */
  status?: number;
  /** Override the error body's `id` / `message`. */
  errorId?: string;
  message?: string;
  /** Wait this long first; without `status`/`reset` the request then proceeds normally. */
  delayMs?: number;
  /** Destroy the connection without answering (the client sees a reset / "fetch failed"). */
  reset?: boolean;
  /** How many matching requests it applies to (default 1). */
  times?: number;
}

/** A registered fault; `remaining` counts down as it fires. */
export interface ActiveFault {
  readonly spec: FaultSpec;
  remaining: number;
  /** How many requests it has affected. */
  fired: number;
}

export type FaultOutcome =
  | { kind: 'none' }
  | { kind: 'delay'; delayMs: number }
  | { kind: 'error'; delayMs: number; error: HerokuApiError }
  | { kind: 'reset'; delayMs: number };

/** `sim.faults`: inject failures N times on matching routes. */
export class FaultInjector {
  private readonly active: ActiveFault[] = [];

  /** Registers a fault; e.g. `add({ method: 'POST', path: /\/webhooks$/, status: 503, times: 1 })`. */
  add(spec: FaultSpec): ActiveFault {
    if (spec.status === undefined && spec.delayMs === undefined && !spec.reset) {
      throw new Error('a fault needs a status, a delayMs or reset: true');
    }
    const fault: ActiveFault = { spec, remaining: spec.times ?? 1, fired: 0 };
    this.active.push(fault);
    return fault;
  }

  /** Removes every fault. */
  clear(): void {
    this.active.length = 0;
  }

  /** Faults that still have firings left. */
  pending(): ActiveFault[] {
    return this.active.filter((f) => f.remaining > 0);
  }

  /** Consumes the first matching fault for this request. */
  take(host: SimulatedHost, method: string, path: string): FaultOutcome {
    const fault = this.active.find((f) => f.remaining > 0 && matches(f.spec, host, method, path));
    if (!fault) return { kind: 'none' };
    fault.remaining -= 1;
    fault.fired += 1;
    const { spec } = fault;
    const delayMs = spec.delayMs ?? 0;
    if (spec.reset) return { kind: 'reset', delayMs };
    if (spec.status !== undefined) {
      const base = faultError(spec.status);
      const error = new HerokuApiError(spec.status, spec.errorId ?? base.id, spec.message ?? base.message, base.extra, base.headers);
      return { kind: 'error', delayMs, error };
    }
    return { kind: 'delay', delayMs };
  }
}

function matches(spec: FaultSpec, host: SimulatedHost, method: string, path: string): boolean {
  if (spec.host !== undefined && spec.host !== host) return false;
  if (spec.method !== undefined && spec.method.toUpperCase() !== method.toUpperCase()) return false;
  return typeof spec.path === 'string' ? spec.path === path : spec.path.test(path);
}
