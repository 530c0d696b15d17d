import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollector, type Collector } from '../server';
import { backends, consoleSession, consoleSignIn, endlessExportStore, type TestBackend } from '../test-backends';
import type { ReceiptStore } from '../types';
import { hashJws, makeDevice, next, payloadOf } from '../test-receipts';
import { DASHBOARD_CSP, dashboardRoutes, yieldingScan } from './routes';
import type { InspectedReceipt } from './inspect';
import type { Overview } from './overview';

const TOKEN = 'dashboard-test-token-0123456789';

describe.each(backends)('audit console routes on %s', (_name, makeBackend) => {
  let backend: TestBackend;
  let store: ReceiptStore;
  let collector: Collector;
  let url: string;
  let assets: string;
  let origin: Record<string, string>;

  const login = async (token = TOKEN, headers: Record<string, string> = origin) =>
    fetch(`${url}/dashboard/login`, {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ token }).toString(),
    });
  const session = async (): Promise<string> => {
    const res = await login();
    expect(res.status).toBe(303);
    return res.headers.get('set-cookie')!.split(';')[0]!;
  };
  const get = (path: string, cookie?: string) => fetch(`${url}${path}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' });

  beforeAll(async () => {
    backend = makeBackend();
    store = await backend.open();
    assets = mkdtempSync(join(tmpdir(), 'consentseal-dash-'));
    writeFileSync(join(assets, 'dashboard.js'), 'console.log("dashboard")');
    collector = await createCollector({
      store, adminToken: TOKEN, rateLimit: false,
      routes: dashboardRoutes({ assetsDir: assets, loginFailures: { perSecond: 0.001, burst: 3 }, subjectPageSize: 2 }),
    });
    url = await collector.listen(0, '127.0.0.1');
    origin = { origin: url };
  });
  afterAll(async () => {
    await collector?.close();
    await store?.close();
    await backend?.cleanup();
    rmSync(assets, { recursive: true, force: true });
  });

  it('shows the login form, with the strict CSP, to a visitor without a session', async () => {
    const res = await get('/dashboard');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const html = await res.text();
    expect(html).toContain('<form method="post" action="/dashboard/login">');
    expect(html).not.toMatch(/<script|style=/);
    const css = await get('/dashboard/dashboard.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(css.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
  });

  it('answers 401 to everything else under /dashboard without a session', async () => {
    for (const path of ['/dashboard/api/overview', '/dashboard/api/receipts', '/dashboard/api/export?format=csv', '/dashboard/dashboard.js', '/dashboard/api/subjects/x']) {
      const res = await get(path);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    }
    expect((await get('/dashboard/api/overview', 'consentseal_dashboard=forged')).status).toBe(401);
    expect((await get('/dashboard/api/overview', `consentseal_dashboard=${TOKEN}`)).status).toBe(401);
    expect((await fetch(`${url}/dashboard/api/verify`, { method: 'POST', headers: origin })).status).toBe(401);
  });

  it('signs in with the token: a random session-only HttpOnly SameSite=Strict cookie, never the token', async () => {
    const res = await login();
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/dashboard');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^consentseal_dashboard=[A-Za-z0-9_.-]{70,100}; Path=\/dashboard; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain(TOKEN);
    const page = await get('/dashboard', cookie.split(';')[0]);
    expect(await page.text()).toContain('<script src="/dashboard/dashboard.js" defer></script>');
    const js = await get('/dashboard/dashboard.js', cookie.split(';')[0]);
    expect(js.status).toBe(200);
    expect(await js.text()).toBe('console.log("dashboard")');
  });

  it('refuses a sign-in posted from another origin or without an Origin (CSRF)', async () => {
    for (const headers of [{ origin: 'http://evil.test' }, {}, { ...origin, 'sec-fetch-site': 'cross-site' }]) {
      const res = await login(TOKEN, headers);
      expect(res.status).toBe(403);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });

  it('logs out: the session stops working and the cookie is cleared', async () => {
    const cookie = await session();
    expect((await get('/dashboard/api/overview', cookie)).status).toBe(200);
    const out = await fetch(`${url}/dashboard/logout`, { method: 'POST', redirect: 'manual', headers: { cookie, ...origin } });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await get('/dashboard/api/overview', cookie)).status).toBe(401);
  });

  it('serves overview numbers from the counters, search, the chain view with re-checks, exports and verify', async () => {
    const cookie = await session();
    const d = await makeDevice();
    // Issued a minute apart, so time order (exports) and seq order agree.
    const a = await next(d, { action: 'accept-all', purposes: { necessary: true, analytics: true }, language: 'de', issuedAt: new Date(Date.now() - 60_000).toISOString() });
    const b = await next(d, { action: 'reject-all', purposes: { necessary: true, analytics: false }, gpc: true, policyVersion: '=HYPERLINK("x")' });
    const post = await fetch(`${url}/receipts`, { method: 'POST', body: JSON.stringify({ receipts: [a, b] }) });
    expect((await post.json()).accepted).toHaveLength(2);

    const o = (await (await get('/dashboard/api/overview', cookie)).json()) as Overview;
    expect(o.all).toEqual({ total: 2, actions: { 'accept-all': 1, 'reject-all': 1 }, gpc: 1 });
    expect(o.purposes.analytics).toMatchObject({ granted: 1, denied: 1 });
    expect(Object.keys(o.languages).sort()).toEqual(['de', 'en']);
    expect(Object.keys(o.policyVersions).sort()).toEqual(['2026-11-01', '=HYPERLINK("x")']);

    const byId = await (await get(`/dashboard/api/receipts?receiptId=${payloadOf(b).receiptId}`, cookie)).json();
    expect(byId.receipts.map((r: { seq: number }) => r.seq)).toEqual([2]);
    const bySubject = await (await get(`/dashboard/api/receipts?subjectId=${d.subjectId}&limit=1`, cookie)).json();
    expect(bySubject.receipts).toHaveLength(1);
    expect(bySubject.next).not.toBeNull();
    const page2 = await (await get(`/dashboard/api/receipts?subjectId=${d.subjectId}&limit=1&afterIssuedAt=${bySubject.next.issuedAt}&afterReceiptId=${bySubject.next.receiptId}`, cookie)).json();
    expect(page2.receipts[0].receiptId).not.toBe(bySubject.receipts[0].receiptId);
    expect((await get('/dashboard/api/receipts?subjectId=not-a-uuid', cookie)).status).toBe(400);
    expect((await get('/dashboard/api/receipts?from=yesterday', cookie)).status).toBe(400);

    const chain = await (await get(`/dashboard/api/subjects/${d.subjectId}`, cookie)).json();
    const [r1, r2] = chain.receipts as InspectedReceipt[];
    expect(chain.boundKid).toBe(d.kid);
    expect(r2!.payload).toEqual(payloadOf(b));
    expect(r2!.header).toMatchObject({ alg: 'ES256', typ: 'consent-receipt+jws', kid: d.kid });
    for (const r of [r1!, r2!]) {
      expect([r.signature.ok, r.fields.ok, r.chain.ok, r.ack.ok]).toEqual([true, true, true, true]);
    }
    expect(r2!.ack.payload).toMatchObject({ receiptId: payloadOf(b).receiptId, receiptHash: hashJws(b) });

    const csv = await get(`/dashboard/api/export?format=csv&subjectId=${d.subjectId}`, cookie);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="consentseal-receipts.csv"');
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain(`'=HYPERLINK(""x"")`);
    const nd = (await (await get(`/dashboard/api/export?format=ndjson&subjectId=${d.subjectId}`, cookie)).text()).trimEnd().split('\n');
    expect(nd.map((l) => JSON.parse(l).jws)).toEqual([a, b]);
    expect((await get('/dashboard/api/export?format=xml', cookie)).status).toBe(400);

    expect((await fetch(`${url}/dashboard/api/verify`, { method: 'POST', headers: { cookie } })).status).toBe(403);
    const ok = await (await fetch(`${url}/dashboard/api/verify`, { method: 'POST', headers: { cookie, ...origin } })).json();
    expect(ok).toMatchObject({ ok: true, badSignatures: 0 });
    expect(ok.receipts).toBeGreaterThanOrEqual(2);

    await backend.sql('UPDATE receipts SET action = ? WHERE receipt_id = ?', 'accept-all', payloadOf(b).receiptId);
    const bad = await (await fetch(`${url}/dashboard/api/verify`, { method: 'POST', headers: { cookie, ...origin } })).json();
    expect(bad.ok).toBe(false);
    expect(bad.fieldMismatches).toBe(1);
    expect(bad.problems.join('\n')).toContain(`${payloadOf(b).receiptId}: stored action differ`);
    const again = await (await get(`/dashboard/api/subjects/${d.subjectId}`, cookie)).json();
    expect(again.receipts[1].fields).toEqual({ ok: false, problems: ['stored action differs from the signed receipt'] });
    expect(again.receipts[1].signature.ok).toBe(true);
  });

  it("pages a subject's chain and still checks the link across the page boundary", async () => {
    const cookie = await session();
    const d = await makeDevice();
    const jws = [await next(d), await next(d), await next(d)];
    await fetch(`${url}/receipts`, { method: 'POST', body: JSON.stringify({ receipts: jws }) });
    const p1 = await (await get(`/dashboard/api/subjects/${d.subjectId}`, cookie)).json();
    expect(p1.receipts.map((r: InspectedReceipt) => r.stored.seq)).toEqual([1, 2]);
    expect(p1.nextSeq).toBe(2);
    const p2 = await (await get(`/dashboard/api/subjects/${d.subjectId}?afterSeq=2`, cookie)).json();
    expect(p2.receipts.map((r: InspectedReceipt) => [r.stored.seq, r.chain.ok, r.chain.gap])).toEqual([[3, true, false]]);
    expect(p2.nextSeq).toBeNull();
    // Break the link between seq 2 and 3 behind the store's back: the second page must notice.
    await backend.sql('UPDATE receipts SET jws = ? WHERE receipt_id = ?', jws[0]!, payloadOf(jws[1]!).receiptId);
    const broken = await (await get(`/dashboard/api/subjects/${d.subjectId}?afterSeq=2`, cookie)).json();
    expect(broken.receipts[0].chain.problems).toContain('prev does not match the hash of receipt seq 2');
  });

  it('answers 400 naming the subject id, not a 500 with a logged stack, to a subject path that is not percent-encoding', async () => {
    const cookie = await session();
    for (const path of ['%E0%A4%A', '%zz', '%']) {
      const res = await get(`/dashboard/api/subjects/${path}`, cookie);
      expect(res.status, path).toBe(400);
      expect(await res.json()).toEqual({ error: 'subjectId: must be a UUID' });
    }
  });

  it('answers other methods with 405, still under the CSP', async () => {
    const res = await fetch(`${url}/dashboard/api/overview`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
  });

  it('locks out an IP after repeated wrong tokens, even for the right token', async () => {
    const wrong = await login('wrong-token-wrong-token');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Wrong admin token.');
    let status = 401;
    for (let i = 0; i < 5 && status === 401; i++) status = (await login('wrong-token-wrong-token')).status;
    expect(status).toBe(429);
    const locked = await login();
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(locked.headers.get('set-cookie')).toBeNull();
  });

  it('behind a trusted proxy, locks per forwarded IP and caps failures over all IPs', async () => {
    const c = await createCollector({
      store, adminToken: TOKEN, rateLimit: false,
      routes: dashboardRoutes({ trustProxy: true, loginFailures: { perSecond: 0.001, burst: 2 }, loginFailuresAllIps: { perSecond: 0.001, burst: 4 } }),
    });
    const base = await c.listen(0, '127.0.0.1');
    try {
      const attempt = async (ip: string, token = 'wrong-token-wrong-token', proto = 'http') =>
        consoleSignIn(base, token, { 'x-forwarded-for': `203.0.113.9, ${ip}`, 'x-forwarded-proto': proto });
      const ok = await attempt('198.51.100.1', TOKEN, 'https');
      expect(ok.headers.get('set-cookie')).toMatch(/; Secure$/);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await attempt('198.51.100.2')).status);
      expect(statuses).toEqual([401, 401, 429, 429]);
      // Another client is not affected by the first one's lockout…
      expect((await attempt('198.51.100.3', TOKEN)).status).toBe(303);
      // …until failures over all clients pass the global cap.
      expect([(await attempt('198.51.100.4')).status, (await attempt('198.51.100.5')).status]).toEqual([401, 401]);
      expect((await attempt('198.51.100.6', TOKEN)).status).toBe(429);
    } finally {
      await c.close();
    }
  });
});

