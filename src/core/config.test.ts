import { describe, expect, it } from 'vitest';
import { ConsentConfigError, isSafeLinkUrl, validateConfig } from './config';

const base = { policyVersion: '2026-11-01', policyUrl: '/privacy', purposes: [{ id: 'necessary', required: true }, { id: 'analytics' }] };

/** The `path: message` lines of the error a config throws. */
function problems(config: unknown): string[] {
  try {
    validateConfig(config);
  } catch (e) {
    expect(e).toBeInstanceOf(ConsentConfigError);
    return (e as ConsentConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

describe('validateConfig', () => {
  it('accepts the minimal config and fills in defaults', () => {
    const c = validateConfig(base);
    expect(c).toMatchObject({
      language: 'auto', expiresAfterDays: 180, gpc: true, reloadOnWithdraw: false, texts: {},
      cookie: { name: 'consentseal', sameSite: 'Lax', path: '/' }, ui: { layout: 'bar', theme: 'auto', reopenButton: false },
    });
  });

  it('accepts any printable policy version, non-ASCII and emoji too, and a lower-case cookie domain', () => {
    expect(problems({ ...base, policyVersion: 'Datenschutz 2026 – v2 🍪', cookie: { domain: '.shop.example.com' } })).toEqual([]);
  });

  it('keeps its own copy of the config', () => {
    const input = structuredClone(base);
    const c = validateConfig(input);
    input.purposes[1]!.id = 'changed';
    expect(c.purposes[1]!.id).toBe('analytics');
  });

  it('copies a config held in a proxy (Vue reactive, MobX), which structuredClone refuses', () => {
    const deep = <T extends object>(o: T): T => new Proxy(o, { get: (t, k) => (typeof t[k as keyof T] == 'object' && t[k as keyof T] ? deep(t[k as keyof T] as object) : t[k as keyof T]) });
    const input = structuredClone(base);
    const c = validateConfig(deep(input));
    input.purposes[1]!.id = 'changed';
    expect(c.purposes.map((p) => p.id)).toEqual(['necessary', 'analytics']);
  });

  it('rejects a non-object', () => {
    expect(problems(null)).toEqual(['(config): must be an object']);
    expect(problems([])).toEqual(['(config): must be an object']);
  });

  it.each([
    [{ policyVersion: undefined }, 'policyVersion: is required'],
    [{ policyVersion: '  ' }, 'policyVersion: is required'],
    [{ policyVersion: 'x'.repeat(65) }, 'policyVersion: must be a string of at most 64 printable characters'],
    [{ policyVersion: '2026-11-01\n' }, 'policyVersion: must be a string of at most 64 printable characters'],
    [{ policyVersion: 'v\u0085' }, 'policyVersion: must be a string of at most 64 printable characters'],
    [{ policyVersion: 'v\ud83c' }, 'policyVersion: must be a string of at most 64 printable characters'],
    [{ policyUrl: undefined }, 'policyUrl: is required'],
    [{ policyUrl: 'javascript:alert(1)' }, 'policyUrl: must be http(s) or a path'],
    [{ policyUrl: 'JavaScript:alert(1)' }, 'policyUrl: must be http(s) or a path'],
    [{ policyUrl: ' javascript:alert(1)' }, 'policyUrl: must be http(s) or a path'],
    [{ policyUrl: 'java\tscript:alert(1)' }, 'policyUrl: must be http(s) or a path'],
    [{ policyUrl: 'data:text/html,<script>alert(1)</script>' }, 'policyUrl: must be http(s) or a path'],
    // No URL at all (receipts record the policy's absolute URL, which these have none of).
    [{ policyUrl: 'https://' }, 'policyUrl: must be http(s) or a path'],
    [{ policyUrl: 'https://example.com:99999/privacy' }, 'policyUrl: must be http(s) or a path'],
    [{ policyUrl: '//[::1/privacy' }, 'policyUrl: must be http(s) or a path'],
    [{ collector: { url: 'https://' } }, 'collector.url: must be https or a /path'],
    [{ collector: { url: 'https://c.example:99999/receipts' } }, 'collector.url: must be https or a /path'],
    [{ purposes: [] }, 'purposes: is required'],
    [{ purposes: {} }, 'purposes: must be an array of 1 to 50 items'],
    [{ purposes: Array.from({ length: 51 }, (_, i) => ({ id: `p${i}` })) }, 'purposes: must be an array of 1 to 50 items'],
    [{ purposes: [{ required: true }] }, 'purposes[0].id: is required'],
    [{ purposes: [{ id: 'Bad Id' }] }, 'purposes[0].id: must match [a-z0-9_-]{1,40}'],
    [{ purposes: [{ id: 'a'.repeat(41) }] }, 'purposes[0].id: must match [a-z0-9_-]{1,40}'],
    [{ purposes: [{ id: 'a' }, { id: 'a' }] }, 'purposes[1].id: must be unique'],
    [{ purposes: [{ id: 'a', required: 'yes' }] }, 'purposes[0].required: must be one of true, false'],
    [{ purposes: [{ id: 'a', required: true, optOutSignal: true }] }, 'purposes[0].optOutSignal: cannot be set on a required purpose'],
    [{ purposes: [{ id: 'a', colour: 'red' }] }, 'purposes[0].colour: is unknown'],
    [{ purposes: [{ id: 'a', services: [{ id: 'ga4', cookies: ['/(/'] }] }] }, 'purposes[0].services[0].cookies[0]: must be a cookie name or a valid /regex/'],
    [{ purposes: [{ id: 'a', services: [{ id: 'ga4', cookies: [''] }] }] }, 'purposes[0].services[0].cookies[0]: must be a cookie name or a valid /regex/'],
    [{ purposes: [{ id: 'a', services: [{ id: 'ga4', cookies: [] }] }] }, 'purposes[0].services[0].cookies: must be an array of 1 to 100 items'],
    [{ purposes: [{ id: 'a', services: [{ name: 'GA' }] }] }, 'purposes[0].services[0].id: is required'],
    [{ purposes: [{ id: 'a', services: [{ id: 'GA 4' }] }] }, 'purposes[0].services[0].id: must match [a-z0-9_-]{1,40}'],
    [{ collector: { url: 'http://example.com/receipts' } }, 'collector.url: must be https or a /path'],
    [{ collector: { url: 'javascript:alert(1)' } }, 'collector.url: must be https or a /path'],
    [{ collector: { url: '/\\evil.example/r' } }, 'collector.url: must be https or a /path'],
    [{ collector: {} }, 'collector.url: is required'],
    [{ language: 'english!' }, 'language: must be "auto" or a language tag'],
    [{ texts: { 'english!': {} } }, 'texts.english!: must be a language tag'],
    [{ texts: [] }, 'texts: must be an object'],
    [{ texts: { en: { acceptAll: 5 } } }, 'texts.en.acceptAll: must be a string of at most 2000 characters'],
    [{ texts: { en: { aceptAll: 'x' } } }, 'texts.en.aceptAll: is unknown'],
    [{ texts: { en: { purposes: { ads: { title: 'Ads' } } } } }, 'texts.en.purposes.ads: must be an id in purposes'],
    [{ expiresAfterDays: 0 }, 'expiresAfterDays: must be a whole number from 1 to 3650'],
    [{ expiresAfterDays: 1.5 }, 'expiresAfterDays: must be a whole number from 1 to 3650'],
    [{ cookie: { name: 'a b' } }, 'cookie.name: must match [A-Za-z0-9_-]{1,64}'],
    [{ cookie: { domain: 'exa mple.com' } }, 'cookie.domain: must be a host name in lower case'],
    // Withdrawal compares it with location.hostname, which is lower case: it would never match.
    [{ cookie: { domain: 'Shop.Example.com' } }, 'cookie.domain: must be a host name in lower case'],
    [{ cookie: { path: 'a;b' } }, 'cookie.path: must match \\/[^;\\s]*'],
    [{ cookie: { sameSite: 'lax' } }, 'cookie.sameSite: must be one of "Lax", "Strict", "None"'],
    [{ googleConsentMode: { ad_storage: ['ads'] } }, 'googleConsentMode.ad_storage[0]: must be an id in purposes'],
    [{ googleConsentMode: { ad_storage: [] } }, 'googleConsentMode.ad_storage: must be an array of 1 to 50 items'],
    [{ googleConsentMode: { wait_for_update: 10_001 } }, 'googleConsentMode.wait_for_update: must be a whole number from 0 to 10000'],
    [{ googleConsentMode: { mode: 'full' } }, 'googleConsentMode.mode: must be one of "advanced", "basic"'],
    [{ googleConsentMode: { region: ['Germany'] } }, 'googleConsentMode.region[0]: must match [A-Z]{2}(-[A-Z\\d]{1,3})?'],
    [{ googleConsentMode: { region: ['DE', 'us-ca'] } }, 'googleConsentMode.region[1]: must match [A-Z]{2}(-[A-Z\\d]{1,3})?'],
    [{ googleConsentMode: { region: ['de'] } }, 'googleConsentMode.region[0]: must match [A-Z]{2}(-[A-Z\\d]{1,3})?'],
    [{ googleConsentMode: { region: 'DE' } }, 'googleConsentMode.region: must be an array of 1 to 500 items'],
    [{ googleConsentMode: { region: [] } }, 'googleConsentMode.region: must be an array of 1 to 500 items'],
    [{ gpc: 'on' }, 'gpc: must be one of true, false'],
    [{ ui: { layout: 'modal' } }, 'ui.layout: must be one of "bar", "box"'],
    [{ ui: { theme: 'blue' } }, 'ui.theme: must be one of "light", "dark", "auto"'],
    [{ polcyUrl: '/x' }, 'polcyUrl: is unknown'],
    [JSON.parse('{"__proto__": {}, "toString": 1}'), '__proto__: is unknown'],
    [{ toString: 1 }, 'toString: is unknown'],
  ])('reports %j', (patch, expected) => {
    expect(problems({ ...base, ...patch })).toContain(expected);
  });

  it('reports several problems at once, each by its path', () => {
    const list = problems({ policyUrl: 'javascript:x', purposes: [{ id: 'ok' }, { id: 'NO' }], expiresAfterDays: -1 });
    expect(list).toEqual([
      'policyVersion: is required',
      'policyUrl: must be http(s) or a path',
      'purposes[1].id: must match [a-z0-9_-]{1,40}',
      'expiresAfterDays: must be a whole number from 1 to 3650',
    ]);
  });

  it('refuses a cookie entry with a leading / that is not a whole /regex/ (gating would read it as one)', () => {
    for (const c of ['/', '//', '/_ga']) {
      expect(problems({ ...base, purposes: [{ id: 'a', services: [{ id: 'ga4', cookies: [c] }] }] })).toEqual(['purposes[0].services[0].cookies[0]: must be a cookie name or a valid /regex/']);
    }
  });

  it('reports the holes of a sparse array (`[a, , b]`, a deleted item) by their path', () => {
    const purposes: object[] = [{ id: 'necessary', required: true }, { id: 'analytics' }, { id: 'ads', services: [{ id: 'x', cookies: ['_x'] }] }];
    delete purposes[1];
    delete (purposes[2] as { services: object[] }).services[0];
    expect(problems({ ...base, purposes })).toEqual(['purposes[1]: must be an object', 'purposes[2].services[0]: must be an object']);
    expect(problems({ ...base, googleConsentMode: { analytics_storage: new Array(1) } })).toEqual(['googleConsentMode.analytics_storage[0]: must be an id in purposes']);
  });

  it('names every problem in the error message', () => {
    expect(() => validateConfig({ ...base, purposes: [{ id: 'X' }] })).toThrow(/purposes\[0\]\.id: must match/);
  });

  it('passes uppercase ISO 3166-1 and -2 region codes to Consent Mode as written', () => {
    const region = ['DE', 'US-CA', 'GB-ENG', 'FR-75C'];
    expect(validateConfig({ ...base, googleConsentMode: { analytics_storage: ['analytics'], region } }).googleConsentMode!.region).toEqual(region);
  });

  it('accepts http collectors only on loopback hosts', () => {
    for (const url of ['https://c.example/receipts', 'HTTPS://C.EXAMPLE/r', 'http://localhost', 'http://localhost:8787/receipts', 'http://127.0.0.1/r', 'http://[::1]:1/r', '/receipts']) {
      expect(problems({ ...base, collector: { url } })).toEqual([]);
    }
    for (const url of ['//evil.example/r', '/\\evil.example/r', 'http://localhost:@evil.example/r', 'http://localhost@evil.example/r', 'http://localhost.evil.example/r', 'http://127.0.0.1.evil.example/r', 'http://[::1]x/r', 'ftp://c.example/r', 'https://c.example/ r']) {
      expect(problems({ ...base, collector: { url } })).toEqual(['collector.url: must be https or a /path']);
    }
  });
});

describe('isSafeLinkUrl', () => {
  it('allows http(s) and paths, refuses other schemes', () => {
    expect(['https://a.example/p', 'http://a.example', '/privacy', 'privacy.html', '#policy'].every(isSafeLinkUrl)).toBe(true);
    expect(['javascript:alert(1)', 'vbscript:x', 'data:text/html,x', 'file:///etc/passwd', '', 'java\nscript:x'].some(isSafeLinkUrl)).toBe(false);
  });
});
