/**
 * Slack's per-method rate limits, as a sliding one-minute window per method (Slack's rate-limit
 * docs: "Tier 3: 50+ per minute" for `chat.update`, `conversations.history`). Past the limit a
 * call is answered 429 with `Retry-After`: the seconds until the oldest call in the window leaves
 * it. Tests lower a limit to prove a client paces itself and honours Retry-After.
 */
export const DEFAULT_PER_MINUTE: Readonly<Record<string, number>> = { 'chat.update': 50, 'conversations.history': 50 };

export class SlackRateLimits {
  private readonly calls = new Map<string, number[]>();

  constructor(
    private readonly perMinute: Readonly<Record<string, number>> = DEFAULT_PER_MINUTE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a call of `method`; undefined when it may proceed, else the Retry-After in whole seconds. */
  take(method: string): number | undefined {
    const limit = this.perMinute[method];
    if (limit === undefined) return undefined;
    const now = this.now();
    const window = (this.calls.get(method) ?? []).filter((at) => at > now - 60_000);
    if (window.length >= limit) {
      this.calls.set(method, window);
      return Math.max(1, Math.ceil(((window[0] as number) + 60_000 - now) / 1000));
    }
    window.push(now);
    this.calls.set(method, window);
    return undefined;
  }
}
