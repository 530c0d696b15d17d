import { describe, expect, it } from 'vitest';
import { buildOverview, dayRange } from './overview';

describe('dayRange', () => {
  it('lists every day inclusive, across month ends', () => {
    expect(dayRange('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    expect(dayRange('2026-03-02', '2026-03-01')).toEqual([]);
    expect(dayRange('2000-01-01', '2100-01-01', 5)).toHaveLength(5);
  });
});

describe('buildOverview', () => {
  const o = buildOverview(
    {
      daily: [
        { day: '2026-11-01', policyVersion: 'v1', language: 'en', action: 'accept-all', gpc: false, n: 6 },
        { day: '2026-11-01', policyVersion: 'v1', language: 'de', action: 'reject-all', gpc: true, n: 2 },
        { day: '2026-11-03', policyVersion: 'v2', language: 'en', action: 'custom', gpc: false, n: 3 },
        { day: '2026-11-03', policyVersion: 'v2', language: 'en', action: 'withdraw', gpc: true, n: 1 },
      ],
      purposes: [
        { day: '2026-11-01', policyVersion: 'v1', purpose: 'analytics', granted: true, n: 6 },
        { day: '2026-11-01', policyVersion: 'v1', purpose: 'analytics', granted: false, n: 2 },
        { day: '2026-11-03', policyVersion: 'v2', purpose: 'analytics', granted: true, n: 1 },
        { day: '2026-11-03', policyVersion: 'v2', purpose: 'analytics', granted: false, n: 3 },
        { day: '2026-11-03', policyVersion: 'v2', purpose: 'ads', granted: false, n: 4 },
      ],
    },
    7,
  );
  it('fills every day of the range, with per-day totals', () => {
    expect(o.days).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
    expect(o.perDay).toEqual([8, 0, 4]);
  });
  it('totals decisions, GPC and chains with a gap', () => {
    expect(o.all).toEqual({ total: 12, actions: { 'accept-all': 6, 'reject-all': 2, custom: 3, withdraw: 1 }, gpc: 3 });
    expect(o.incompleteChains).toBe(7);
  });
  it('gives each purpose its counts and its acceptance rate per day (null on days without data)', () => {
    expect(o.purposes.analytics).toEqual({ granted: 7, denied: 5, rateByDay: [0.75, null, 0.25] });
    expect(o.purposes.ads).toEqual({ granted: 0, denied: 4, rateByDay: [null, null, 0] });
  });
  it('splits by policy version (with purposes and its days) and by language', () => {
    expect(o.policyVersions.v1).toEqual({
      total: 8, actions: { 'accept-all': 6, 'reject-all': 2 }, gpc: 2, firstDay: '2026-11-01', lastDay: '2026-11-01',
      purposes: { analytics: { granted: 6, denied: 2 } },
    });
    expect(o.policyVersions.v2!.purposes).toEqual({ analytics: { granted: 1, denied: 3 }, ads: { granted: 0, denied: 4 } });
    expect(o.languages).toEqual({
      en: { total: 10, actions: { 'accept-all': 6, custom: 3, withdraw: 1 }, gpc: 1 },
      de: { total: 2, actions: { 'reject-all': 2 }, gpc: 2 },
    });
  });
  it('is empty for an empty store', () => {
    expect(buildOverview({ daily: [], purposes: [] }, 0)).toEqual({
      days: [], perDay: [], all: { total: 0, actions: {}, gpc: 0 }, purposes: {}, policyVersions: {}, otherPolicyVersionsSum: null, languages: {},
      incompleteChains: 0,
    });
  });
  it('sums folded rows (\'\') apart from a real policy version called "(other)", and keeps every total', () => {
    const day = '2026-11-01';
    const o = buildOverview(
      {
        daily: [
          { day, policyVersion: '(other)', language: 'en', action: 'accept-all', gpc: false, n: 2 },
          { day, policyVersion: '', language: '', action: 'reject-all', gpc: true, n: 3 },
          { day: '2026-11-02', policyVersion: '', language: 'en', action: 'custom', gpc: false, n: 1 },
        ],
        purposes: [
          { day, policyVersion: '(other)', purpose: 'analytics', granted: true, n: 2 },
          { day, policyVersion: '', purpose: '', granted: false, n: 3 },
        ],
      },
      0,
    );
    expect(o.policyVersions).toEqual({
      '(other)': { total: 2, actions: { 'accept-all': 2 }, gpc: 0, firstDay: day, lastDay: day, purposes: { analytics: { granted: 2, denied: 0 } } },
    });
    expect(o.otherPolicyVersionsSum).toEqual({
      total: 4, actions: { 'reject-all': 3, custom: 1 }, gpc: 3, firstDay: day, lastDay: '2026-11-02', purposes: { '(other)': { granted: 0, denied: 3 } },
    });
    expect(o.all.total).toBe(o.policyVersions['(other)']!.total + o.otherPolicyVersionsSum!.total);
    // Languages and purposes keep the key "(other)": no language tag or purpose id can be it.
    expect(Object.fromEntries(Object.entries(o.languages).map(([k, v]) => [k, v.total]))).toEqual({ en: 3, '(other)': 3 });
    expect(Object.keys(o.purposes).sort()).toEqual(['(other)', 'analytics']);
  });
  it('keeps receipt-chosen keys such as __proto__ as plain data', () => {
    const day = '2026-11-01';
    const o = buildOverview(
      {
        daily: [{ day, policyVersion: '__proto__', language: '__proto__', action: 'accept-all', gpc: false, n: 2 }],
        purposes: [{ day, policyVersion: '__proto__', purpose: '__proto__', granted: true, n: 2 }],
      },
      0,
    );
    expect(({} as Record<string, unknown>).total).toBeUndefined();
    expect(({} as Record<string, unknown>).granted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(o)).policyVersions.__proto__.total).toBe(2);
    expect(JSON.parse(JSON.stringify(o)).purposes.__proto__.granted).toBe(2);
  });
});
