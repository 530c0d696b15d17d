import type { ConsentConfig, NormalizedConfig, UiTexts } from './types';

/** One problem found in a config: where it is and which rule it breaks. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** Thrown by `createConsent` for an invalid config; lists every problem at once. */
export class ConsentConfigError extends Error {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    super('Invalid ConsentSeal config:\n' + issues.map((i) => `  ${i.path}: ${i.message}`).join('\n'));
    this.name = 'ConsentConfigError';
    this.issues = issues;
  }
}

export const PURPOSE_ID = /^[a-z0-9_-]{1,40}$/;
const LANGUAGE = /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/;
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
// Browsers strip or ignore these inside URLs, which lets `java\tscript:` slip past a naive check.
const UNSAFE_URL_CHARS = /[\u0000-\u0020\u007f-\u009f\u2028\u2029]/;
const LOCAL_HOSTS = ['localhost', '127.0.0.1', '[::1]'];
const TEXT_KEYS: ReadonlyArray<keyof UiTexts> = [
  'bannerTitle', 'bannerText', 'policyLink', 'acceptAll', 'rejectAll', 'customize', 'preferencesTitle',
  'preferencesText', 'save', 'close', 'requiredLabel', 'requiredReason', 'servicesLabel', 'cookiesLabel',
  'gpcHonored', 'consentIdLabel', 'recordedAtLabel', 'downloadReceipts', 'placeholderText', 'placeholderAllow',
  'placeholderOpen', 'reopen',
];
const GCM_TYPES = ['analytics_storage', 'ad_storage', 'ad_user_data', 'ad_personalization', 'functionality_storage', 'personalization_storage'];
const TOP_KEYS = [
  'policyVersion', 'policyUrl', 'controller', 'purposes', 'collector', 'language', 'texts', 'expiresAfterDays',
  'cookie', 'googleConsentMode', 'gpc', 'ui', 'reloadOnWithdraw',
];

/**
 * True for an http(s) URL or a path (`/privacy`, `privacy.html`); false for `javascript:`, `data:`
 * and every other scheme, and for text a browser would read differently than it looks.
 */
export function isSafeLinkUrl(value: string): boolean {
  if (!value || UNSAFE_URL_CHARS.test(value)) return false;
  const scheme = SCHEME.exec(value)?.[1]?.toLowerCase();
  return scheme === undefined || scheme === 'http' || scheme === 'https';
}

