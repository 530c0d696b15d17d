import { OTHER_KEY } from '../counters';
import { OTHER } from '../stats-query';
import type { Counters } from '../types';

/** Decision counts of one slice of receipts (a policy version, a language, or all). */
export interface Slice {
  total: number;
  /** Receipts per action (`accept-all`, `reject-all`, `custom`, `withdraw`). */
  actions: Record<string, number>;
  /** Receipts made while Global Privacy Control was on. */
  gpc: number;
}

/** Decision counts of one policy version (or of the versions past the limit), with its purposes and first and last day. */
export type VersionSlice = Slice & { purposes: Record<string, PurposeCount>; firstDay: string; lastDay: string };

/** Granted / denied counts of one purpose. */
export interface PurposeCount {
  granted: number;
  denied: number;
}

/**
 * `GET /dashboard/api/overview` body: everything the overview charts draw, folded from the store's
 * pre-aggregated daily counters (never from the receipts themselves). Per-day arrays align with `days`.
 */
export interface Overview {
  /** Every UTC day from the first to the last day with receipts (inclusive), without holes. */
  days: string[];
  /** Receipts per day. */
  perDay: number[];
  all: Slice;
  /** Per purpose: overall counts, and granted / (granted + denied) per day (null when none that day). */
  purposes: Record<string, PurposeCount & { rateByDay: Array<number | null> }>;
  /** Per policy version: its slice plus its purpose counts (the purpose counters are kept per version). */
  policyVersions: Record<string, VersionSlice>;
  /**
   * The policy versions past the limit, summed (null when none was). Kept out of `policyVersions`, whose keys
   * are whatever receipts say: a real version may be called anything, `"(other)"` included.
   */
  otherPolicyVersionsSum: VersionSlice | null;
  /** Per language (purpose counters are not kept per language, so only decision counts). */
  languages: Record<string, Slice>;
  /** Receipts whose chain still has a gap (over the whole store). */
  incompleteChains: number;
}

/**
 * `GET /dashboard/api/overview` answer: the {@link Overview} of a window of at most 366 UTC days, where the
 * policy versions past the `/stats` limit are summed in `otherPolicyVersionsSum`, and the languages and
 * purposes past theirs under the key `"(other)"` (which no language tag or purpose id can be), as in `/stats`.
 */
export interface OverviewAnswer extends Overview {
  /** The days covered (inclusive), as filled in when the request left them out. */
  window: { from: string; to: string };
  /** How many policy versions are summed in `otherPolicyVersionsSum`, and languages and purpose ids under `"(other)"`. */
  otherPolicyVersions: number;
  otherLanguages: number;
  otherPurposes: number;
}

/** A map with no prototype: keys come from receipts, and `__proto__` is a valid policy version or purpose id. */
const dict = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;
const slice = (): Slice => ({ total: 0, actions: dict(), gpc: 0 });
const DAY_MS = 86_400_000;

/** Every day from `first` to `last` (YYYY-MM-DD, inclusive); capped so a stray date cannot blow up the reply. */
export function dayRange(first: string, last: string, max = 3700): string[] {
  const out: string[] = [];
  const end = Date.parse(`${last}T00:00:00Z`);
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= end && out.length < max; t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/**
 * Folds counter rows into the {@link Overview}. Cost grows with distinct counter rows, not with receipts.
 * Rows folded by the store (`foldedCounters`) may name `''` ({@link OTHER}) as their policy version, language
 * or purpose: the values past the limits, summed (no stored value is empty).
 */
export function buildOverview(c: Counters, incompleteChains: number): Overview {
  const dayNames = new Set<string>();
  for (const r of c.daily) dayNames.add(r.day);
  for (const r of c.purposes) dayNames.add(r.day);
  const sorted = [...dayNames].sort();
  const days = sorted.length ? dayRange(sorted[0]!, sorted[sorted.length - 1]!) : [];
  const index = new Map(days.map((d, i) => [d, i]));
  const perDay = days.map(() => 0);
  const all = slice();
  const policyVersions: Overview['policyVersions'] = dict();
  let otherPolicyVersionsSum: VersionSlice | null = null;
  const languages: Record<string, Slice> = dict();
  const version = (v: string, day: string) => {
    const fresh = (): VersionSlice => ({ ...slice(), purposes: dict(), firstDay: day, lastDay: day });
    const s = v === OTHER ? (otherPolicyVersionsSum ??= fresh()) : (policyVersions[v] ??= fresh());
    if (day < s.firstDay) s.firstDay = day;
    if (day > s.lastDay) s.lastDay = day;
    return s;
  };
  const named = (k: string): string => (k === OTHER ? OTHER_KEY : k);
  for (const r of c.daily) {
    const i = index.get(r.day);
    if (i !== undefined) perDay[i]! += r.n;
    for (const s of [all, version(r.policyVersion, r.day), (languages[named(r.language)] ??= slice())]) {
      s.total += r.n;
      s.actions[r.action] = (s.actions[r.action] ?? 0) + r.n;
      if (r.gpc) s.gpc += r.n;
    }
  }
  const granted = new Map<string, number[]>();
  const seen = new Map<string, number[]>();
  const purposes: Overview['purposes'] = dict();
  for (const r of c.purposes) {
    const id = named(r.purpose);
    const p = (purposes[id] ??= { granted: 0, denied: 0, rateByDay: [] });
    const vp = (version(r.policyVersion, r.day).purposes[id] ??= { granted: 0, denied: 0 });
    if (r.granted) (p.granted += r.n), (vp.granted += r.n);
    else (p.denied += r.n), (vp.denied += r.n);
    const i = index.get(r.day);
    if (i === undefined) continue;
    if (!seen.has(id)) seen.set(id, days.map(() => 0)), granted.set(id, days.map(() => 0));
    seen.get(id)![i]! += r.n;
    if (r.granted) granted.get(id)![i]! += r.n;
  }
  for (const [id, n] of seen) {
    const g = granted.get(id)!;
    purposes[id]!.rateByDay = n.map((t, i) => (t ? Math.round((g[i]! / t) * 10_000) / 10_000 : null));
  }
  return { days, perDay, all, purposes, policyVersions, otherPolicyVersionsSum, languages, incompleteChains };
}
