// Per-account token bucket of the Platform API (heroku.md §1 "Rate limit budget"):
// at most `capacity` tokens, each call costs one, refilled continuously at `refillPerMinute`.

export interface RateLimitOptions {
  /** Bucket size; Heroku: 4500. */
  capacity: number;
  /** Continuous refill rate; Heroku: 75 per minute (4500 per hour). 0 disables refill (deterministic tests). */
  refillPerMinute: number;
}

export const HEROKU_RATE_LIMIT: RateLimitOptions = { capacity: 4500, refillPerMinute: 75 };

interface Bucket {
  tokens: number;
  refilledAt: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly options: RateLimitOptions) {}

  /** Takes one token. Returns false (and takes nothing) when the bucket is empty. */
  take(key: string): boolean {
    const bucket = this.refill(key);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Whole tokens left, the value of `RateLimit-Remaining` and of `GET /account/rate-limits`. */
  remaining(key: string): number {
    return Math.floor(this.refill(key).tokens);
  }

  private refill(key: string): Bucket {
    const now = Date.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.options.capacity, refilledAt: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const earned = ((now - bucket.refilledAt) / 60_000) * this.options.refillPerMinute;
    bucket.tokens = Math.min(this.options.capacity, bucket.tokens + earned);
    bucket.refilledAt = now;
    return bucket;
  }
}
