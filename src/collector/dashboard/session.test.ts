import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clearedSessionCookie, readCookie, sameOrigin, sessionCookie, sessionStore, tokenMatches } from './session';

describe('sessionStore', () => {
  it('creates random, distinct ids that check until destroyed', () => {
    const s = sessionStore();
    const a = s.create();
    const b = s.create();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(s.check(a)).toBe(true);
    s.destroy(a);
    expect(s.check(a)).toBe(false);
    expect(s.check(b)).toBe(true);
    expect(s.check(undefined)).toBe(false);
    expect(s.check('forged')).toBe(false);
  });
  it('ends a session after the idle time, and use postpones it', () => {
    let now = 0;
    const s = sessionStore({ idleMs: 1000, absoluteMs: 10_000, clock: () => now });
    const id = s.create();
    now = 900;
    expect(s.check(id)).toBe(true);
    now = 1800;
    expect(s.check(id)).toBe(true);
    now = 2801;
    expect(s.check(id)).toBe(false);
    expect(s.size).toBe(0);
  });
  it('ends a session after the absolute lifetime even when used', () => {
    let now = 0;
    const s = sessionStore({ idleMs: 1000, absoluteMs: 2500, clock: () => now });
    const id = s.create();
    for (now = 500; now <= 2500; now += 500) expect(s.check(id)).toBe(true);
    now = 2600;
    expect(s.check(id)).toBe(false);
  });
  it('drops the least recently used session beyond the maximum', () => {
    const s = sessionStore({ max: 2 });
    const a = s.create();
    const b = s.create();
    s.check(a);
    const c = s.create();
    expect(s.size).toBe(2);
    expect(s.check(b)).toBe(false);
    expect(s.check(a)).toBe(true);
    expect(s.check(c)).toBe(true);
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
