// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deleteCookies } from './cookies';

/** The distinct cookie writes `deleteCookies` makes on the page at `href` that sees the cookies `jar`. */
function writes(href: string, jar: string, patterns: string[], top?: string): string[] {
  const out = new Set<string>();
  Object.defineProperty(document, 'cookie', { configurable: true, get: () => jar, set: (v: string) => out.add(v) });
  (location as unknown as { href: string }).href = href;
  deleteCookies(patterns, top);
  return [...out].sort();
}
/** The `domain` attributes written for `_ga` at `href` (`''`: host-only). */
const domains = (href: string, top?: string) => [...new Set(writes(href, '_ga=1', ['_ga'], top).map((w) => w.split(';domain=')[1] ?? ''))].sort();
/** The `path` attributes written for `_ga` at `href`. */
const paths = (href: string) => [...new Set(writes(href, '_ga=1', ['_ga']).map((w) => /path=([^;]*)/.exec(w)![1]))].sort();

// happy-dom has no isSecureContext; pages here are plain http unless a test says otherwise.
beforeEach(() => {
  vi.stubGlobal('isSecureContext', false);
});
afterEach(() => {
  delete (document as { cookie?: string }).cookie;
  vi.unstubAllGlobals();
});

describe('deleteCookies', () => {
  it('expires each matching visible cookie on every domain and path', () => {
    const domainAttrs = ['', ';domain=a.shop.example.com', ';domain=shop.example.com'];
    const pathAttrs = ['/', '/p', '/p/', '/p/q'];
    const expected = ['_ga', '_ga_AB'].flatMap((n) => domainAttrs.flatMap((d) => pathAttrs.map((p) => `${n}=;max-age=0;path=${p}${d}`)));
    expect(writes('http://a.shop.example.com/p/q', '_ga=1; consentseal=x; _ga_AB=2; keep=3', ['/^_ga/'], 'shop.example.com')).toEqual(expected.sort());
  });

  it('in a secure context overwrites as Secure, the only way __Secure- and __Host- cookies can be', () => {
    vi.stubGlobal('isSecureContext', true);
    expect(writes('https://shop.example.com/', '__Host-sid=1', ['__Host-sid'])).toEqual([
      '__Host-sid=;max-age=0;path=/;domain=example.com;secure',
      '__Host-sid=;max-age=0;path=/;domain=shop.example.com;secure',
      '__Host-sid=;max-age=0;path=/;secure',
    ]);
  });

  it('matches exact names and /regex/ strings, nothing else', () => {
    const names = (jar: string, patterns: string[]) => [...new Set(writes('http://example.com/', jar, patterns).map((w) => w.split('=')[0]))].sort();
    expect(names('_gid=1; _ga=2; _ga_XYZ=3; _gidx=4; x_ga=5; ga=6', ['_gid', '/^_ga(_|$)/'])).toEqual(['_ga', '_ga_XYZ', '_gid']);
    expect(names('_ga=1', [])).toEqual([]);
    expect(names('', ['/.*/'])).toEqual([]);
  });

  it('covers host-only, the host and each parent up to the configured cookie domain', () => {
    const all = ['', 'a.b.shop.consentseal.test', 'b.shop.consentseal.test', 'shop.consentseal.test'];
    expect(domains('http://a.b.shop.consentseal.test/', 'shop.consentseal.test')).toEqual(all);
    expect(domains('http://a.b.shop.consentseal.test/', '.shop.consentseal.test')).toEqual(all);
  });

  it('without a configured domain goes up to two labels, never a bare TLD', () => {
    expect(domains('http://www.shop.example.com/')).toEqual(['', 'example.com', 'shop.example.com', 'www.shop.example.com']);
    expect(domains('http://example.com/')).toEqual(['', 'example.com']);
    // A domain the host is not under is no stop: all parents are tried.
    expect(domains('http://a.example.com/', 'other.org')).toEqual(['', 'a.example.com', 'example.com']);
  });

  it('uses host-only cookies for IP addresses and single-label hosts', () => {
    expect(domains('http://127.0.0.1/')).toEqual(['']);
    expect(domains('http://localhost/')).toEqual(['']);
    expect(domains('http://[::1]/')).toEqual(['']);
  });

  it('covers every path prefix, with and without the trailing slash', () => {
    expect(paths('http://example.com/')).toEqual(['/']);
    expect(paths('http://example.com/shop/cart/item.html')).toEqual(['/', '/shop', '/shop/', '/shop/cart', '/shop/cart/', '/shop/cart/item.html']);
    expect(paths('http://example.com/a/')).toEqual(['/', '/a', '/a/']);
  });
});
