import type { Counters, DailyCountRow, DailyPurposeRow, StatsFilter, VerifiedReceipt } from './types';

/** The fields of a receipt that the counters count (a verified receipt, or a stored row being purged). */
export interface CountedReceipt {
  issuedAtUtc: string;
  payload: Pick<VerifiedReceipt['payload'], 'policyVersion' | 'language' | 'action' | 'gpc' | 'purposes'>;
}

const SEP = '\u0000';

/**
 * Counter increments for a set of newly stored receipts, summed in memory so one transaction
 * issues one upsert per distinct counter row (in a stable order, so concurrent writers never deadlock).
 */
export function counterDeltas(receipts: CountedReceipt[]): Counters {
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

/**
 * Bounds of one `GET /stats` answer. Policy versions, languages and purpose ids are chosen by whoever
 * signs a receipt, so only the most-counted of each are listed by name; the rest are summed (see
 * {@link Stats}). Totals always count every receipt in the window.
 */
export interface StatsLimits {
  /** Most UTC days in the window (`from` and `to` inclusive). */
  days: number;
  policyVersions: number;
  languages: number;
  purposes: number;
}

/** Default {@link StatsLimits}: a year (and a leap day), and more versions, languages and purposes than a site uses. */
export const STATS_LIMITS: Readonly<StatsLimits> = Object.freeze({ days: 366, policyVersions: 25, languages: 50, purposes: 64 });

const DAY_MS = 86_400_000;
const dayPlus = (day: string, days: number): string => new Date(Date.parse(day) + days * DAY_MS).toISOString().slice(0, 10);

/**
 * The UTC days (`from`, `to`, inclusive) a statistics answer covers: at most `days` of them. A missing end is
 * filled in from the other one, never past `latest` (the latest day a receipt can have); with neither, the
 * window ends on `latest`. Throws a RangeError when both are given and lie further apart.
 */
export function statsWindow(given: { from?: string | undefined; to?: string | undefined }, days: number, latest: string): { from: string; to: string } {
  const span = days - 1;
  let to = given.to;
  if (to === undefined) {
    const end = given.from === undefined ? latest : dayPlus(given.from, span);
    to = end < latest ? end : given.from !== undefined && latest < given.from ? given.from : latest;
  }
  const from = given.from ?? dayPlus(to, -span);
  if ((Date.parse(to) - Date.parse(from)) / DAY_MS > span) throw new RangeError(`from, to: at most ${days} days apart`);
  return { from, to };
}

/** Key under which languages and purposes past the limits are summed (neither a language tag nor a purpose id can be it). */
export const OTHER_KEY = '(other)';

/** How many distinct values a window holds, before folding. */
export interface DistinctCounts {
  policyVersions: number;
  languages: number;
  purposes: number;
}

/** Counter rows where `OTHER` ('') stands for the values past the limits, with the distinct counts before folding. */
export interface FoldedCounters extends Counters {
  distinct: DistinctCounts;
}

/**
 * `GET /stats` body: consent rates overall, per policy version, and per day × policy version, over a window
 * of at most `limits.days` days. Every receipt of the window is in the totals; the policy versions past
 * `limits.policyVersions` (fewest receipts first, ties by name) are summed in `otherPolicyVersions`, and
 * languages and purposes past theirs under the key `"(other)"`, so the answer has a fixed maximum size.
 */
export interface Stats extends StatsGroup {
  filter: StatsFilter;
  limits: StatsLimits;
  /** Stored receipts whose chain still has a gap (over the whole store). */
  incompleteChains: number;
  policyVersions: Record<string, StatsGroup>;
  days: Array<StatsGroup & { day: string; policyVersion: string }>;
  /** The policy versions not listed by name: how many, their sum, and their sum per day. */
  otherPolicyVersions: StatsGroup & { versions: number; days: Array<StatsGroup & { day: string }> };
  /** How many languages / purpose ids are summed under `"(other)"`. */
  otherLanguages: number;
  otherPurposes: number;
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

/**
 * Folds counter rows into the `/stats` report (days sorted ascending). Rows from {@link FoldedCounters}
 * may name `''` as their policy version, language or purpose: the values past the limits, summed.
 */
export function buildStats(c: Counters, filter: StatsFilter, incompleteChains: number, distinct?: DistinctCounts, limits: StatsLimits = STATS_LIMITS): Stats {
  const all = group();
  const versions = dict<StatsGroup>();
  const days = new Map<string, StatsGroup & { day: string; policyVersion: string }>();
  const other = { versions: 0, ...group(), days: [] as Array<StatsGroup & { day: string }> };
  const otherDays = new Map<string, StatsGroup & { day: string }>();
  const dayOf = (day: string, policyVersion: string): StatsGroup => {
    if (policyVersion === '') {
      let g = otherDays.get(day);
      if (!g) otherDays.set(day, (g = { day, ...group() }));
      return g;
    }
    const k = `${day}${SEP}${policyVersion}`;
    let g = days.get(k);
    if (!g) days.set(k, (g = { day, policyVersion, ...group() }));
    return g;
  };
  const versionOf = (v: string): StatsGroup => (v === '' ? other : (versions[v] ??= group()));
  const named = (k: string): string => (k === '' ? OTHER_KEY : k);
  for (const r of c.daily) {
    for (const g of [all, versionOf(r.policyVersion), dayOf(r.day, r.policyVersion)]) {
      g.total += r.n;
      bump(g.actions, r.action, r.n);
      bump(g.languages, named(r.language), r.n);
      if (r.gpc) g.gpc += r.n;
    }
  }
  for (const r of c.purposes) {
    for (const g of [all, versionOf(r.policyVersion), dayOf(r.day, r.policyVersion)]) addPurpose(g, named(r.purpose), r.granted, r.n);
  }
  const byDay = <T extends { day: string }>(a: T, b: T): number => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0);
  const sortedDays = [...days.values()].sort((a, b) => byDay(a, b) || (a.policyVersion < b.policyVersion ? -1 : 1));
  other.days = [...otherDays.values()].sort(byDay);
  const past = (n: number | undefined, limit: number): number => Math.max(0, (n ?? 0) - limit);
  other.versions = past(distinct?.policyVersions, limits.policyVersions);
  return {
    filter, limits, incompleteChains, ...all, policyVersions: versions, days: sortedDays, otherPolicyVersions: other,
    otherLanguages: past(distinct?.languages, limits.languages), otherPurposes: past(distinct?.purposes, limits.purposes),
  };
}
