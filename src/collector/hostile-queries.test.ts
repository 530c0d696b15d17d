/**
 * Query parameters an admin (or a script holding the token or a session) can type that used to reach the
 * database unchecked: PostgreSQL refuses a NUL byte, year 0 and an integer past 2^31 − 1, which surfaced as
 * 500s and cut exports. Each must be a 400 naming the parameter, on SQLite and PostgreSQL alike.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardRoutes } from './dashboard/routes';
import { createCollector, type Collector } from './server';
import { backends, consoleSession, type TestBackend } from './test-backends';
import { makeDevice, next } from './test-receipts';
import type { ReceiptStore } from './types';

const TOKEN = 'hostile-queries-admin-token';

describe.each(backends)('hostile query parameters (%s)', (_name, makeBackend) => {
  let backend: TestBackend;
  let store: ReceiptStore;
  let collector: Collector;
  let url: string;
  let cookie: string;
  let subjectId: string;

  beforeAll(async () => {
    backend = makeBackend();
    store = await backend.open();
    collector = await createCollector({ store, adminToken: TOKEN, rateLimit: false, routes: dashboardRoutes({ assetsDir: '/nonexistent' }) });
    url = await collector.listen(0, '127.0.0.1');
    const d = await makeDevice();
    subjectId = d.subjectId;
    const posted = await fetch(`${url}/receipts`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ receipts: [await next(d)] }) });
    expect(posted.status).toBe(200);
    cookie = await consoleSession(url, TOKEN);
  });
  afterAll(async () => {
    await collector?.close();
    await store?.close();
    await backend?.cleanup();
  });

  const admin = (path: string) => fetch(`${url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const dashboard = (path: string) => fetch(`${url}/dashboard/api/${path}`, { headers: { cookie } });

  it.each([
    ['/stats?policyVersion=%00', /^policyVersion: /],
    ['/stats?policyVersion=' + 'v'.repeat(129), /^policyVersion: /],
    ['/receipts?from=0000-01-01', /^from: /],
    ['/receipts?to=0001-01-01T00:30:00%2B01:00', /^to: /],
    // No such day: read as 2 March, it would widen the export by two days without a word.
    ['/receipts?to=2026-02-30', /^to: /],
    ['/stats?from=2026-02-29', /^from: /],
  ])('GET %s is a 400 for the admin API', async (path, reason) => {
    const res = await admin(path);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(reason);
  });

  it.each([
    ['receipts?to=0000-01-01', /^to: /],
    ['receipts?afterIssuedAt=2026-11-30T00:00:00Z&afterReceiptId=%00', /^afterReceiptId: /],
    ['export?format=csv&from=0000-01-01', /^from: /],
    ['subjects/SUBJECT?afterSeq=1.5', /^afterSeq: /],
    ['subjects/SUBJECT?afterSeq=99999999999', /^afterSeq: /],
    ['receipts?from=2026-04-31', /^from: /],
    ['overview?to=2026-02-30', /^to: /],
  ])('GET /dashboard/api/%s is a 400', async (path, reason) => {
    const res = await dashboard(path.replace('SUBJECT', subjectId));
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(reason);
  });

  it('still answers the ordinary forms of those parameters', async () => {
    expect((await admin('/stats?policyVersion=2026-11-01&from=1970-01-01')).status).toBe(200);
    expect((await admin('/receipts?from=1970-01-01&to=2999-12-31T23:59:59%2B01:00')).status).toBe(200);
    expect((await admin('/receipts?from=2024-02-29')).status).toBe(200);
    expect((await admin('/stats?from=2024-02-29&to=2024-12-31')).status).toBe(200);
    const page = await dashboard(`receipts?from=1970-01-01&afterIssuedAt=1970-01-01T00:00:00Z&afterReceiptId=${randomUUID()}`);
    expect(page.status).toBe(200);
    expect((await page.json()).receipts).toHaveLength(1);
    const subject = await dashboard(`subjects/${subjectId}?afterSeq=0`);
    expect((await subject.json()).receipts).toHaveLength(1);
  });
});
