// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { cookieDomains, cookieMatches, cookiePaths, deleteCookies } from './cookies';

describe('cookieDomains', () => {
  it('lists host-only, the host and each parent up to the configured cookie domain', () => {
    expect(cookieDomains('a.b.shop.consentseal.test', 'shop.consentseal.test')).toEqual([
      '', 'a.b.shop.consentseal.test', 'b.shop.consentseal.test', 'shop.consentseal.test',
    ]);
    expect(cookieDomains('a.b.shop.consentseal.test', '.shop.consentseal.test')).toEqual([
      '', 'a.b.shop.consentseal.test', 'b.shop.consentseal.test', 'shop.consentseal.test',
    ]);
  });
  it('without a configured domain goes up to two labels, never a bare TLD', () => {
    expect(cookieDomains('www.shop.example.com')).toEqual(['', 'www.shop.example.com', 'shop.example.com', 'example.com']);
    expect(cookieDomains('example.com')).toEqual(['', 'example.com']);
    // A domain the host is not under is no stop: all parents are tried.
    expect(cookieDomains('a.example.com', 'other.org')).toEqual(['', 'a.example.com', 'example.com']);
  });
  it('uses host-only cookies for IP addresses and single-label hosts', () => {
    expect(cookieDomains('127.0.0.1')).toEqual(['']);
    expect(cookieDomains('localhost')).toEqual(['']);
    expect(cookieDomains('[::1]')).toEqual(['']);
  });
});

describe('cookiePaths', () => {
  it('lists every prefix, with and without the trailing slash', () => {
    expect(cookiePaths('/')).toEqual(['/']);
    expect(cookiePaths('/shop/cart/item.html')).toEqual(['/', '/shop', '/shop/', '/shop/cart', '/shop/cart/', '/shop/cart/item.html']);
    expect(cookiePaths('/a/')).toEqual(['/', '/a', '/a/']);
  });
});

describe('cookieMatches', () => {
  it('matches exact names and /regex/ strings', () => {
    const p = ['_gid', '/^_ga(_|$)/'];
    expect(cookieMatches(p, '_gid')).toBe(true);
    expect(cookieMatches(p, '_ga')).toBe(true);
    expect(cookieMatches(p, '_ga_XYZ')).toBe(true);
    expect(cookieMatches(p, '_gidx')).toBe(false);
    expect(cookieMatches(p, 'x_ga')).toBe(false);
    expect(cookieMatches([], '_ga')).toBe(false);
  });
});

describe('deleteCookies', () => {
  afterEach(() => {
    delete (document as { cookie?: string }).cookie;
  });
  it('expires each matching visible cookie on every domain and path', () => {
    const writes: string[] = [];
    Object.defineProperty(document, 'cookie', { configurable: true, get: () => '_ga=1; consentseal=x; _ga_AB=2; keep=3', set: (v: string) => writes.push(v) });
    const loc = location as unknown as { href: string };
    loc.href = 'http://a.shop.example.com/p/q';
    deleteCookies(['/^_ga/'], 'shop.example.com');
    const domains = ['', ';domain=a.shop.example.com', ';domain=shop.example.com'];
    const paths = ['/', '/p', '/p/', '/p/q'];
    const expected = ['_ga', '_ga_AB'].flatMap((n) => domains.flatMap((d) => paths.map((p) => `${n}=;max-age=0;path=${p}${d}`)));
    expect(writes.sort()).toEqual(expected.sort());
  });
});
