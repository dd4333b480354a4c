/**
 * Brute-force brake for console sign-in: failed attempts are counted per client address and
 * in total over a sliding window. Past either limit every attempt is refused, the right token
 * included, until old failures leave the window, so guessing stays slow whatever the source
 * (the total also holds against guesses spread over many addresses or spoofed X-Forwarded-For).
 *
 * In memory, per API process: with N replicas an attacker gets N times the budget, which the
 * admin token's length (≥ 16 characters) makes irrelevant.
 */
export interface SignInLimits {
  perClient: number;
  total: number;
  windowMs: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = { perClient: 10, total: 100, windowMs: 15 * 60 * 1000 };

export class SignInLimiter {
  private readonly failuresByClient = new Map<string, number[]>();
  private allFailures: number[] = [];

  constructor(
    private readonly limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait before `client` may try again; 0 when an attempt is allowed now. */
  retryAfterSeconds(client: string): number {
    const now = this.now();
    this.forgetBefore(now - this.limits.windowMs);
    const mine = this.failuresByClient.get(client) ?? [];
    const waits: number[] = [];
    // The window reopens when the oldest failure that keeps the count at the limit expires.
    if (mine.length >= this.limits.perClient) waits.push((mine[mine.length - this.limits.perClient] as number) + this.limits.windowMs - now);
    if (this.allFailures.length >= this.limits.total) waits.push((this.allFailures[this.allFailures.length - this.limits.total] as number) + this.limits.windowMs - now);
    return waits.length === 0 ? 0 : Math.max(1, Math.ceil(Math.max(...waits) / 1000));
  }

  recordFailure(client: string): void {
    const now = this.now();
    this.failuresByClient.set(client, [...(this.failuresByClient.get(client) ?? []), now]);
    this.allFailures.push(now);
  }

  recordSuccess(client: string): void {
    this.failuresByClient.delete(client);
  }

  private forgetBefore(cutoff: number): void {
    this.allFailures = this.allFailures.filter((t) => t > cutoff);
    for (const [client, times] of this.failuresByClient) {
      const kept = times.filter((t) => t > cutoff);
      if (kept.length === 0) this.failuresByClient.delete(client);
      else this.failuresByClient.set(client, kept);
    }
  }
}
