/** Per-client token bucket settings: `perSecond` tokens refill each second up to `burst`. */
export interface RateLimitOptions {
  perSecond: number;
  burst: number;
  /** Most clients tracked at once; the least recently seen are forgotten first (default 100,000). */
  maxClients?: number;
}

/**
 * A token bucket per key (client IP). `take` spends one token and returns 0 when allowed, else the
 * seconds to wait. Memory stays bounded: a Map kept in recency order drops its oldest entries.
 */
export function tokenBuckets(o: RateLimitOptions, clock: () => number = Date.now) {
  const max = o.maxClients ?? 100_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key: string): number {
      const now = clock();
      let b = buckets.get(key);
      if (b) {
        buckets.delete(key);
        b.tokens = Math.min(o.burst, b.tokens + ((now - b.at) / 1000) * o.perSecond);
        b.at = now;
      } else {
        b = { tokens: o.burst, at: now };
        if (buckets.size >= max) buckets.delete(buckets.keys().next().value as string);
      }
      buckets.set(key, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - b.tokens) / o.perSecond));
    },
  };
}
