import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeCookie, encodeCookie, readCookieValues, type CookieRecord } from './cookie';

const record: CookieRecord = {
  subjectId: '3f2a9c1e-8b4d-4e6f-9a1b-2c3d4e5f6a7b',
  decidedAt: Date.UTC(2026, 10, 29, 12, 0, 0),
  policyVersion: '2026-11-01',
  gpc: false,
  granted: ['analytics', 'marketing'],
};
const COOKIE_OCTET = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;

describe('cookie codec', () => {
  it('round-trips a decision', () => {
    expect(decodeCookie(encodeCookie(record))).toEqual(record);
    const odd = { ...record, policyVersion: 'v 2; "β"|x', gpc: true, granted: [] };
    expect(decodeCookie(encodeCookie(odd))).toEqual(odd);
  });

  it('writes only RFC 6265 cookie-octets', () => {
    expect(encodeCookie({ ...record, policyVersion: 'v 2; "β"|x,\\' })).toMatch(COOKIE_OCTET);
  });

  it('stays under 100 bytes for five purposes', () => {
    const value = encodeCookie({ ...record, granted: ['functional', 'analytics', 'marketing', 'personalize'] });
    expect(value.length).toBeLessThan(100);
    expect(value).toBe('1|PyqcHotNTm-aGyw9Tl9qew|tp9io0|2026-11-01|0|functional:analytics:marketing:personalize');
  });

  it.each([
    undefined, '', 'yes', 'true', '1|', '2|PyqcHotNTm-aGyw9Tl9qew|tmaqo0|v|0|', '1|short|tmaqo0|v|0|',
    '1|PyqcHotNTm-aGyw9Tl9qew|tmaqo0||0|a', '1|PyqcHotNTm-aGyw9Tl9qew|TMAQO0|v|0|a', '1|PyqcHotNTm-aGyw9Tl9qew|tmaqo0|v|0|Analytics',
    '1|PyqcHotNTm-aGyw9Tl9qew|tmaqo0|%E0%A4%A|0|a', '1|PyqcHotNTm-aGyw9Tl9qew|tmaqo0|v|0|a::b', '1|PyqcHotNTm-aGyw9Tl9qew|tmaqo0|v|0|a|extra',
    '{"analytics":true}', '1|PyqcHotNTm-aGyw9Tl9qeB|tmaqo0|v|0|a', '1|PyqcHotNTm-aGyw9Tl9qew|tmaqo0|v|00000|a', '1|PyqcHotNTm-aGyw9Tl9qew|tmaqo0|v|0|a:',
  ])('ignores garbage: %j', (value) => {
    expect(decodeCookie(value)).toBeUndefined();
  });

  it('ignores an oversized value', () => expect(decodeCookie('1|'.padEnd(5000, 'x'))).toBeUndefined());

  it('finds its cookies among others', () => {
    expect(readCookieValues('a=1; consentseal=abc; b=2; consentseal=def', 'consentseal')).toEqual(['abc', 'def']);
    expect(readCookieValues('xconsentseal=abc', 'consentseal')).toEqual([]);
    expect(readCookieValues('', 'consentseal')).toEqual([]);
  });
});

describe("the README's server-side reader", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const source = /^function consentFromCookie[\s\S]*?^}/m.exec(readme)![0];
  const consentFromCookie = new Function(`return ${source}`)() as (header: string | undefined, o: { policyVersion: string }) => { granted: string[] } | null;

  it('reads what the SDK writes', () => {
    const now = { ...record, decidedAt: Date.now(), policyVersion: 'v 2; "β"|x' };
    expect(consentFromCookie(`a=1; consentseal=${encodeCookie(now)}`, { policyVersion: now.policyVersion })?.granted).toEqual(['analytics', 'marketing']);
    expect(consentFromCookie(`consentseal=${encodeCookie(now)}`, { policyVersion: 'v2' })).toBeNull();
  });

  it('answers null, never throws, for a malformed percent-encoding (a request can send any cookie)', () => {
    expect(consentFromCookie('consentseal=1|PyqcHotNTm-aGyw9Tl9qew|tp9io0|%E0%A4%A|0|analytics', { policyVersion: '2026-11-01' })).toBeNull();
  });
});
