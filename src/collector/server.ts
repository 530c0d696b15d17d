import cluster from 'node:cluster';
import { createHash, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { collectorSigner, generateCollectorKey, type CollectorSigner } from './ack';
import { buildStats, STATS_LIMITS, statsWindow, type StatsLimits } from './counters';
import { jsonTooDeep, MAX_FUTURE_MS, verifyReceiptJws } from './jws';
import { isDay, isPolicyVersion, queryInstant } from './payload';
import { openPostgresStore } from './postgres-store';
import { clusterLimit } from './cluster-limits';
import { clientKey, tokenBuckets, type RateLimitOptions } from './rate-limit';
import { openSqliteStore } from './sqlite-store';
import type { ReceiptFilter, ReceiptStore, StatsFilter, VerifiedReceipt } from './types';

/** Largest request body accepted; larger ones get 413. */
export const MAX_BODY_BYTES = 256 * 1024;
/** Most receipts in one `POST /receipts`. */
export const MAX_BATCH = 100;
/** Open connections a collector process keeps by default (see {@link CollectorOptions.maxConnections}). */
export const DEFAULT_MAX_CONNECTIONS = 1000;
/** Open connections one client keeps by default (see {@link CollectorOptions.maxConnectionsPerClient}). */
export const DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 64;

/**
 * Resolves once a response can take more data, or is closed: a client that went away never drains it,
 * and an export waiting for that would hold its store cursor for good.
 */
export const drained = (res: ServerResponse): Promise<void> =>
  new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });

/** What an extra route (e.g. the audit console's `/dashboard`) gets besides the request. */
export interface RouteContext {
  url: URL;
  store: ReceiptStore;
  signer: CollectorSigner;
  /** True when the request carries `Authorization: Bearer <admin token>`. */
  isAdmin(req: IncomingMessage): boolean;
  /** Constant-time comparison of a candidate (e.g. from a login form) with the admin token. */
  checkToken(candidate: string): boolean;
  /** Reads the body as UTF-8; rejects with an error whose `status` is 413 past `limit` bytes. */
  readBody(req: IncomingMessage, limit?: number): Promise<string>;
  sendJson(res: ServerResponse, status: number, body: unknown): void;
}

/**
 * A route added beside the built-in ones. `path` matches exactly, or as a prefix when it ends in `/*`
 * (`/dashboard/*` matches `/dashboard` and everything below). Extra routes are rate-limited like the rest;
 * authentication is theirs to do (with `ctx.isAdmin` / `ctx.checkToken`).
 */
export interface CollectorRoute {
  method: string | string[];
  path: string;
  handle(req: IncomingMessage, res: ServerResponse, ctx: RouteContext): void | Promise<void>;
}