/** An absolute https URL, an http URL on a loopback host, or a same-origin path. */
function isCollectorUrl(value: string): boolean {
  if (UNSAFE_URL_CHARS.test(value)) return false;
  if (value.startsWith('/') && !value.startsWith('//')) return true;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOCAL_HOSTS.includes(url.hostname));
  } catch {
    return false;
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks a config against every rule and fills in defaults. Throws one {@link ConsentConfigError}
 * naming each problem by its path (`purposes[1].id: must match [a-z0-9_-]{1,40}`).
 */
export function validateConfig(input: unknown): NormalizedConfig {
  const issues: ConfigIssue[] = [];
  const fail = (path: string, message: string) => void issues.push({ path, message });

  if (!isObject(input)) throw new ConsentConfigError([{ path: '(config)', message: 'must be an object' }]);
  const c = input;

  const str = (path: string, v: unknown, max: number, required = false): v is string => {
    if (v === undefined && !required) return false;
    if (typeof v !== 'string' || (required && !v.trim())) fail(path, required ? 'is required and must be a non-empty string' : 'must be a string');
    else if (v.length > max) fail(path, `must be at most ${max} characters`);
    else return true;
    return false;
  };
  const bool = (path: string, v: unknown) => {
    if (v !== undefined && typeof v !== 'boolean') fail(path, 'must be true or false');
  };
  const oneOf = (path: string, v: unknown, allowed: readonly string[]) => {
    if (v !== undefined && !allowed.includes(v as string)) fail(path, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  };
  const objectAt = (path: string, v: unknown, keys: readonly string[]): v is Json => {
    if (v === undefined) return false;
    if (!isObject(v)) {
      fail(path, 'must be an object');
      return false;
    }
    for (const k of Object.keys(v)) if (!keys.includes(k)) fail(`${path}.${k}`, 'is not a known setting');
    return true;
  };

  for (const k of Object.keys(c)) if (!TOP_KEYS.includes(k)) fail(k, 'is not a known setting');

  str('policyVersion', c.policyVersion, 64, true);
  if (str('policyUrl', c.policyUrl, 2048, true) && !isSafeLinkUrl(c.policyUrl)) fail('policyUrl', 'must be http(s) or a path');

  if (objectAt('controller', c.controller, ['name', 'contact'])) {
    str('controller.name', c.controller.name, 200);
    str('controller.contact', c.controller.contact, 200);
  }

  const ids = new Set<string>();
  if (!Array.isArray(c.purposes) || c.purposes.length === 0) fail('purposes', 'is required and must be a non-empty array');
  else if (c.purposes.length > 50) fail('purposes', 'must list at most 50 purposes');
  else
    c.purposes.forEach((p: unknown, i) => {
      const at = `purposes[${i}]`;
      if (!objectAt(at, p, ['id', 'required', 'optOutSignal', 'services'])) return void (p === undefined && fail(at, 'must be an object'));
      if (typeof p.id !== 'string' || !PURPOSE_ID.test(p.id)) fail(`${at}.id`, 'must match [a-z0-9_-]{1,40}');
      else if (ids.has(p.id)) fail(`${at}.id`, `duplicates "${p.id}"; ids must be unique`);
      else ids.add(p.id);
      bool(`${at}.required`, p.required);
      bool(`${at}.optOutSignal`, p.optOutSignal);
      if (p.required === true && p.optOutSignal === true) fail(`${at}.optOutSignal`, 'cannot be set on a required purpose');
      if (p.services === undefined) return;
      if (!Array.isArray(p.services)) return fail(`${at}.services`, 'must be an array');
      p.services.forEach((s: unknown, j) => {
        const sat = `${at}.services[${j}]`;
        if (!objectAt(sat, s, ['id', 'name', 'cookies'])) return void (s === undefined || fail(sat, 'must be an object'));
        if (typeof s.id !== 'string' || !PURPOSE_ID.test(s.id)) fail(`${sat}.id`, 'must match [a-z0-9_-]{1,40}');
        str(`${sat}.name`, s.name, 200);
        if (s.cookies === undefined) return;
        if (!Array.isArray(s.cookies)) return fail(`${sat}.cookies`, 'must be an array of cookie names or /regex/ strings');
        s.cookies.forEach((name: unknown, k) => {
          const cat = `${sat}.cookies[${k}]`;
          if (typeof name !== 'string' || !name || name.length > 200) return fail(cat, 'must be a cookie name or a /regex/ string');
          if (name.length > 2 && name.startsWith('/') && name.endsWith('/')) {
            try {
              new RegExp(name.slice(1, -1));
            } catch {
              fail(cat, 'is not a valid regular expression');
            }
          }
        });
      });
    });

  if (objectAt('collector', c.collector, ['url'])) {
    if (typeof c.collector.url !== 'string' || !isCollectorUrl(c.collector.url)) {
      fail('collector.url', 'must be an https URL (http only for localhost, 127.0.0.1, [::1]) or a same-origin path');
    }
  }

  if (c.language !== undefined && c.language !== 'auto' && (typeof c.language !== 'string' || !LANGUAGE.test(c.language))) {
    fail('language', 'must be "auto" or a language tag such as "en" or "zh-CN"');
  }

  if (c.texts !== undefined) {
    if (!isObject(c.texts)) fail('texts', 'must be an object keyed by language tag');
    else
      for (const [lang, t] of Object.entries(c.texts)) {
        const at = `texts.${lang}`;
        if (!LANGUAGE.test(lang)) fail(at, 'must be keyed by a language tag such as "en" or "zh-CN"');
        if (!objectAt(at, t, [...TEXT_KEYS, 'purposes'])) continue;
        for (const key of TEXT_KEYS) str(`${at}.${key}`, t[key], 2000);
        if (t.purposes === undefined) continue;
        if (!isObject(t.purposes)) {
          fail(`${at}.purposes`, 'must be an object keyed by purpose id');
          continue;
        }
        for (const [pid, pt] of Object.entries(t.purposes)) {
          const pat = `${at}.purposes.${pid}`;
          if (ids.size && !ids.has(pid)) fail(pat, 'names no purpose in purposes[]');
          if (!objectAt(pat, pt, ['title', 'description'])) continue;
          str(`${pat}.title`, pt.title, 200);
          str(`${pat}.description`, pt.description, 4000);
        }
      }
  }

  const days = c.expiresAfterDays;
  if (days !== undefined && (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 3650)) {
    fail('expiresAfterDays', 'must be a whole number of days from 1 to 3650');
  }

  if (objectAt('cookie', c.cookie, ['name', 'domain', 'sameSite', 'path'])) {
    const ck = c.cookie;
    if (ck.name !== undefined && (typeof ck.name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(ck.name))) fail('cookie.name', 'must match [A-Za-z0-9_-]{1,64}');
    if (ck.domain !== undefined && (typeof ck.domain !== 'string' || !/^\.?[a-z0-9-]+(\.[a-z0-9-]+)*$/i.test(ck.domain))) fail('cookie.domain', 'must be a host name such as "example.com"');
    oneOf('cookie.sameSite', ck.sameSite, ['Lax', 'Strict', 'None']);
    if (ck.path !== undefined && (typeof ck.path !== 'string' || !/^\/[^;\s]*$/.test(ck.path))) fail('cookie.path', 'must start with "/" and hold no spaces or ";"');
  }

  if (objectAt('googleConsentMode', c.googleConsentMode, [...GCM_TYPES, 'mode', 'wait_for_update', 'region'])) {
    const g = c.googleConsentMode;
    for (const type of GCM_TYPES) {
      const v = g[type];
      if (v === undefined) continue;
      if (!Array.isArray(v) || v.length === 0) fail(`googleConsentMode.${type}`, 'must be a non-empty array of purpose ids');
      else v.forEach((id, i) => ids.has(id as string) || fail(`googleConsentMode.${type}[${i}]`, 'names no purpose in purposes[]'));
    }
    oneOf('googleConsentMode.mode', g.mode, ['advanced', 'basic']);
    const w = g.wait_for_update;
    if (w !== undefined && (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > 10_000)) fail('googleConsentMode.wait_for_update', 'must be a whole number of milliseconds from 0 to 10000');
    if (g.region !== undefined && (!Array.isArray(g.region) || g.region.some((r) => typeof r !== 'string' || !/^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$/.test(r)))) {
      fail('googleConsentMode.region', 'must be an array of ISO 3166 codes such as "DE" or "US-CA"');
    }
  }

  bool('gpc', c.gpc);
  bool('reloadOnWithdraw', c.reloadOnWithdraw);
  if (objectAt('ui', c.ui, ['layout', 'theme', 'reopenButton'])) {
    oneOf('ui.layout', c.ui.layout, ['bar', 'box']);
    oneOf('ui.theme', c.ui.theme, ['light', 'dark', 'auto']);
    bool('ui.reopenButton', c.ui.reopenButton);
  }

  if (issues.length) throw new ConsentConfigError(issues);

  const config = structuredCloneJson(c as unknown as ConsentConfig);
  const ck = config.cookie ?? {};
  const ui = config.ui ?? {};
  return {
    ...config,
    language: config.language ?? 'auto',
    expiresAfterDays: config.expiresAfterDays ?? 180,
    cookie: { name: ck.name ?? 'consentseal', sameSite: ck.sameSite ?? 'Lax', path: ck.path ?? '/', ...(ck.domain ? { domain: ck.domain } : {}) },
    gpc: config.gpc ?? true,
    ui: { layout: ui.layout ?? 'bar', theme: ui.theme ?? 'auto', reopenButton: ui.reopenButton ?? false },
    texts: config.texts ?? {},
    reloadOnWithdraw: config.reloadOnWithdraw ?? false,
  };
}

/** A deep copy, so later edits to the site's object cannot change a running instance. */
function structuredCloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
