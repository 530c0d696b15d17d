import { tokenBuckets, type RateLimitOptions } from '../rate-limit';

/** Settings of {@link signInLimiter}. */
export interface SignInLimitOptions {
  /** Failed sign-ins allowed per client (default burst 10, then one every 12 s). */
  perClient?: RateLimitOptions;
  /** Failed sign-ins allowed over all clients together (default burst 100, then one a second). */
  allClients?: RateLimitOptions;
}

/** Most locked-out clients remembered at once; the oldest lockout is forgotten first. */
const MAX_LOCKED = 10_000;

/**
 * The audit console's failed sign-in limits: only failures spend tokens, so an auditor opening many tabs is
 * never locked out. A client whose bucket runs dry is locked out for as long as its next token takes, and
 * the all-clients bucket bounds a distributed guesser (at the price that such an attack also delays honest
 * sign-ins). Both methods are synchronous and return numbers, so a cluster primary can run them for its
 * workers (see `cluster-limits.ts`).
 */
export function signInLimiter(o: SignInLimitOptions = {}, clock: () => number = Date.now) {
  const perClient = tokenBuckets(o.perClient ?? { perSecond: 1 / 12, burst: 10 }, clock);
  const all = tokenBuckets(o.allClients ?? { perSecond: 1, burst: 100 }, clock);
  const lockedUntil = new Map<string, number>();
  let allLockedUntil = 0;
  return {
    /** Whole seconds the client (a {@link clientKey}) must wait before its next sign-in is checked; 0 = now. */
    lockedFor(client: string): number {
      const now = clock();
      const until = Math.max(lockedUntil.get(client) ?? 0, allLockedUntil);
      return until > now ? Math.ceil((until - now) / 1000) : 0;
    },
    /**
     * Counts a failed sign-in of the client; returns 0 (a number, like every method a primary runs). The
     * failure that spends a bucket's last token starts the lockout, so the 10th failure in a row locks
     * the client out until its next token (and the 100th over all clients, everyone).
     */
    failed(client: string): number {
      const now = clock();
      perClient.take(client);
      all.take('');
      const wait = perClient.wait(client);
      if (wait) {
        lockedUntil.delete(client);
        if (lockedUntil.size >= MAX_LOCKED) lockedUntil.delete(lockedUntil.keys().next().value as string);
        lockedUntil.set(client, now + wait * 1000);
      }
      const waitAll = all.wait('');
      if (waitAll) allLockedUntil = now + waitAll * 1000;
      return 0;
    },
  };
}
