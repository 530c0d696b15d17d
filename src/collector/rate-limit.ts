import { isIPv4, isIPv6 } from 'node:net';

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
  /** The tokens a bucket holds at `now`: what it had, refilled since, never more than the burst. */
  const tokensAt = (b: { tokens: number; at: number } | undefined, now: number): number =>
    b ? Math.min(o.burst, b.tokens + ((now - b.at) / 1000) * o.perSecond) : o.burst;
  /** Whole seconds (at least 1) until `tokens` grow to one. */
  const secondsToOne = (tokens: number): number => Math.max(1, Math.ceil((1 - tokens) / o.perSecond));
  return {
    take(key: string): number {
      const now = clock();
      const old = buckets.get(key);
      // Re-inserted, so the Map's order stays the order of last use.
      if (old) buckets.delete(key);
      else if (buckets.size >= max) buckets.delete(buckets.keys().next().value as string);
      const b = { tokens: tokensAt(old, now), at: now };
      buckets.set(key, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return secondsToOne(b.tokens);
    },
    /** Whole seconds until `key` has a token again (0: it has one now), spending none. */
    wait(key: string): number {
      const tokens = tokensAt(buckets.get(key), clock());
      return tokens >= 1 ? 0 : secondsToOne(tokens);
    },
  };
}

/** The eight 16-bit groups of a valid IPv6 address (zone id already removed). */
function ipv6Groups(address: string): number[] {
  // An embedded IPv4 tail (`::ffff:192.0.2.1`) becomes its two hex groups.
  const tail = /(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(address);
  let text = address;
  if (tail) {
    const o = tail[1]!.split('.').map(Number);
    text = `${address.slice(0, -tail[1]!.length)}${(o[0]! * 256 + o[1]!).toString(16)}:${(o[2]! * 256 + o[3]!).toString(16)}`;
  }
  const [left, right] = text.split('::') as [string, string | undefined];
  const head = left ? left.split(':') : [];
  const rest = right ? right.split(':') : [];
  const groups = right === undefined ? head : [...head, ...Array<string>(8 - head.length - rest.length).fill('0'), ...rest];
  return groups.map((g) => parseInt(g, 16));
}

/**
 * The rate-limit key of a client address. An IPv6 client usually holds a whole /64 (it may pick any of
 * its 2^64 addresses per request), so IPv6 addresses are keyed by their /64 prefix, e.g. `2001:db8:0:1::/64`;
 * an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, how a dual-stack socket reports an IPv4 client) counts
 * as its IPv4 address. Brackets and a port (`[2001:db8::1]:443`, `192.0.2.1:443`, as some proxies write
 * `X-Forwarded-For`) are removed. Anything else is kept as given, cut to 100 characters so a strange
 * forwarded header cannot make the bucket table large.
 */
export function clientKey(address: string): string {
  let a = address.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) a = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(':'));
  if (isIPv4(a)) return a;
  const unzoned = a.replace(/%[^%]*$/, '');
  if (!isIPv6(unzoned)) return a.slice(0, 100);
  const g = ipv6Groups(unzoned.toLowerCase());
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  }
  return `${g.slice(0, 4).map((n) => n.toString(16)).join(':')}::/64`;
}