/** Options for {@link createCollector}. Give exactly one of `store`, `db` or `postgres`. */
export interface CollectorOptions {
  /** An open store (left open by `close()`). */
  store?: ReceiptStore;
  /** SQLite file to open (closed by `close()`). */
  db?: string;
  /** PostgreSQL URL to open (closed by `close()`). */
  postgres?: string;
  /** SQLite durability with `db` (see {@link SqliteStoreOptions}); default FULL. */
  sqliteSync?: 'FULL' | 'NORMAL';
  /** PostgreSQL schema to use with `postgres`. */
  postgresSchema?: string;
  /** Bearer token for reads; without one, every read answers 401. */
  adminToken?: string;
  /** Origins allowed to post receipts from a browser (CORS); others get 403. */
  allowOrigins?: string[];
  /** Per-client token bucket (an IPv4 address, or an IPv6 /64: see {@link clientKey}); `false` disables it. Default 20 requests/s, burst 100. */
  rateLimit?: RateLimitOptions | false;
  /** Take the client IP from the last `X-Forwarded-For` entry (set only behind your own proxy). */
  trustProxy?: boolean;
  /**
   * In a node:cluster worker whose primary runs {@link serveClusterLimits}: keep the rate limit's buckets in
   * the primary, so they hold across all the workers (a client gets the limit once, not once per worker).
   * The CLI sets it with `--workers` ≥ 2. If the primary cannot answer (within 2 s), the request gets 429.
   */
  clusterLimits?: boolean;
  /**
   * Most open connections (default {@link DEFAULT_MAX_CONNECTIONS}); `false` for no cap. A connection over
   * the cap is closed as soon as it is accepted, before a byte of it is read, so the accepted ones keep being
   * served; idle and slow connections leave within 10 s (header timeout) or 5 s (keep-alive), freeing places.
   */
  maxConnections?: number | false;
  /**
   * Most open connections from one client (default {@link DEFAULT_MAX_CONNECTIONS_PER_CLIENT}, or `false`
   * with `trustProxy`); `false` for no cap. A client is the socket's remote address keyed like the rate
   * limiter's ({@link clientKey}: an IPv4 address, an IPv6 /64), never `X-Forwarded-For`: a header is read
   * only after the connection is accepted, and it could be forged. So behind a proxy every connection is
   * the proxy's, which is why `trustProxy` turns this cap off unless it is given (let the proxy cap its
   * clients). A connection over the cap is closed as soon as it is accepted, like one over `maxConnections`,
   * so one client's idle sockets cannot fill the whole cap. Counted per process (per cluster worker).
   */
  maxConnectionsPerClient?: number | false;
  /** Bounds of a `GET /stats` answer (window length, policy versions, languages, purposes listed by name); default {@link STATS_LIMITS}. */
  statsLimits?: Partial<StatsLimits>;
  /** Extra routes, e.g. the audit console at `/dashboard`. */
  routes?: CollectorRoute[];
  /** Clock for `issuedAt` checks (tests). */
  now?: () => number;
  /** Where operational errors go (default: nowhere). */
  log?: (line: string) => void;
}

