import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATS_LIMITS, statsWindow, type StatsLimits } from '../counters';
import { MAX_FUTURE_MS } from '../jws';
import { isDay, LIMITS, queryInstant } from '../payload';
import { clusterLimit } from '../cluster-limits';
import { clientKey, type RateLimitOptions } from '../rate-limit';
import { drained, type CollectorRoute, type RouteContext } from '../server';
import type { ReceiptFilter, ReceiptStore, StoredReceipt } from '../types';
import { verifyStore, type VerifyReport } from '../verify-store';
import { csvHeader, receiptCsvRow } from './csv';
import css from './dashboard.css';
import { inspectChain } from './inspect';
import { buildOverview, type OverviewAnswer } from './overview';
import { appPage, loginPage } from './pages';
import {
  clearedSessionCookie, isHttps, readCookie, sameOrigin, sessionCookie, sessionStore, type SessionOptions,
} from './session';
import { signInLimiter } from './sign-in-limit';

/** The Content-Security-Policy of every dashboard response: only this origin's script, style and fetches. */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Options for {@link dashboardRoutes}. */
export interface DashboardOptions {
  /**
   * Session lifetimes (default: 1 h idle, 12 h absolute) and `secret`: pass the admin token there so every
   * worker process (`--workers`) accepts the same sessions; without it, sessions work in one process only.
   */
  sessions?: SessionOptions;
  /**
   * Failed sign-ins allowed per client IP (token bucket; default burst 10, then one every 12 s). Past it,
   * sign-ins from that IP are refused without checking the token.
   */
  loginFailures?: RateLimitOptions;
  /** Failed sign-ins allowed over all IPs together (default burst 100, then one a second), against distributed guessing. */
  loginFailuresAllIps?: RateLimitOptions;
  /** Take the client IP from the last `X-Forwarded-For` entry, and https from `X-Forwarded-Proto` (behind your own proxy only). */
  trustProxy?: boolean;
  /**
   * In a node:cluster worker whose primary runs `serveClusterLimits`: keep the failed sign-in limits in the
   * primary, so they hold across all the workers. The CLI sets it with `--workers` ≥ 2. If the primary
   * cannot answer (within 2 s), the sign-in is refused with 429.
   */
  clusterLimits?: boolean;
  /** Directory holding the built `dashboard.js` (default: found beside the collector bundle in dist/). */
  assetsDir?: string;
  /** Receipts per page on a subject's page (default 500). */
  subjectPageSize?: number;
  /** Bounds of the overview, as for `GET /stats` (default `STATS_LIMITS`: 366 days, 25 policy versions, 50 languages, 64 purposes). */
  limits?: Partial<StatsLimits>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

class BadRequest extends Error {}

const instant = (name: string, v: string | null): string | undefined => {
  if (v === null || v === '') return undefined;
  const iso = queryInstant(v);
  if (iso !== undefined) return iso;
  throw new BadRequest(`${name}: must be an ISO 8601 date or date-time from year 1 on`);
};
const day = (name: string, v: string | null): string | undefined => {
  if (v === null || v === '') return undefined;
  if (isDay(v)) return v;
  throw new BadRequest(`${name}: must be a day YYYY-MM-DD`);
};
const uuid = (name: string, v: string | null): string | undefined => {
  if (v === null || v === '') return undefined;
  const t = v.trim().toLowerCase();
  if (!UUID.test(t)) throw new BadRequest(`${name}: must be a UUID`);
  return t;
};

/** The search filter shared by the search API and the exports. */
export function parseFilter(p: URLSearchParams): ReceiptFilter {
  const f: ReceiptFilter = {};
  const subjectId = uuid('subjectId', p.get('subjectId'));
  const receiptId = uuid('receiptId', p.get('receiptId'));
  const from = instant('from', p.get('from'));
  const to = instant('to', p.get('to'));
  if (subjectId !== undefined) f.subjectId = subjectId;
  if (receiptId !== undefined) f.receiptId = receiptId;
  if (from !== undefined) f.from = from;
  if (to !== undefined) f.to = to;
  return f;
}

/**
 * The store with a `scanAll` that lets the event loop run every `every` rows. SQLite reads are synchronous,
 * so without this a Verify over a million receipts would hold the collector's only thread for minutes and
 * stall `POST /receipts` meanwhile; with it, intake and other requests interleave with the scan.
 */
export function yieldingScan(store: ReceiptStore, every = 500): ReceiptStore {
  return {
    ...store,
    async *scanAll() {
      let n = 0;
      for await (const r of store.scanAll()) {
        yield r;
        if (++n % every === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}

/** A search hit: the stored fields a results table shows (the subject page has the rest). */
const summary = (r: StoredReceipt) => ({
  receiptId: r.receiptId, subjectId: r.subjectId, seq: r.seq, issuedAt: r.issuedAt, storedAt: r.storedAt, action: r.action,
  method: r.method, policyVersion: r.policyVersion, language: r.language, gpc: r.gpc, page: r.page, chainStatus: r.chainStatus,
});

function findDashboardJs(dir?: string): string | undefined {
  const candidates = dir ? [new URL(`file://${dir.replace(/\/?$/, '/')}dashboard.js`)] : [new URL('./dashboard.js', import.meta.url), new URL('../dashboard.js', import.meta.url)];
  for (const u of candidates) {
    try {
      return readFileSync(u, 'utf8');
    } catch {
      // try the next place
    }
  }
  return undefined;
}

/**
 * The audit console as collector routes: `createCollector({ …, routes: dashboardRoutes() })`.
 * `GET /dashboard` shows a login form until the admin token is posted; then a session cookie (session-only,
 * HttpOnly, SameSite=Strict, Path=/dashboard) opens the console and its JSON API under `/dashboard/api/`.
 */
export function dashboardRoutes(options: DashboardOptions = {}): CollectorRoute[] {
  const sessions = sessionStore(options.sessions);
  // Logging out in one worker of a cluster revokes the session in all of them (the primary relays it).
  const REVOKE = 'consentsealDashboardRevoke';
  if (cluster.isWorker) {
    process.on('message', (m: unknown) => {
      const sid = (m as Record<string, unknown> | null)?.[REVOKE];
      if (typeof sid === 'string') sessions.revoke(sid);
    });
  }
  const SUBJECT_PAGE = options.subjectPageSize ?? 500;
  const limits: StatsLimits = { ...STATS_LIMITS, ...options.limits };
  const signInOptions = {
    ...(options.loginFailures ? { perClient: options.loginFailures } : {}),
    ...(options.loginFailuresAllIps ? { allClients: options.loginFailuresAllIps } : {}),
  };
  /** `lockedFor` and `failed` of the failed sign-in limits: this process's own, or the cluster primary's. */
  const signIns: { lockedFor(ip: string): number | Promise<number>; failed(ip: string): number | Promise<number> } = (() => {
    if (!options.clusterLimits) return signInLimiter(signInOptions);
    const shared = clusterLimit('sign-in', 'dashboard-sign-in', signInOptions);
    return { lockedFor: (ip: string) => shared('lockedFor', ip), failed: (ip: string) => shared('failed', ip) };
  })();
  let js: string | undefined;
  let verifying: Promise<VerifyReport & { ms: number }> | undefined;

  /** Failed sign-ins are counted per IPv4 address or IPv6 /64, like the collector's rate limit. */
  const clientIp = (req: IncomingMessage): string =>
    clientKey((options.trustProxy ? String(req.headers['x-forwarded-for'] ?? '').split(',').pop()?.trim() : '') || req.socket.remoteAddress || 'unknown');
  const secure = (req: IncomingMessage): boolean =>
    isHttps(req) || (!!options.trustProxy && String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]!.trim() === 'https');
  const sessionOf = (req: IncomingMessage): string | undefined => readCookie(req.headers.cookie);

  // `same-origin`, not `no-referrer`: under no-referrer, browsers send `Origin: null` on POST, which the CSRF check must refuse.
  const headers = (type: string, extra: Record<string, string> = {}): Record<string, string> => ({
    'content-type': type,
    'content-security-policy': DASHBOARD_CSP,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'no-store',
    ...extra,
  });
  const send = (res: ServerResponse, status: number, type: string, body: string, extra?: Record<string, string>): void => {
    res.writeHead(status, headers(type, extra)).end(body);
  };
  const html = (res: ServerResponse, status: number, body: string, extra?: Record<string, string>) => send(res, status, 'text/html; charset=utf-8', body, extra);
  const json = (res: ServerResponse, status: number, body: unknown) => send(res, status, 'application/json', JSON.stringify(body));

  const login = async (req: IncomingMessage, res: ServerResponse, ctx: RouteContext): Promise<void> => {
    if (!sameOrigin(req, options.trustProxy)) return html(res, 403, loginPage('Sign-in refused: the form must be posted from this console’s own page.'));
    const ip = clientIp(req);
    // The cluster primary failing to answer refuses the sign-in (fail closed) rather than skip the limit.
    const locked = await Promise.resolve(signIns.lockedFor(ip)).catch(() => 1);
    if (locked) {
      const s = String(locked);
      return html(res, 429, loginPage(`Too many failed sign-ins. Try again in ${s} seconds.`), { 'retry-after': s });
    }
    let token = '';
    try {
      token = new URLSearchParams(await ctx.readBody(req, 4096)).get('token') ?? '';
    } catch {
      return html(res, 413, loginPage('Sign-in refused: the form was too large.'), { connection: 'close' });
    }
    if (!ctx.checkToken(token)) {
      // Counted before the answer, so the client's next attempt (on any worker) already sees it. A primary
      // that cannot count it cannot answer the next lockedFor either, which then refuses.
      await Promise.resolve(signIns.failed(ip)).catch(() => undefined);
      return html(res, 401, loginPage('Wrong admin token.'));
    }
    sessions.destroy(sessionOf(req));
    res.writeHead(303, headers('text/plain; charset=utf-8', { location: '/dashboard', 'set-cookie': sessionCookie(sessions.create(), secure(req)) }));
    res.end('signed in');
  };

  const exportStream = async (res: ServerResponse, filter: ReceiptFilter, format: 'csv' | 'ndjson', ctx: RouteContext): Promise<void> => {
    const name = `consentseal-receipts.${format}`;
    res.writeHead(
      200,
      headers(format === 'csv' ? 'text/csv; charset=utf-8; header=present' : 'application/x-ndjson', { 'content-disposition': `attachment; filename="${name}"` }),
    );
    let chunk = format === 'csv' ? csvHeader() : '';
    try {
      for await (const r of ctx.store.exportReceipts(filter)) {
        if (res.destroyed) return;
        chunk += format === 'csv' ? receiptCsvRow(r) : `${JSON.stringify(r)}\n`;
        if (chunk.length >= 65_536) {
          const ok = res.write(chunk);
          chunk = '';
          if (!ok) await drained(res);
        }
      }
      res.end(chunk);
    } catch {
      // Headers are gone: cutting the stream tells the client the export is incomplete.
      res.destroy();
    }
  };

  const api = async (req: IncomingMessage, res: ServerResponse, ctx: RouteContext, path: string): Promise<void> => {
    const p = ctx.url.searchParams;
    const method = req.method;
    if (path === 'overview' && method === 'GET') {
      // Bounded like GET /stats: a backdated or invented value must neither blow up the answer nor push the real days off the charts.
      let window: { from: string; to: string };
      try {
        window = statsWindow({ from: day('from', p.get('from')), to: day('to', p.get('to')) }, limits.days, new Date(Date.now() + MAX_FUTURE_MS).toISOString().slice(0, 10));
      } catch (e) {
        throw new BadRequest((e as Error).message);
      }
      const [folded, incomplete] = await Promise.all([ctx.store.foldedCounters({ ...window, limits }), ctx.store.countIncomplete()]);
      const past = (n: number, limit: number): number => Math.max(0, n - limit);
      const answer: OverviewAnswer = {
        ...buildOverview(folded, incomplete),
        window,
        otherPolicyVersions: past(folded.distinct.policyVersions, limits.policyVersions),
        otherLanguages: past(folded.distinct.languages, limits.languages),
        otherPurposes: past(folded.distinct.purposes, limits.purposes),
      };
      return json(res, 200, answer);
    }
    if (path === 'receipts' && method === 'GET') {
      const filter = parseFilter(p);
      const limit = Math.min(Math.max(Number(p.get('limit')) || 50, 1), 500);
      const afterAt = p.get('afterIssuedAt');
      const afterId = p.get('afterReceiptId');
      const after = afterAt && afterId ? { issuedAt: instant('afterIssuedAt', afterAt)!, receiptId: uuid('afterReceiptId', afterId)! } : undefined;
      const rows = await ctx.store.listReceipts(filter, { limit: limit + 1, ...(after ? { after } : {}) });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return json(res, 200, {
        receipts: page.map(summary),
        next: rows.length > limit && last ? { issuedAt: last.issuedAt, receiptId: last.receiptId } : null,
      });
    }
    const subject = /^subjects\/([^/]+)$/.exec(path);
    if (subject && method === 'GET') {
      let id: string;
      try {
        id = decodeURIComponent(subject[1]!);
      } catch {
        // Not percent-encoding at all (`%zz`): as wrong as any other id that is no UUID.
        throw new BadRequest('subjectId: must be a UUID');
      }
      const subjectId = uuid('subjectId', id)!;
      const afterSeq = Number(p.get('afterSeq') ?? 0);
      // The store compares it with an integer column: a fraction or a number past it is an error there.
      if (!Number.isInteger(afterSeq) || afterSeq < 0 || afterSeq > LIMITS.seq) throw new BadRequest(`afterSeq: must be an integer from 0 to ${LIMITS.seq}`);
      // One receipt before the page, so its first link is checked too.
      const rows = await ctx.store.subjectReceipts(subjectId, { afterSeq: Math.max(afterSeq - 1, 0), limit: SUBJECT_PAGE + 2 });
      const before = afterSeq > 0 && rows[0]?.seq === afterSeq ? rows.shift() : undefined;
      const page = rows.filter((r) => r.seq > afterSeq).slice(0, SUBJECT_PAGE);
      const more = rows.filter((r) => r.seq > afterSeq).length > SUBJECT_PAGE;
      return json(res, 200, {
        subjectId,
        boundKid: page[0]?.boundKid ?? null,
        collectorKid: ctx.signer.kid,
        receipts: inspectChain(page, ctx.signer, before),
        nextSeq: more ? page[page.length - 1]!.seq : null,
      });
    }
    if (path === 'export' && method === 'GET') {
      const format = p.get('format');
      if (format !== 'csv' && format !== 'ndjson') throw new BadRequest('format: must be csv or ndjson');
      return exportStream(res, parseFilter(p), format, ctx);
    }
    if (path === 'verify' && method === 'POST') {
      if (!sameOrigin(req, options.trustProxy)) return json(res, 403, { error: 'cross-origin request refused' });
      // One run at a time: a second click waits for the run already going instead of starting another scan.
      verifying ??= (async () => {
        const t = performance.now();
        const report = await verifyStore(yieldingScan(ctx.store));
        return { ...report, ms: Math.round(performance.now() - t) };
      })().finally(() => {
        verifying = undefined;
      });
      return json(res, 200, await verifying);
    }
    return json(res, 404, { error: 'not found' });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, ctx: RouteContext): Promise<void> => {
    const path = ctx.url.pathname.replace(/\/+$/, '');
    const method = req.method;
    if (method !== 'GET' && method !== 'POST') return json(res, 405, { error: 'method not allowed' });
    if (path === '/dashboard/dashboard.css' && method === 'GET') return send(res, 200, 'text/css; charset=utf-8', css);
    if (path === '/dashboard/login' && method === 'POST') return login(req, res, ctx);
    const session = sessions.check(sessionOf(req));
    const authed = session.ok;
    if (session.ok && session.refreshed) res.setHeader('set-cookie', sessionCookie(session.refreshed, secure(req)));
    if (path === '/dashboard/logout' && method === 'POST') {
      if (!sameOrigin(req, options.trustProxy)) return html(res, 403, loginPage('Log-out refused: cross-origin request.'));
      const sid = sessions.destroy(sessionOf(req));
      if (sid && cluster.isWorker) process.send?.({ [REVOKE]: sid });
      res.writeHead(303, headers('text/plain; charset=utf-8', { location: '/dashboard', 'set-cookie': clearedSessionCookie(secure(req)) }));
      return void res.end('signed out');
    }
    if (path === '/dashboard' && method === 'GET') return html(res, 200, authed ? appPage() : loginPage());
    if (!authed) {
      res.setHeader('www-authenticate', 'Cookie');
      return json(res, 401, { error: 'sign in at /dashboard first' });
    }
    if (path === '/dashboard/dashboard.js' && method === 'GET') {
      js ??= findDashboardJs(options.assetsDir);
      if (js === undefined) return send(res, 500, 'text/plain; charset=utf-8', 'dashboard.js is missing: build it (BUILD=dashboard npx rollup -c)');
      return send(res, 200, 'text/javascript; charset=utf-8', js);
    }
    if (path.startsWith('/dashboard/api/')) {
      try {
        return await api(req, res, ctx, path.slice('/dashboard/api/'.length));
      } catch (e) {
        if (e instanceof BadRequest) return json(res, 400, { error: e.message });
        throw e;
      }
    }
    return json(res, 404, { error: 'not found' });
  };

  // Every method lands here, so even a refusal or a failure carries the dashboard's CSP.
  const guarded = async (req: IncomingMessage, res: ServerResponse, ctx: RouteContext): Promise<void> => {
    try {
      await handle(req, res, ctx);
    } catch (e) {
      console.error(`consentseal-collector: dashboard ${req.method} ${ctx.url.pathname}: ${(e as Error)?.stack ?? String(e)}`);
      if (res.headersSent) return void res.destroy();
      json(res, 500, { error: 'internal error' });
    }
  };
  return [{ method: ['GET', 'POST', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], path: '/dashboard/*', handle: guarded }];
}
