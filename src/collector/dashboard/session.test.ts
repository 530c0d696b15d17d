import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clearedSessionCookie, readCookie, sameOrigin, sessionCookie, sessionStore, tokenMatches } from './session';

describe('sessionStore', () => {
  it('issues random MACed values that check until destroyed, and never hold the secret', () => {
    const s = sessionStore({ secret: 'the-admin-token-0123' });
    const a = s.create();
    const b = s.create();
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}\.[0-9a-z]+\.[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('the-admin-token');
    expect(s.check(a)).toMatchObject({ ok: true });
    expect(s.destroy(a)).toBe(a.split('.')[0]);
    expect(s.check(a)).toEqual({ ok: false });
    expect(s.check(b).ok).toBe(true);
    expect(s.check(undefined).ok).toBe(false);
    expect(s.check('forged').ok).toBe(false);
  });
  it('refuses a value whose id, times or MAC were changed', () => {
    const s = sessionStore({ secret: 'the-admin-token-0123' });
    const [sid, created, seen, mac] = s.create().split('.') as [string, string, string, string];
    const flip = (x: string) => (x[0] === 'A' ? 'B' : 'A') + x.slice(1);
    expect(s.check([flip(sid), created, seen, mac].join('.')).ok).toBe(false);
    expect(s.check([sid, (parseInt(created, 36) + 1).toString(36), seen, mac].join('.')).ok).toBe(false);
    expect(s.check([sid, created, (parseInt(seen, 36) + 1).toString(36), mac].join('.')).ok).toBe(false);
    expect(s.check([sid, created, seen, flip(mac)].join('.')).ok).toBe(false);
  });
  it('is accepted by another process with the same secret only', () => {
    const value = sessionStore({ secret: 'the-admin-token-0123' }).create();
    expect(sessionStore({ secret: 'the-admin-token-0123' }).check(value).ok).toBe(true);
    expect(sessionStore({ secret: 'a-rotated-token-4567' }).check(value).ok).toBe(false);
    expect(sessionStore().check(value).ok).toBe(false);
  });
  it('ends a session after the idle time; use refreshes the value so it lives on', () => {
    let now = 1_000_000;
    const s = sessionStore({ idleMs: 120_000, absoluteMs: 3_600_000, clock: () => now });
    const v = s.create();
    now += 30_000;
    expect(s.check(v)).toEqual({ ok: true, sid: v.split('.')[0] });
    now += 60_000;
    const r = s.check(v);
    expect(r.ok && r.refreshed).toBeTruthy();
    const refreshed = r.ok ? r.refreshed! : '';
    now += 100_000;
    expect(s.check(v).ok).toBe(false);
    expect(s.check(refreshed).ok).toBe(true);
    now += 121_000;
    expect(s.check(refreshed).ok).toBe(false);
  });
  it('ends a session after the absolute lifetime even when used', () => {
    let now = 1_000_000;
    const s = sessionStore({ idleMs: 100_000, absoluteMs: 250_000, clock: () => now });
    let v = s.create();
    for (let i = 0; i < 3; i++) {
      now += 80_000;
      const r = s.check(v);
      expect(r.ok).toBe(true);
      if (r.ok && r.refreshed) v = r.refreshed;
    }
    now += 20_000;
    expect(s.check(v).ok).toBe(false);
  });
  it('revokes an id learnt from another process, and bounds what it remembers', () => {
    const secret = 'the-admin-token-0123';
    const one = sessionStore({ secret });
    const two = sessionStore({ secret, max: 2 });
    const v = one.create();
    two.revoke(one.destroy(v)!);
    expect(two.check(v).ok).toBe(false);
    two.revoke('not a session id');
    const others = [one.create(), one.create()];
    for (const o of others) two.revoke(o.split('.')[0]!);
    // Only the two most recent revocations are kept once the bound is reached.
    expect(two.check(others[1]).ok).toBe(false);
  });
});

describe('cookies', () => {
  it('sets a session-only, HttpOnly, SameSite=Strict cookie scoped to /dashboard', () => {
    const c = sessionCookie('abc', false);
    expect(c).toBe('consentseal_dashboard=abc; Path=/dashboard; HttpOnly; SameSite=Strict');
    expect(c).not.toMatch(/Max-Age|Expires/i);
    expect(sessionCookie('abc', true)).toMatch(/; Secure$/);
    expect(clearedSessionCookie(false)).toMatch(/^consentseal_dashboard=; Path=\/dashboard; .*Max-Age=0/);
  });
  it('reads the session cookie among others', () => {
    expect(readCookie('a=1; consentseal_dashboard=xyz; b=2')).toBe('xyz');
    expect(readCookie('xconsentseal_dashboard=1')).toBeUndefined();
    expect(readCookie(undefined)).toBeUndefined();
  });
});

describe('tokenMatches', () => {
  it('accepts only the exact token', () => {
    expect(tokenMatches('s3cret-token', 's3cret-token')).toBe(true);
    expect(tokenMatches('s3cret-toke', 's3cret-token')).toBe(false);
    expect(tokenMatches('', 's3cret-token')).toBe(false);
    expect(tokenMatches('', '')).toBe(false);
  });
});

describe('sameOrigin', () => {
  const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
  it('accepts a POST whose Origin is this host', () => {
    expect(sameOrigin(req({ host: '127.0.0.1:8787', origin: 'http://127.0.0.1:8787' }))).toBe(true);
    expect(sameOrigin(req({ host: 'Consent.Example.com', origin: 'https://consent.example.com', 'sec-fetch-site': 'same-origin' }))).toBe(true);
  });
  it('refuses cross-origin, opaque or missing origins', () => {
    expect(sameOrigin(req({ host: '127.0.0.1:8787', origin: 'http://evil.test' }))).toBe(false);
    expect(sameOrigin(req({ host: '127.0.0.1:8787', origin: 'http://127.0.0.1:8788' }))).toBe(false);
    expect(sameOrigin(req({ host: '127.0.0.1:8787', origin: 'null' }))).toBe(false);
    expect(sameOrigin(req({ host: '127.0.0.1:8787' }))).toBe(false);
    expect(sameOrigin(req({ host: '127.0.0.1:8787', origin: 'http://127.0.0.1:8787', 'sec-fetch-site': 'cross-site' }))).toBe(false);
  });
});