/** A running (or ready to run) collector. */
export interface Collector {
  /** The request handler; mount it in your own server if you like. */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  server: Server;
  store: ReceiptStore;
  signer: CollectorSigner;
  /** Starts listening (port 0 = any free port) and resolves to the base URL, e.g. `http://127.0.0.1:8787`. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops accepting connections, ends idle keep-alive ones, and closes the store if the collector opened it. */
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const RECEIPTS_URL = new URL('http://collector.invalid/receipts');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const sha = (s: string): Buffer => createHash('sha256').update(s).digest();

const parseInstant = (name: string, v: string | null): string | undefined => {
  if (v === null) return undefined;
  const iso = queryInstant(v);
  if (iso !== undefined) return iso;
  throw new HttpError(400, `${name}: must be an ISO 8601 date or date-time from year 1 on`);
};
const parseDay = (name: string, v: string | null): string | undefined => {
  if (v === null) return undefined;
  if (isDay(v)) return v;
  throw new HttpError(400, `${name}: must be a day YYYY-MM-DD`);
};

/**
 * Builds the reference collector: verifies and stores consent receipts (`POST /receipts`), countersigns
 * each one, and serves the admin export (`GET /receipts`), statistics (`GET /stats`), the collector's public
 * key (`GET /.well-known/consentseal-collector-key`) and `GET /healthz`. Loads or creates the collector key.
 */
export async function createCollector(options: CollectorOptions): Promise<Collector> {
  const given = [options.store, options.db, options.postgres].filter((v) => v !== undefined).length;
  if (given !== 1) throw new Error('createCollector: give exactly one of store, db or postgres');
  /** A connection cap option: an integer ≥ 1, or `false` for none. */
  const cap = (name: string, v: number | false): number | false => {
    if (v !== false && !(Number.isInteger(v) && v >= 1)) throw new Error(`createCollector: ${name} must be an integer ≥ 1 or false`);
    return v;
  };
  const maxConnections = cap('maxConnections', options.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
  const maxPerClient = cap('maxConnectionsPerClient', options.maxConnectionsPerClient ?? (options.trustProxy ? false : DEFAULT_MAX_CONNECTIONS_PER_CLIENT));
  const statsLimits: StatsLimits = { ...STATS_LIMITS, ...options.statsLimits };
  for (const [k, v] of Object.entries(statsLimits)) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`createCollector: statsLimits.${k} must be an integer ≥ 1`);
  }
  const log = options.log ?? (() => undefined);
  // Before the store opens, so a misuse (clusterLimits outside a cluster worker) leaves nothing open.
  const rateLimit = options.rateLimit === false ? undefined : (options.rateLimit ?? { perSecond: 20, burst: 100 });
  /** Seconds to wait before the client's next request (0: go ahead); a promise when the cluster primary decides. */
  let takeToken: ((key: string) => number | Promise<number>) | undefined;
  if (rateLimit && options.clusterLimits) {
    const shared = clusterLimit('token-buckets', 'rate-limit', rateLimit);
    takeToken = (key) => shared('take', key);
  } else if (rateLimit) takeToken = tokenBuckets(rateLimit).take;
  let limitFaultLoggedAt = -Infinity;
  /** The cluster primary could not answer: refuse (fail closed) and say so, at most once a minute. */
  const limitFault = (e: Error): number => {
    if (Date.now() - limitFaultLoggedAt >= 60_000) {
      limitFaultLoggedAt = Date.now();
      log(`rate limit unavailable, refusing requests with 429: ${e.message}`);
    }
    return 1;
  };
  const owned = !options.store;
  const store =
    options.store ??
    (options.postgres !== undefined
      ? await openPostgresStore(options.postgres, options.postgresSchema ? { schema: options.postgresSchema } : {})
      : openSqliteStore(options.db!, { synchronous: options.sqliteSync ?? 'FULL' }));
  let signer: CollectorSigner;
  try {
    signer = collectorSigner(await store.collectorKey(generateCollectorKey));
  } catch (e) {
    if (owned) await store.close();
    throw e;
  }
  const now = options.now ?? Date.now;
  const origins = new Set(options.allowOrigins ?? []);
  const tokenHash = options.adminToken ? sha(options.adminToken) : undefined;
  const checkToken = (candidate: string): boolean => !!tokenHash && timingSafeEqual(sha(candidate), tokenHash);
  const isAdmin = (req: IncomingMessage): boolean => {
    // The scheme is case-insensitive (RFC 9110 §11.1), and the token is whatever the operator set, spaces or
    // non-ASCII included: HTTP carries its UTF-8 bytes, which Node hands over as latin1.
    const m = /^bearer +(.+)$/i.exec(req.headers.authorization ?? '');
    return !!m && checkToken(Buffer.from(m[1]!, 'latin1').toString('utf8'));
  };
  const publicKey = { ...signer.publicJwk, kid: signer.kid, alg: 'ES256', use: 'sig' };

  const send = (res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
    // With Content-Length, Node sends head and body in one write instead of chunked framing.
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(body);
  };
  const sendJson = (res: ServerResponse, status: number, body: unknown): void => send(res, status, JSON.stringify(body), 'application/json');

