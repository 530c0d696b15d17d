import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Name of the audit console's session cookie. */
export const SESSION_COOKIE = 'consentseal_dashboard';

/** Limits of {@link sessionStore}. */
export interface SessionOptions {
  /** A session unused this long ends (default 1 hour). */
  idleMs?: number;
  /** A session ends this long after login whatever its use (default 12 hours). */
  absoluteMs?: number;
  /** Most live sessions; the least recently used is dropped first (default 1,000). */
  max?: number;
  clock?: () => number;
}

/**
 * Server-side sessions of the audit console. Ids are 256 random bits and mean nothing outside this
 * process: the admin token never leaves the login request, and restarting the collector logs everyone out.
 */
export function sessionStore(o: SessionOptions = {}) {
  const idle = o.idleMs ?? 3_600_000;
  const absolute = o.absoluteMs ?? 12 * 3_600_000;
  const max = o.max ?? 1000;
  const clock = o.clock ?? Date.now;
  // Kept in recency order (delete + set on use), so the first key is always the least recently used.
  const live = new Map<string, { created: number; seen: number }>();
  return {
    /** Starts a session and returns its id (for the cookie). */
    create(): string {
      const id = randomBytes(32).toString('base64url');
      if (live.size >= max) live.delete(live.keys().next().value as string);
      const now = clock();
      live.set(id, { created: now, seen: now });
      return id;
    },
    /** True when `id` names a live session; using it postpones its idle expiry. */
    check(id: string | undefined): boolean {
      if (!id) return false;
      const s = live.get(id);
      if (!s) return false;
      const now = clock();
      live.delete(id);
      if (now - s.seen > idle || now - s.created > absolute) return false;
      s.seen = now;
      live.set(id, s);
      return true;
    },
    /** Ends a session (logout). */
    destroy(id: string | undefined): void {
      if (id) live.delete(id);
    },
    get size(): number {
      return live.size;
    },
  };
}

/** The sessions of one collector. */
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
 * every browser sends it on a form POST or fetch POST.
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  const host = req.headers.host;
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
