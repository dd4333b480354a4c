/**
 * Brute-force brake for the admin token (the /api bearer check and the console's sign-in form):
 * failed attempts are counted per client address over a sliding window. Past the client's budget
 * every attempt from that address is refused, the right token included, until old failures leave
 * the window; so guessing stays slow and a refusal tells nothing about the guess. An optional
 * total budget (the console's) also holds against guesses spread over many addresses, at the
 * price of refusing everyone while it is spent.
 *
 * Memory is bounded whatever the traffic: each client keeps at most `perClient` timestamps, the
 * total at most `total`, and at most `maxClients` addresses are tracked (the one whose last
 * failure is oldest is forgotten first). In memory, per API process: with N replicas an attacker
 * gets N times the budget, which the admin token's length (≥ 16 characters) makes irrelevant.
 */
export interface AuthFailureLimits {
  /** Failures one address may make in the window. */
  perClient: number;
  /** Failures all addresses together may make in the window (undefined: no total). */
  total?: number;
  windowMs: number;
  /** Addresses tracked at once. */
  maxClients?: number;
}

export const DEFAULT_MAX_TRACKED_CLIENTS = 10_000;

export class AuthFailureLimiter {
  /** Failure times per address, oldest first; the map is ordered by each address's latest failure. */
  private readonly failuresByClient = new Map<string, number[]>();
  /** The latest `total` failure times of everyone, oldest first. */
  private readonly allFailures: number[] = [];
  private readonly maxClients: number;

  constructor(
    private readonly limits: AuthFailureLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.maxClients = limits.maxClients ?? DEFAULT_MAX_TRACKED_CLIENTS;
  }

  /** Seconds to wait before `client` may try again; 0 when an attempt is allowed now. */
  retryAfterSeconds(client: string): number {
    const now = this.now();
    const cutoff = now - this.limits.windowMs;
    this.forgetBefore(cutoff);
    const mine = (this.failuresByClient.get(client) ?? []).filter((t) => t > cutoff);
    const waits: number[] = [];
    // The window reopens when the oldest failure that keeps the count at the limit expires.
    if (mine.length >= this.limits.perClient) waits.push(this.reopensAt(mine, this.limits.perClient) - now);
    const total = this.limits.total;
    if (total !== undefined && this.allFailures.length >= total) waits.push(this.reopensAt(this.allFailures, total) - now);
    return waits.length === 0 ? 0 : Math.max(1, Math.ceil(Math.max(...waits) / 1000));
  }

  recordFailure(client: string): void {
    const now = this.now();
    const mine = this.failuresByClient.get(client) ?? [];
    this.failuresByClient.delete(client); // re-inserted last: the map stays ordered by latest failure
    mine.push(now);
    if (mine.length > this.limits.perClient) mine.splice(0, mine.length - this.limits.perClient);
    this.failuresByClient.set(client, mine);
    while (this.failuresByClient.size > this.maxClients) this.failuresByClient.delete(this.failuresByClient.keys().next().value as string);
    if (this.limits.total !== undefined) {
      this.allFailures.push(now);
      if (this.allFailures.length > this.limits.total) this.allFailures.splice(0, this.allFailures.length - this.limits.total);
    }
  }

  /** A success forgets the address's failures (the total keeps them). */
  recordSuccess(client: string): void {
    this.failuresByClient.delete(client);
  }

  /** Addresses currently tracked (for tests and metrics). */
  get trackedClients(): number {
    return this.failuresByClient.size;
  }

  private reopensAt(times: number[], limit: number): number {
    return (times[times.length - limit] as number) + this.limits.windowMs;
  }

  /** Drops failures that left the window; cheap, since both structures are ordered oldest first. */
  private forgetBefore(cutoff: number): void {
    while (this.allFailures.length > 0 && (this.allFailures[0] as number) <= cutoff) this.allFailures.shift();
    for (const [client, times] of this.failuresByClient) {
      if ((times[times.length - 1] as number) > cutoff) break; // this and every later address failed recently
      this.failuresByClient.delete(client);
    }
  }
}
