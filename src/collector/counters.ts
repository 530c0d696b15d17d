import type { Counters, DailyCountRow, DailyPurposeRow, StatsFilter, VerifiedReceipt } from './types';

const SEP = '\u0000';

/**
 * Counter increments for a set of newly stored receipts, summed in memory so one transaction
 * issues one upsert per distinct counter row (in a stable order, so concurrent writers never deadlock).
 */
export function counterDeltas(receipts: VerifiedReceipt[]): Counters {
  const daily = new Map<string, DailyCountRow>();
  const purposes = new Map<string, DailyPurposeRow>();
  for (const { payload: p, issuedAtUtc } of receipts) {
    const day = issuedAtUtc.slice(0, 10);
    const dk = [day, p.policyVersion, p.language, p.action, p.gpc].join(SEP);
    const d = daily.get(dk);
    if (d) d.n++;
    else daily.set(dk, { day, policyVersion: p.policyVersion, language: p.language, action: p.action, gpc: p.gpc, n: 1 });
    for (const [purpose, granted] of Object.entries(p.purposes)) {
      const pk = [day, p.policyVersion, purpose, granted].join(SEP);
      const row = purposes.get(pk);
      if (row) row.n++;
      else purposes.set(pk, { day, policyVersion: p.policyVersion, purpose, granted, n: 1 });
    }
  }
  const sorted = <T>(m: Map<string, T>): T[] => [...m.keys()].sort().map((k) => m.get(k)!);
  return { daily: sorted(daily), purposes: sorted(purposes) };
}

/** Granted vs denied for one purpose; `rate` = granted ÷ (granted + denied), 0 when none. */
export interface PurposeRate {
  granted: number;
  denied: number;
  rate: number;
}

/** Decision counts of one group of receipts. */
export interface StatsGroup {
  total: number;
  actions: Record<string, number>;
  /** Receipts made while Global Privacy Control was on. */
  gpc: number;
  languages: Record<string, number>;
  purposes: Record<string, PurposeRate>;
}

/** `GET /stats` body: consent rates overall, per policy version, and per day × policy version. */
export interface Stats extends StatsGroup {
  filter: StatsFilter;
  /** Stored receipts whose chain still has a gap (over the whole store). */
  incompleteChains: number;
  policyVersions: Record<string, StatsGroup>;
  days: Array<StatsGroup & { day: string; policyVersion: string }>;
}

/** Maps keyed by client-chosen strings (purpose ids, policy versions) must not reach Object.prototype via "__proto__". */
const dict = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;
const group = (): StatsGroup => ({ total: 0, actions: dict(), gpc: 0, languages: dict(), purposes: dict() });
const bump = (o: Record<string, number>, k: string, n: number): void => {
  o[k] = (o[k] ?? 0) + n;
};
const addPurpose = (g: StatsGroup, id: string, granted: boolean, n: number): void => {
  const r = (g.purposes[id] ??= { granted: 0, denied: 0, rate: 0 });
  if (granted) r.granted += n;
  else r.denied += n;
  r.rate = Math.round((r.granted / (r.granted + r.denied)) * 10_000) / 10_000;
};

/** Folds counter rows into the `/stats` report (days sorted ascending). */
export function buildStats(c: Counters, filter: StatsFilter, incompleteChains: number): Stats {
  const all = group();
  const versions = dict<StatsGroup>();
  const days = new Map<string, StatsGroup & { day: string; policyVersion: string }>();
  const dayOf = (day: string, policyVersion: string) => {
    const k = `${day}${SEP}${policyVersion}`;
    let g = days.get(k);
    if (!g) days.set(k, (g = { day, policyVersion, ...group() }));
    return g;
  };
  for (const r of c.daily) {
    for (const g of [all, (versions[r.policyVersion] ??= group()), dayOf(r.day, r.policyVersion)]) {
      g.total += r.n;
      bump(g.actions, r.action, r.n);
      bump(g.languages, r.language, r.n);
      if (r.gpc) g.gpc += r.n;
    }
  }
  for (const r of c.purposes) {
    for (const g of [all, (versions[r.policyVersion] ??= group()), dayOf(r.day, r.policyVersion)]) addPurpose(g, r.purpose, r.granted, r.n);
  }
  const sortedDays = [...days.values()].sort((a, b) => (a.day === b.day ? (a.policyVersion < b.policyVersion ? -1 : 1) : a.day < b.day ? -1 : 1));
  return { filter, incompleteChains, ...all, policyVersions: versions, days: sortedDays };
}
