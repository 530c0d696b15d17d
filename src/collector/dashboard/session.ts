import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Name of the audit console's session cookie. */
export const SESSION_COOKIE = 'consentseal_dashboard';

/** Limits of {@link sessionStore}. */
export interface SessionOptions {
  /** A session unused this long ends (default 1 hour). */
  idleMs?: number;
  /** A session ends this long after login whatever its use (default 12 hours). */
  absoluteMs?: number;
  /** Most logged-out sessions remembered as revoked until they would have expired anyway (default 10,000). */
  max?: number;
  /**
   * Key material for the session MAC. Give the admin token so every process of one collector (`--workers`)
   * and a restarted one accept the same sessions, and changing the token ends them all. Default: a random
   * key per process.
   */
  secret?: string;
  clock?: () => number;
}

/** What {@link SessionStore.check} found: `refreshed` is a new cookie value carrying the later last-use time. */
export type SessionCheck = { ok: false } | { ok: true; sid: string; refreshed?: string };

const b36 = (n: number): string => Math.floor(n).toString(36);
/** The cookie value is re-issued when its last-use time is older than this (not on every request). */
const REFRESH_MS = 60_000;

/**
 * Sessions of the audit console. A session is a random 128-bit id with its login and last-use times,
 * MACed (HMAC-SHA-256) with a key derived from `secret`: `sid.created.seen.mac`. The cookie never holds
 * the admin token, and any process holding the same secret verifies it. Expiry is checked from the signed
 * times; logout revokes the id in this process (and `revoke` lets other processes learn it).
 */
export function sessionStore(o: SessionOptions = {}) {
  const idle = o.idleMs ?? 3_600_000;
  const absolute = o.absoluteMs ?? 12 * 3_600_000;
  const max = o.max ?? 10_000;
  const clock = o.clock ?? Date.now;
  const key = o.secret ? createHmac('sha256', o.secret).update('consentseal dashboard session v1').digest() : randomBytes(32);
  // Revoked ids with the time their session would end anyway; insertion order is expiry order, oldest first.
  const revoked = new Map<string, number>();
  const mac = (body: string): string => createHmac('sha256', key).update(body).digest('base64url');
  const issue = (sid: string, created: number, seen: number): string => {
    const body = `${sid}.${b36(created)}.${b36(seen)}`;
    return `${body}.${mac(body)}`;
  };
  const parse = (value: string | undefined) => {
    const m = value ? /^([A-Za-z0-9_-]{22})\.([0-9a-z]{1,12})\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value) : null;
    if (!m) return undefined;
    const expected = Buffer.from(mac(`${m[1]}.${m[2]}.${m[3]}`));
    const given = Buffer.from(m[4]!);
    if (!timingSafeEqual(expected, given)) return undefined;
    return { sid: m[1]!, created: parseInt(m[2]!, 36), seen: parseInt(m[3]!, 36) };
  };
  const revoke = (sid: string, until = clock() + absolute): void => {
    const now = clock();
    for (const [id, end] of revoked) {
      if (end > now && revoked.size < max) break;
      revoked.delete(id);
    }
    revoked.set(sid, until);
  };
  return {
    /** Starts a session and returns the cookie value. */
    create(): string {
      const now = clock();
      return issue(randomBytes(16).toString('base64url'), now, now);
    },
    /** Checks a cookie value: MAC, lifetimes, revocation. */
    check(value: string | undefined): SessionCheck {
      const s = parse(value);
      const now = clock();
      if (!s || now - s.seen > idle || now - s.created > absolute || s.seen > now + REFRESH_MS || revoked.has(s.sid)) return { ok: false };
      return now - s.seen > REFRESH_MS ? { ok: true, sid: s.sid, refreshed: issue(s.sid, s.created, now) } : { ok: true, sid: s.sid };
    },
    /** Ends the session of a cookie value (logout); returns its id so other processes can be told. */
    destroy(value: string | undefined): string | undefined {
      const s = parse(value);
      if (!s) return undefined;
      revoke(s.sid, s.created + absolute);
      return s.sid;
    },
    /** Revokes a session id learnt from another process. */
    revoke(sid: string): void {
      if (/^[A-Za-z0-9_-]{22}$/.test(sid)) revoke(sid);
    },
  };
}

/** The sessions of one collector process. */
export type SessionStore = ReturnType<typeof sessionStore>;

/**
 * `Set-Cookie` value for a session: no Max-Age/Expires (it ends with the browser session), HttpOnly,
 * SameSite=Strict (never sent on cross-site requests, the main CSRF defence), scoped to /dashboard.
 */
export const sessionCookie = (id: string, secure: boolean): string =>
  `${SESSION_COOKIE}=${id}; Path=/dashboard; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;

/** `Set-Cookie` value that deletes the session cookie (logout). */
export const clearedSessionCookie = (secure: boolean): string =>
  `${SESSION_COOKIE}=; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;

/** The value of cookie `name` in a `Cookie` header, or undefined. */
export function readCookie(header: string | undefined, name = SESSION_COOKIE): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Compares a submitted token with the admin token in constant time (over their SHA-256, so lengths leak nothing). */
export const tokenMatches = (given: string, expected: string): boolean =>
  expected.length > 0 && timingSafeEqual(digest(given), digest(expected));

/** True when the request arrived over TLS (then the cookie gets `Secure`). */
export const isHttps = (req: IncomingMessage): boolean => (req.socket as { encrypted?: boolean }).encrypted === true;

/**
 * CSRF check for state-changing requests: the browser-set `Origin` must name this very host, and
 * `Sec-Fetch-Site`, when sent, must be `same-origin`. A request with no `Origin` is refused (fail closed):
 * every browser sends it on a form POST or fetch POST. With `trustProxy`, the host is the first
 * `X-Forwarded-Host` entry when there is one: a proxy that passes its upstream's address as `Host`
 * (Apache's default) forwards the browser's there. A page cannot set that header on a cross-site POST.
 */
export function sameOrigin(req: IncomingMessage, trustProxy = false): boolean {
  const origin = req.headers.origin;
  const forwarded = trustProxy ? String(req.headers['x-forwarded-host'] ?? '').split(',')[0]!.trim() : '';
  const host = forwarded || req.headers.host;
  if (!origin || !host || origin === 'null') return false;
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host === host.toLowerCase();
  } catch {
    return false;
  }
}
