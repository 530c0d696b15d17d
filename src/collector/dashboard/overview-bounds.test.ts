/**
 * The console's overview is bounded like `GET /stats`: a window of at most 366 days (so a receipt backdated
 * to 1970 neither widens the charts nor pushes the real days off them), and only the most frequent policy
 * versions, languages and purposes by name, the rest summed (policy versions apart from the named ones,
 * languages and purposes as "(other)").
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollector, type Collector } from '../server';
import { backends, consoleSession, type TestBackend } from '../test-backends';
import { makeDevice, next } from '../test-receipts';
import type { ReceiptStore } from '../types';
import type { OverviewAnswer } from './overview';
import { dashboardRoutes } from './routes';

const TOKEN = 'overview-bounds-token-0123456789';
const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

describe.each(backends)('overview bounds on %s', (_name, makeBackend) => {
  let backend: TestBackend;
  let store: ReceiptStore;
  let collector: Collector;
  let url: string;
  let assets: string;
  let cookie: string;
  const overview = async (query = ''): Promise<{ status: number; body: OverviewAnswer & { error?: string } }> => {
    const res = await fetch(`${url}/dashboard/api/overview${query}`, { headers: { cookie } });
    return { status: res.status, body: (await res.json()) as OverviewAnswer & { error?: string } };
  };

  beforeAll(async () => {
    backend = makeBackend();
    store = await backend.open();
    assets = mkdtempSync(join(tmpdir(), 'consentseal-dash-'));
    writeFileSync(join(assets, 'dashboard.js'), '');
    collector = await createCollector({
      store, adminToken: TOKEN, rateLimit: false,
      routes: dashboardRoutes({ assetsDir: assets, limits: { policyVersions: 1, languages: 1, purposes: 2 } }),
    });
    url = await collector.listen(0, '127.0.0.1');
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    const receipts = [
      await next(await makeDevice(), { issuedAt: yesterday, policyVersion: 'v1', purposes: { necessary: true, analytics: true } }),
      await next(await makeDevice(), { issuedAt: yesterday, policyVersion: 'v1', purposes: { necessary: true, analytics: false } }),
      await next(await makeDevice(), { policyVersion: 'v2', language: 'de', purposes: { necessary: true, analytics: true, marketing: false } }),
      await next(await makeDevice(), { issuedAt: '1970-01-02T00:00:00Z', policyVersion: 'v1' }),
    ];
    const posted = await fetch(`${url}/receipts`, { method: 'POST', body: JSON.stringify({ receipts }) });
    expect(((await posted.json()) as { accepted: string[] }).accepted).toHaveLength(4);
    cookie = await consoleSession(url, TOKEN);
  });
  afterAll(async () => {
    await collector?.close();
    await store?.close();
    await backend?.cleanup();
    rmSync(assets, { recursive: true, force: true });
  });

  it('covers the last 366 days by default and sums what is past the limits as (other)', async () => {
    const { status, body: o } = await overview();
    expect(status).toBe(200);
    const latest = dayOf(Date.now() + 600_000);
    expect(o.window).toEqual({ from: dayOf(Date.parse(latest) - 365 * 86_400_000), to: latest });
    expect(o.all.total).toBe(3);
    expect(o.days[0]).toBe(dayOf(Date.now() - 86_400_000));
    expect(Object.keys(o.policyVersions)).toEqual(['v1']);
    expect(o.otherPolicyVersionsSum).toMatchObject({ total: 1, purposes: { necessary: { granted: 1, denied: 0 } } });
    expect(Object.fromEntries(Object.entries(o.languages).map(([k, v]) => [k, v.total]))).toEqual({ en: 2, '(other)': 1 });
    expect(Object.keys(o.purposes).sort()).toEqual(['(other)', 'analytics', 'necessary']);
    expect([o.otherPolicyVersions, o.otherLanguages, o.otherPurposes]).toEqual([1, 1, 1]);
  });

  it('shows an older window on request, and refuses one longer than 366 days', async () => {
    const old = await overview('?from=1970-01-01');
    expect(old.body.window).toEqual({ from: '1970-01-01', to: '1971-01-01' });
    expect(old.body.all.total).toBe(1);
    expect(old.body.days).toEqual(['1970-01-02']);
    const wide = await overview('?from=2020-01-01&to=2026-01-01');
    expect(wide.status).toBe(400);
    expect(wide.body.error).toBe('from, to: at most 366 days apart');
  });
});

describe.each(backends)('overview with a policy version called "(other)" on %s', (_name, makeBackend) => {
  it('lists the real "(other)" version by name and sums the rest apart from it, totals adding up', async () => {
    const backend = makeBackend();
    const store = await backend.open();
    const assets = mkdtempSync(join(tmpdir(), 'consentseal-dash-'));
    writeFileSync(join(assets, 'dashboard.js'), '');
    const collector = await createCollector({
      store, adminToken: TOKEN, rateLimit: false, routes: dashboardRoutes({ assetsDir: assets, limits: { policyVersions: 2, languages: 50, purposes: 64 } }),
    });
    try {
      const url = await collector.listen(0, '127.0.0.1');
      const receipts: string[] = [];
      for (const policyVersion of ['(other)', '(other)', 'v1', 'v1', 'v2']) receipts.push(await next(await makeDevice(), { policyVersion }));
      const posted = await fetch(`${url}/receipts`, { method: 'POST', body: JSON.stringify({ receipts }) });
      expect(((await posted.json()) as { accepted: string[] }).accepted).toHaveLength(5);
      const res = await fetch(`${url}/dashboard/api/overview`, { headers: { cookie: await consoleSession(url, TOKEN) } });
      const o = (await res.json()) as OverviewAnswer;
      // Two versions tie at 2 receipts; both are named ("(" sorts before "v"), v2 is the rest.
      expect(Object.fromEntries(Object.entries(o.policyVersions).map(([k, v]) => [k, v.total]))).toEqual({ '(other)': 2, v1: 2 });
      expect(o.otherPolicyVersionsSum!.total).toBe(1);
      expect(o.otherPolicyVersions).toBe(1);
      expect(o.all.total).toBe(5);
    } finally {
      await collector.close();
      await store.close();
      await backend.cleanup();
      rmSync(assets, { recursive: true, force: true });
    }
  });
});