describe('a console export whose client goes away', () => {
  it('ends while the collector waits to write more, closing the store cursor', async () => {
    const { store, ended, close } = await endlessExportStore();
    const c = await createCollector({ store, adminToken: TOKEN, rateLimit: false, routes: dashboardRoutes() });
    const base = await c.listen(0, '127.0.0.1');
    try {
      const cookie = await consoleSession(base, TOKEN);
      const closed = new Promise((resolve) => c.server.once('connection', (socket: Socket) => socket.once('close', resolve)));
      const s = connect(Number(new URL(base).port), '127.0.0.1', () =>
        s.write(`GET /dashboard/api/export?format=csv HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\n\r\n`),
      );
      s.once('data', () => (s.pause(), s.destroy()));
      await closed;
      await ended;
    } finally {
      await c.close();
      await close();
    }
  });
});

describe('the console behind a reverse proxy that rewrites Host', () => {
  it('takes the public host from X-Forwarded-Host with trustProxy (sign-in, verify, log-out), and only then', async () => {
    const backend = backends[0]![1]();
    const store = await backend.open();
    const open = async (trustProxy: boolean) => {
      const c = await createCollector({ store, adminToken: TOKEN, rateLimit: false, routes: dashboardRoutes({ trustProxy }) });
      return { c, base: await c.listen(0, '127.0.0.1') };
    };
    const proxied = await open(true);
    const direct = await open(false);
    try {
      // What Apache's mod_proxy (ProxyPreserveHost Off) sends: Host is the upstream's, the browser's host is forwarded.
      const viaProxy = { origin: 'https://consent.example.com', 'x-forwarded-host': 'consent.example.com', 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.7' };
      const signIn = await consoleSignIn(proxied.base, TOKEN, viaProxy);
      expect(signIn.status).toBe(303);
      const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
      expect((await fetch(`${proxied.base}/dashboard/api/verify`, { method: 'POST', headers: { cookie, ...viaProxy } })).status).toBe(200);
      const out = await fetch(`${proxied.base}/dashboard/logout`, { method: 'POST', redirect: 'manual', headers: { cookie, ...viaProxy } });
      expect(out.status).toBe(303);
      // Still refused: another site's Origin, and a forwarded host from a client the collector does not trust.
      expect((await consoleSignIn(proxied.base, TOKEN, { ...viaProxy, origin: 'https://evil.example' })).status).toBe(403);
      expect((await consoleSignIn(direct.base, TOKEN, viaProxy)).status).toBe(403);
    } finally {
      await proxied.c.close();
      await direct.c.close();
      await store.close();
      await backend.cleanup();
    }
  });
});

describe('failed sign-ins from IPv6', () => {
  it('count a whole /64 as one client', async () => {
    const backend = backends[0]![1]();
    const store = await backend.open();
    const c = await createCollector({
      store, adminToken: TOKEN, rateLimit: false,
      routes: dashboardRoutes({ trustProxy: true, loginFailures: { perSecond: 0.001, burst: 2 }, loginFailuresAllIps: { perSecond: 0.001, burst: 100 } }),
    });
    const base = await c.listen(0, '127.0.0.1');
    try {
      const attempt = async (ip: string, token = 'wrong-token-wrong-token') =>
        (await consoleSignIn(base, token, { 'x-forwarded-for': ip })).status;
      // Each guess from another address of the same /64: still one client, locked out like one.
      const statuses = [await attempt('2001:db8:0:7::1'), await attempt('2001:db8:0:7::2'), await attempt('2001:db8:0:7:a::3'), await attempt('2001:db8:0:7:b::4')];
      expect(statuses).toEqual([401, 401, 429, 429]);
      expect(await attempt('2001:db8:0:7:c::5', TOKEN)).toBe(429);
      expect(await attempt('2001:db8:0:8::1', TOKEN)).toBe(303);
    } finally {
      await c.close();
      await store.close();
      await backend.cleanup();
    }
  });
});

describe('yieldingScan', () => {
  it('lets other callbacks run during a long synchronous scan, and yields every row in order', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => ({ seq: i }));
    // Like the SQLite store: pages are read synchronously, so iterating never waits for I/O.
    const store = { kind: 'sqlite', async *scanAll() { yield* rows; } } as unknown as ReceiptStore;
    const seen: number[] = [];
    let ranAt = -1;
    setImmediate(() => (ranAt = seen.length));
    for await (const r of yieldingScan(store, 500).scanAll()) seen.push(r.seq);
    expect(seen).toEqual(rows.map((r) => r.seq));
    expect(ranAt).toBe(500);
    // Without it, the callback waits for the whole scan.
    let blockedAt = -1;
    let n = 0;
    setImmediate(() => (blockedAt = n));
    for await (const _ of store.scanAll()) n++;
    expect(blockedAt).toBe(-1);
  });
});
