// Per-client rate limits: one token bucket per key ("party:<id>" for authenticated reads,
// "ip:<address>" for everything else). A bucket holds up to `perMinute` tokens and refills
// continuously at perMinute / 60 s, so a client may burst a minute's allowance and then sustains
// `perMinute`. The map of buckets is bounded: the least recently used bucket is dropped first
// (which can only ever grant its client a fresh allowance, never take one away from another); the
// bound is lru-cache's. Not a rate-limiting package: the fixed windows of rate-limiter-flexible's
// memory limiter admit twice the rate across a window edge, and it and `limiter` are asynchronous
// per request with their own timers, where this is a few lines of arithmetic on an injected clock.
import { LRUCache } from "lru-cache";

export interface RateLimitDecision {
  ok: boolean;
  /** when refused: ms until one token is available */
  retryAfterMs: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets: LRUCache<string, Bucket>;
  private readonly perMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly clock: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new RangeError("rateLimitPerMinute must be a positive integer");
    this.perMs = perMinute / 60_000;
    this.buckets = new LRUCache<string, Bucket>({ max: maxKeys });
  }

  take(key: string, cost = 1): RateLimitDecision {
    const now = this.clock();
    let b = this.buckets.get(key); // a hit makes it the most recently used
    if (b) {
      b.tokens = Math.min(this.perMinute, b.tokens + (now - b.at) * this.perMs);
      b.at = now;
    } else {
      b = { tokens: this.perMinute, at: now };
      this.buckets.set(key, b);
    }
    if (b.tokens >= cost) {
      b.tokens -= cost;
      return { ok: true, retryAfterMs: 0 };
    }
    return { ok: false, retryAfterMs: Math.ceil((cost - b.tokens) / this.perMs) };
  }

  /** Whether `key` has a token left, without taking one. */
  hasToken(key: string): boolean {
    const b = this.buckets.peek(key);
    if (!b) return true;
    return Math.min(this.perMinute, b.tokens + (this.clock() - b.at) * this.perMs) >= 1;
  }

  get size(): number {
    return this.buckets.size;
  }
}
