/**
 * `GET /stats` stays bounded however many distinct policy versions, languages and purpose ids clients
 * sign: a window of at most 366 days, and only the most-counted values listed by name, the rest summed.
 * Both backends must pick the same values (ties by byte order, whatever PostgreSQL's locale).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stats } from './counters';
import { createCollector, type Collector } from './server';
import { backends, type TestBackend } from './test-backends';
import { makeDevice, next } from './test-receipts';
import type { ReceiptStore } from './types';

const TOKEN = 'stats-test-admin-token-0123456789';
/** 23:55 UTC: a receipt may be issued up to 10 minutes ahead, so the latest day is already tomorrow. */
const NOW = Date.parse('2026-11-30T23:55:00Z');

describe.each(backends)('GET /stats bounds (%s)', (_name, makeBackend) => {
  let backend: TestBackend;
  let store: ReceiptStore;
  let collector: Collector;
  let url: string;
  const stats = async (query = ''): Promise<{ status: number; body: Stats & { error?: string } }> => {
    const res = await fetch(`${url}/stats${query}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return { status: res.status, body: (await res.json()) as Stats & { error?: string } };
  };

  beforeAll(async () => {
    backend = makeBackend();
    store = await backend.open();
    if (backend.name === 'postgres') {
      // As in a database created with an English locale: ORDER BY alone would then rank _ < a < B.
      await backend.sql('ALTER TABLE daily_counts ALTER COLUMN policy_version TYPE text COLLATE "en-x-icu", ALTER COLUMN language TYPE text COLLATE "en-x-icu"');
      await backend.sql('ALTER TABLE daily_purpose_counts ALTER COLUMN policy_version TYPE text COLLATE "en-x-icu", ALTER COLUMN purpose TYPE text COLLATE "en-x-icu"');
    }
    collector = await createCollector({
      store, adminToken: TOKEN, rateLimit: false, now: () => NOW, statsLimits: { policyVersions: 3, languages: 2, purposes: 2 },
    });
    url = await collector.listen(0, '127.0.0.1');
    // Receipts per policy version: v-a 3; B, _ and a 2 each (a tie that byte order breaks as B < _ < a,
    // while an English collation would say _ < a < B); z 1.
    const versions = ['v-a', 'v-a', 'v-a', 'B', 'B', '_', '_', 'a', 'a', 'z'];
    const languages = ['en', 'en', 'en', 'en', 'de', 'de', 'de', 'fr', 'fr', 'nl'];
    const receipts: string[] = [];
    for (const [i, policyVersion] of versions.entries()) {
      const d = await makeDevice();
      const day = i % 2 ? '2026-11-02' : '2026-11-01';
      const purposes = i < 4 ? { necessary: true, analytics: true, marketing: false } : i < 8 ? { necessary: true, analytics: false } : { necessary: true, extra: true };
      receipts.push(await next(d, { policyVersion, language: languages[i], purposes, issuedAt: `${day}T12:00:00Z` }));
    }
    // Outside the default window (more than 366 days back).
    receipts.push(await next(await makeDevice(), { policyVersion: 'old', issuedAt: '2025-06-01T12:00:00Z' }));
    const res = await fetch(`${url}/receipts`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ receipts }) });
    expect(((await res.json()) as { accepted: string[] }).accepted).toHaveLength(11);
  });
  afterAll(async () => {
    await collector?.close();
    await store?.close();
    await backend?.cleanup();
  });

  it('lists the most-counted policy versions, languages and purposes, sums the rest, and keeps every total', async () => {
    const { status, body } = await stats();
    expect(status).toBe(200);
    expect(body.filter).toEqual({ from: '2025-12-01', to: '2026-12-01' });
    expect(body.limits).toEqual({ days: 366, policyVersions: 3, languages: 2, purposes: 2 });
    expect(body.total).toBe(10);
    expect(Object.keys(body.policyVersions).sort()).toEqual(['B', '_', 'v-a']);
    expect(body.policyVersions['v-a']!.total).toBe(3);
    expect(body.otherPolicyVersions).toMatchObject({ versions: 2, total: 3 });
    expect(body.otherPolicyVersions.days.map((d) => [d.day, d.total])).toEqual([['2026-11-01', 1], ['2026-11-02', 2]]);
    // Every receipt of the window is in exactly one day entry, named or other.
    const perDay = [...body.days, ...body.otherPolicyVersions.days].reduce((n, d) => n + d.total, 0);
    expect(perDay).toBe(10);
    expect(body.days.map((d) => [d.day, d.policyVersion, d.total])).toEqual([
      ['2026-11-01', 'B', 1], ['2026-11-01', '_', 1], ['2026-11-01', 'v-a', 2], ['2026-11-02', 'B', 1], ['2026-11-02', '_', 1], ['2026-11-02', 'v-a', 1],
    ]);
    expect(body.languages).toEqual({ en: 4, de: 3, '(other)': 3 });
    expect(body.otherLanguages).toBe(2);
    // necessary 10 and analytics 8 are listed; marketing 4 and extra 2 are summed.
    expect(body.purposes).toEqual({
      necessary: { granted: 10, denied: 0, rate: 1 },
      analytics: { granted: 4, denied: 4, rate: 0.5 },
      '(other)': { granted: 2, denied: 4, rate: 0.3333 },
    });
    expect(body.otherPurposes).toBe(2);
  });

  it('answers one policy version exactly, even one past the limit', async () => {
    const { body } = await stats('?policyVersion=z');
    expect(body.total).toBe(1);
    expect(Object.keys(body.policyVersions)).toEqual(['z']);
    expect(body.otherPolicyVersions).toMatchObject({ versions: 0, total: 0, days: [] });
  });

  it('windows at most 366 days: fills a missing end, and refuses a longer window', async () => {
    expect((await stats('?from=2026-11-02')).body.filter).toEqual({ from: '2026-11-02', to: '2026-12-01' });
    expect((await stats('?from=2025-01-01')).body.filter).toEqual({ from: '2025-01-01', to: '2026-01-01' });
    const back = await stats('?to=2025-12-31');
    expect(back.body.filter).toEqual({ from: '2024-12-31', to: '2025-12-31' });
    expect(back.body.policyVersions.old!.total).toBe(1);
    expect(back.body.total).toBe(1);
    expect((await stats('?from=2025-06-01&to=2026-06-01')).status).toBe(200);
    const wide = await stats('?from=2025-06-01&to=2026-06-02');
    expect(wide.status).toBe(400);
    expect(wide.body.error).toBe('from, to: at most 366 days apart');
  });
});

describe('statsLimits', () => {
  it('refuses limits that are not whole numbers ≥ 1', async () => {
    const backend = backends[0]![1]();
    const store = await backend.open();
    try {
      await expect(createCollector({ store, statsLimits: { days: 0 } })).rejects.toThrow('statsLimits.days must be an integer ≥ 1');
      await expect(createCollector({ store, statsLimits: { purposes: 2.5 } })).rejects.toThrow('statsLimits.purposes must be an integer ≥ 1');
    } finally {
      await store.close();
      await backend.cleanup();
    }
  });
});

describe.each(backends)('GET /stats with a policy version called "(other)" (%s)', (_name, makeBackend) => {
  it('lists it by name, apart from the versions summed in otherPolicyVersions, and every total adds up', async () => {
    const backend = makeBackend();
    const store = await backend.open();
    const collector = await createCollector({ store, adminToken: TOKEN, rateLimit: false, now: () => NOW, statsLimits: { policyVersions: 2, languages: 50, purposes: 64 } });
    try {
      const url = await collector.listen(0, '127.0.0.1');
      const receipts: string[] = [];
      for (const policyVersion of ['(other)', '(other)', 'v1', 'v1', 'v2']) {
        receipts.push(await next(await makeDevice(), { policyVersion, issuedAt: '2026-11-01T12:00:00Z' }));
      }
      const posted = await fetch(`${url}/receipts`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ receipts }) });
      expect(((await posted.json()) as { accepted: string[] }).accepted).toHaveLength(5);
      const get = async (query = '') => (await (await fetch(`${url}/stats${query}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as Stats;
      const body = await get();
      expect(body.total).toBe(5);
      expect(Object.fromEntries(Object.entries(body.policyVersions).map(([k, v]) => [k, v.total]))).toEqual({ '(other)': 2, v1: 2 });
      expect(body.otherPolicyVersions).toMatchObject({ versions: 1, total: 1 });
      expect(body.days.map((d) => [d.policyVersion, d.total])).toEqual([['(other)', 2], ['v1', 2]]);
      expect(body.otherPolicyVersions.days.map((d) => [d.day, d.total])).toEqual([['2026-11-01', 1]]);
      expect(Object.values(body.policyVersions).reduce((n, v) => n + v.total, 0) + body.otherPolicyVersions.total).toBe(body.total);
      // Asked for by name, the real "(other)" answers exactly.
      expect((await get('?policyVersion=(other)')).total).toBe(2);
    } finally {
      await collector.close();
      await store.close();
      await backend.cleanup();
    }
  });
});