  const readBody = (req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> =>
    new Promise((resolve, reject) => {
      const declared = Number(req.headers['content-length']);
      if (declared > limit) return reject(new HttpError(413, `body larger than ${limit} bytes`));
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (c: Buffer): void => {
        size += c.length;
        if (size > limit) {
          req.off('data', onData);
          req.resume();
          reject(new HttpError(413, `body larger than ${limit} bytes`));
        } else chunks.push(c);
      };
      req.on('data', onData);
      req.on('end', () => resolve((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8')));
      // The connection ended before the body did (a client that went away): no collector fault to log.
      req.on('error', () => reject(new HttpError(400, 'body: incomplete, the connection closed')));
    });

  const ctxFor = (url: URL): RouteContext => ({ url, store, signer, isAdmin, checkToken, readBody, sendJson });

  const postReceipts = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'text/plain' && type !== 'application/json') throw new HttpError(415, 'content-type: must be text/plain or application/json');
    const text = await readBody(req);
    if (jsonTooDeep(text)) throw new HttpError(400, 'body: JSON nested too deeply');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new HttpError(400, 'body: malformed JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).join() !== 'receipts') {
      throw new HttpError(400, 'body: must be {"receipts": [...]}');
    }
    const list = (body as { receipts: unknown }).receipts;
    if (!Array.isArray(list) || list.length < 1 || list.length > MAX_BATCH) throw new HttpError(400, `receipts: must be an array of 1–${MAX_BATCH} JWS strings`);
    const rejected: Array<{ index: number; reason: string }> = [];
    const verified: VerifiedReceipt[] = [];
    const indexOf: number[] = [];
    const t = now();
    list.forEach((jws, index) => {
      const v = verifyReceiptJws(jws, t);
      if (v.ok) verified.push(v.receipt), indexOf.push(index);
      else rejected.push({ index, reason: v.reason });
    });
    let outcomes;
    try {
      outcomes = await store.insertBatch(verified, signer.signAck);
    } catch (e) {
      log(`store error: ${(e as Error).message}`);
      res.setHeader('retry-after', '5');
      throw new HttpError(503, 'storage unavailable');
    }
    const accepted: string[] = [];
    const duplicate: string[] = [];
    const acks: Record<string, string> = {};
    outcomes.forEach((o, i) => {
      if (o.status === 'rejected') rejected.push({ index: indexOf[i]!, reason: o.reason });
      else {
        (o.status === 'accepted' ? accepted : duplicate).push(o.receiptId);
        acks[o.receiptId] = o.ack;
      }
    });
    rejected.sort((a, b) => a.index - b.index);
    sendJson(res, 200, { accepted, duplicate, rejected, acks });
  };

  const exportReceipts = async (url: URL, res: ServerResponse): Promise<void> => {
    const p = url.searchParams;
    const filter: ReceiptFilter = {};
    const subjectId = p.get('subjectId');
    if (subjectId !== null) {
      if (!UUID.test(subjectId)) throw new HttpError(400, 'subjectId: must be a lowercase UUID');
      filter.subjectId = subjectId;
    }
    const from = parseInstant('from', p.get('from'));
    const to = parseInstant('to', p.get('to'));
    if (from !== undefined) filter.from = from;
    if (to !== undefined) filter.to = to;
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    let chunk = '';
    try {
      for await (const r of store.exportReceipts(filter)) {
        if (res.destroyed) return;
        chunk += `${JSON.stringify(r)}\n`;
        if (chunk.length >= 65_536) {
          const ok = res.write(chunk);
          chunk = '';
          if (!ok) await drained(res);
        }
      }
      res.end(chunk);
    } catch (e) {
      // Headers are gone; cutting the stream tells the client the export is incomplete.
      log(`export error: ${(e as Error).message}`);
      res.destroy(e as Error);
    }
  };

  const stats = async (url: URL, res: ServerResponse): Promise<void> => {
    const p = url.searchParams;
    const givenFrom = parseDay('from', p.get('from'));
    const givenTo = parseDay('to', p.get('to'));
    const version = p.get('policyVersion');
    if (version !== null && !isPolicyVersion(version)) throw new HttpError(400, 'policyVersion: must be 1–128 printable characters');
    // The latest day a receipt can have: today, or tomorrow within 10 minutes of midnight UTC.
    const latest = new Date(now() + MAX_FUTURE_MS).toISOString().slice(0, 10);
    let window: { from: string; to: string };
    try {
      window = statsWindow({ from: givenFrom, to: givenTo }, statsLimits.days, latest);
    } catch (e) {
      throw new HttpError(400, (e as Error).message);
    }
    const { from, to } = window;
    const filter: StatsFilter = { from, to, ...(version !== null ? { policyVersion: version } : {}) };
    const query = { from, to, limits: statsLimits, ...(version !== null ? { policyVersion: version } : {}) };
    const [counters, incomplete] = await Promise.all([store.foldedCounters(query), store.countIncomplete()]);
    sendJson(res, 200, buildStats(counters, filter, incomplete, counters.distinct, statsLimits));
  };

  const corsFor = (req: IncomingMessage, res: ServerResponse): boolean => {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    res.setHeader('vary', 'Origin');
    if (!origins.has(origin)) return false;
    res.setHeader('access-control-allow-origin', origin);
    // So the SDK can read how long to wait after a 503 (storage unavailable).
    res.setHeader('access-control-expose-headers', 'retry-after');
    return true;
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // The receipts hot path skips URL parsing; its URL object is only read (GET /receipts has no query then).
    let url: URL | undefined;
    try {
      url = req.url === '/receipts' ? RECEIPTS_URL : new URL(req.url ?? '/', 'http://collector.invalid');
    } catch {
      // A request target that is no URL (`http://[`): a 400 once the rate limit has counted it, not a 500 and a logged stack.
    }
    const path = url?.pathname ?? '';
    const method = req.method ?? 'GET';
    if (path === '/healthz') return method === 'GET' || method === 'HEAD' ? send(res, 200, 'ok') : send(res, 405, 'method not allowed');
    if (takeToken) {
      const forwarded = options.trustProxy ? String(req.headers['x-forwarded-for'] ?? '').split(',').pop()?.trim() : '';
      let wait = takeToken(clientKey(forwarded || req.socket.remoteAddress || 'unknown'));
      // Awaited only when the answer is pending, so the single-process path stays synchronous.
      if (typeof wait !== 'number') wait = await wait.catch(limitFault);
      if (wait) {
        // Readable by an allowed origin's page, so the SDK waits as long as asked instead of
        // seeing a network error and retrying on its own schedule.
        corsFor(req, res);
        res.setHeader('retry-after', String(wait));
        return sendJson(res, 429, { error: 'too many requests' });
      }
    }
    if (!url) throw new HttpError(400, 'request target: not a URL');
    if (path === '/receipts') {
      if (method === 'OPTIONS') {
        if (!corsFor(req, res) || req.headers.origin === undefined) return sendJson(res, 403, { error: 'origin not allowed' });
        res.writeHead(204, {
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': 'content-type',
          'access-control-max-age': '86400',
        });
        return void res.end();
      }
      if (method === 'POST') {
        if (!corsFor(req, res)) return sendJson(res, 403, { error: 'origin not allowed' });
        return postReceipts(req, res);
      }
      if (method === 'GET') {
        if (!isAdmin(req)) return unauthorized(res);
        return exportReceipts(url, res);
      }
      return sendJson(res, 405, { error: 'method not allowed' });
    }
    if (path === '/stats') {
      if (method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' });
      if (!isAdmin(req)) return unauthorized(res);
      return stats(url, res);
    }
    if (path === '/.well-known/consentseal-collector-key') {
      if (method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' });
      res.setHeader('access-control-allow-origin', '*');
      return sendJson(res, 200, publicKey);
    }
    const extra = options.routes?.find((r) => {
      const methods = Array.isArray(r.method) ? r.method : [r.method];
      if (!methods.includes(method)) return false;
      if (!r.path.endsWith('/*')) return r.path === path;
      const base = r.path.slice(0, -2);
      return path === base || path.startsWith(`${base}/`);
    });
    if (extra) return extra.handle(req, res, ctxFor(url));
    return sendJson(res, 404, { error: 'not found' });
  };

  const unauthorized = (res: ServerResponse): void => {
    res.setHeader('www-authenticate', 'Bearer');
    sendJson(res, 401, { error: 'admin token required' });
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    route(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      if (status === 500) log(`error on ${req.method} ${req.url}: ${(e as Error)?.stack ?? String(e)}`);
      if (res.headersSent) return void res.destroy();
      // After a refused body, the rest of it is not worth reading: close the connection.
      if (status === 413) res.setHeader('connection', 'close');
      sendJson(res, status, { error: status === 500 ? 'internal error' : (e as Error).message });
    });
  };

  // Node enforces both timeouts only when it sweeps its connections, every 30 s by default: a slow client
  // (slowloris) then kept its socket for up to 40 s. A 1 s sweep makes the 10 s header limit hold.
  const server = createServer(
    { requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 },
    handler,
  );
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  // One log line per minute and cap at most: a flood of refusals must not become a flood of log lines.
  const refusalLog = (what: string): (() => void) => {
    let refused = 0;
    let reportedAt = -Infinity;
    return () => {
      refused++;
      if (Date.now() - reportedAt < 60_000) return;
      reportedAt = Date.now();
      log(`${what} reached: refused ${refused} connection${refused === 1 ? '' : 's'} since the last report`);
      refused = 0;
    };
  };
  // Node's own cap closes a connection right after accept(), without a socket object or parser. In a
  // cluster worker that would not refuse anything: the primary hands a connection the worker turns down to
  // another worker, and with every worker full it bounces between them for ever (using the primary's CPU).
  // So a worker counts its connections itself and closes one over its cap at once, before it reads a byte.
  const totalInListener = maxConnections !== false && cluster.isWorker;
  const onRefusedTotal = maxConnections !== false ? refusalLog(`connection cap (${maxConnections})`) : undefined;
  if (maxConnections !== false && !totalInListener) {
    server.maxConnections = maxConnections;
    server.on('drop', onRefusedTotal!);
  }
  if (totalInListener || maxPerClient !== false) {
    const onRefusedPerClient = refusalLog(`per-client connection cap (${maxPerClient})`);
    let open = 0;
    /** Open connections per client key; a key leaves the map when its last connection closes. */
    const perClient = new Map<string, number>();
    // Prepended, so a refused socket is destroyed before the HTTP server's own listener sets it up.
    server.prependListener('connection', (socket: Socket) => {
      if (totalInListener && open >= (maxConnections as number)) {
        socket.destroy();
        return onRefusedTotal!();
      }
      // A socket reset before this point has no address; it is closed already and needs no place.
      const address = socket.remoteAddress;
      const key = maxPerClient !== false && address !== undefined ? clientKey(address) : undefined;
      if (key !== undefined) {
        const n = perClient.get(key) ?? 0;
        if (n >= (maxPerClient as number)) {
          socket.destroy();
          return onRefusedPerClient();
        }
        perClient.set(key, n + 1);
      }
      open++;
      socket.once('close', () => {
        open--;
        if (key === undefined) return;
        const n = perClient.get(key)! - 1;
        if (n === 0) perClient.delete(key);
        else perClient.set(key, n);
      });
    });
  }

  let closing: Promise<void> | undefined;
  return {
    handler,
    server,
    store,
    signer,
    async listen(port = 8787, host = '127.0.0.1') {
      server.listen(port, host);
      await once(server, 'listening');
      const a = server.address() as AddressInfo;
      const h = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      return `http://${h}:${a.port}`;
    },
    close() {
      closing ??= (async () => {
        if (server.listening) {
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeIdleConnections();
          // In-flight requests get a moment to finish; a client holding its connection (a browser
          // tab, a stalled export) must not keep the collector from stopping.
          const force = setTimeout(() => server.closeAllConnections(), 2000);
          await closed;
          clearTimeout(force);
        }
        if (owned) await store.close();
      })();
      return closing;
    },
  };
}
