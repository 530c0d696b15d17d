import { en } from '../i18n/en';
import type { ConsentConfig, NormalizedConfig } from './types';

/** One problem found in a config: where it is and which rule it breaks. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** Thrown by `createConsent` for an invalid config; lists every problem at once. */
export class ConsentConfigError extends Error {
  declare readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    super('Invalid config:\n' + issues.map((i) => `  ${i.path}: ${i.message}`).join('\n'));
    this.name = 'ConsentConfigError';
    this.issues = issues;
  }
}

const PURPOSE_ID = /^[a-z0-9_-]{1,40}$/;
const LANGUAGE = /^[a-z]{2,3}(-[a-z\d]{2,8})*$/i;
// Controls, space and line separators: browsers strip or ignore these inside URLs, which lets `java\tscript:`
// slip past a naive check.
const UNSAFE_URL_CHARS = /[\0- \x7f-\x9f\u2028\u2029]/;

/**
 * True for an http(s) URL or a path (`/privacy`, `privacy.html`); false for `javascript:`, `data:`
 * and every other scheme, and for text a browser would read differently than it looks.
 */
export const isSafeLinkUrl = (value: string): boolean =>
  !!value && !UNSAFE_URL_CHARS.test(value) && /^(https?:|(?![a-z][a-z0-9+.-]*:))/i.test(value);

/**
 * An https URL, an http URL on a loopback host (nothing but an optional port may follow the host,
 * so `http://localhost:@evil.example` fails), or a same-origin path (not `//host` or `/\host`).
 */
const COLLECTOR_URL = /^(https:\/\/|http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)|\/(?![/\\]))/i;

const isRegExp = (source: string) => {
  try {
    return RegExp(source);
  } catch {}
};
/** A URL, absolute or resolved against a page: not `https://` alone, a port past 65535 or a broken host (receipts resolve the policy URL). */
const isUrl = (v: string) => {
  try {
    return new URL(v, 'http://a');
  } catch {}
};

type Json = Record<string, unknown>;
type Fail = (path: string, message: string) => void;
/** Checks one value at `at` (a key of `parent`), reporting every problem through `fail`. */
type Rule = (v: any, at: string, fail: Fail, parent?: any) => unknown;

const isObject = (v: unknown): v is Json => typeof v == 'object' && v !== null && !Array.isArray(v);

// Every message says what the value must be, in as few distinct phrasings as possible.
/** Reports `must <what>` unless `ok(v)`. */
const is = (ok: (v: any) => unknown, what: string): Rule => (v, at, f) => ok(v) || f(at, 'must ' + what);
/** A string of at most `max` characters that passes `ok`. */
const str = (max: number, ok: (v: string) => unknown = () => 1, what = `be a string of at most ${max} characters`) =>
  is((v) => typeof v == 'string' && v.length <= max && ok(v), what);
/** A string matching `re`; the message quotes the pattern unless `what` describes it. */
const matches = (re: RegExp, what = 'match ' + re.source.slice(1, -1)) => str(2048, (v) => re.test(v), what);
const oneOf = (...allowed: unknown[]) => is((v) => allowed.includes(v), 'be one of ' + allowed.map((a) => JSON.stringify(a)).join(', '));
const bool = oneOf(true, false);
const whole = (min: number, max: number) => is((v) => Number.isInteger(v) && v >= min && v <= max, `be a whole number from ${min} to ${max}`);

/**
 * An object with only the keys of `shape`, checked in the shape's (the documented) order so that
 * problems are listed in that order; `need` names the keys that must be present and not blank.
 */
const obj = (shape: Record<string, Rule>, need: string[] = []): Rule => (v, at, f) => {
  if (!isObject(v)) return f(at || '(config)', 'must be an object');
  const known = Object.keys(shape);
  const path = (k: string) => (at ? at + '.' + k : k);
  for (const k of known) {
    if (need.includes(k) && !String(v[k] ?? '').trim()) f(path(k), 'is required');
    else if (v[k] !== undefined) shape[k]!(v[k], path(k), f, v);
  }
  for (const k in v) known.includes(k) || f(path(k), 'is unknown');
};
/** A non-empty array of at most `max` items that follow `item`; a hole (`[a, , b]`) is an item too, which JSON would make null. */
const list = (item: Rule, max = 50): Rule => (v, at, f) =>
  Array.isArray(v) && v.length && v.length <= max ? [...v].forEach((x, i) => item(x, `${at}[${i}]`, f)) : f(at, `must be an array of 1 to ${max} items`);
/** An object keyed by names that follow `key`, holding values that follow `item`. */
const record = (key: Rule, item: Rule): Rule => (v, at, f) =>
  isObject(v) ? Object.keys(v).forEach((k) => (key(k, at + '.' + k, f), item(v[k], at + '.' + k, f))) : f(at, 'must be an object');

// The valid purpose ids seen so far. Purposes are checked before texts and Consent Mode, so
// references to them see every one; `validateConfig` clears it before each run.
const ids = new Set<string>();
const purposeRef = is((v) => ids.has(v), 'be an id in purposes');
const purposeId = matches(PURPOSE_ID);
/** The six Google Consent Mode types a site maps to purposes (`security_storage` is always granted). */
export const consentModeTypes = ['analytics_storage', 'ad_storage', 'ad_user_data', 'ad_personalization', 'functionality_storage', 'personalization_storage'] as const;

/** The whole config, in the order README documents it. */
const config = obj(
  {
    // Receipts carry it, and the collector takes printable text only: no controls (a trailing newline
    // from a template), no half of a surrogate pair.
    policyVersion: str(64, (v) => !/[\0-\x1f\x7f-\x9f\ud800-\udfff]/u.test(v), 'be a string of at most 64 printable characters'),
    policyUrl: str(2048, (v) => isSafeLinkUrl(v) && isUrl(v), 'be http(s) or a path'),
    controller: obj({ name: str(200), contact: str(200) }),
    purposes: list(
      obj(
        {
          id: (v, at, f) => purposeId(v, at, f) === true && (ids.has(v) ? f(at, 'must be unique') : ids.add(v)),
          required: bool,
          optOutSignal: (v, at, f, p) => bool(v, at, f) === true && v && p.required === true && f(at, 'cannot be set on a required purpose'),
          services: list(
            obj(
              {
                id: purposeId,
                name: str(200),
                // Gating reads any leading `/` as a regex (cookie names cannot hold one), so only a whole one passes.
                cookies: list(str(200, (v) => v && (v[0] != '/' || (/^\/.+\/$/.test(v) && isRegExp(v.slice(1, -1)))), 'be a cookie name or a valid /regex/'), 100),
              },
              ['id'],
            ),
            100,
          ),
        },
        ['id'],
      ),
    ),
    collector: obj({ url: str(2048, (v) => isSafeLinkUrl(v) && isUrl(v) && COLLECTOR_URL.test(v), 'be https or a /path') }, ['url']),
    language: str(99, (v) => v == 'auto' || LANGUAGE.test(v), 'be "auto" or a language tag'),
    texts: record(
      matches(LANGUAGE, 'be a language tag'),
      obj({ ...Object.fromEntries(Object.keys(en).map((k) => [k, str(2000)])), purposes: record(purposeRef, obj({ title: str(200), description: str(4000) })) }),
    ),
    expiresAfterDays: whole(1, 3650),
    cookie: obj({
      name: matches(/^[A-Za-z0-9_-]{1,64}$/),
      // Lower case, as browsers keep it: withdrawal compares it with the page's host name.
      domain: matches(/^\.?[a-z0-9-]+(\.[a-z0-9-]+)*$/, 'be a host name in lower case'),
      sameSite: oneOf('Lax', 'Strict', 'None'),
      path: matches(/^\/[^;\s]*$/),
    }),
    googleConsentMode: obj({
      ...Object.fromEntries(consentModeTypes.map((t) => [t, list(purposeRef)])),
      mode: oneOf('advanced', 'basic'),
      wait_for_update: whole(0, 10_000),
      // Uppercase, the form Google documents (`US-CA`): a lowercase code is refused rather than passed to gtag as written.
      region: list(matches(/^[A-Z]{2}(-[A-Z\d]{1,3})?$/), 500),
    }),
    gpc: bool,
    reloadOnWithdraw: bool,
    ui: obj({ layout: oneOf('bar', 'box'), theme: oneOf('light', 'dark', 'auto'), reopenButton: bool }),
  },
  ['policyVersion', 'policyUrl', 'purposes'],
);

/**
 * Checks a config against every rule and fills in defaults. Throws one {@link ConsentConfigError}
 * naming each problem by its path (`purposes[1].id: must match [a-z0-9_-]{1,40}`).
 */
export function validateConfig(input: unknown): NormalizedConfig {
  const issues: ConfigIssue[] = [];
  ids.clear();
  config(input, '', (path, message) => issues.push({ path, message }));
  if (issues.length) throw new ConsentConfigError(issues);

  // A deep copy, so later edits to the site's object cannot change a running instance. Through JSON,
  // not structuredClone, which refuses proxies (a config held in Vue's `reactive`).
  const c = JSON.parse(JSON.stringify(input)) as ConsentConfig;
  return {
    language: 'auto',
    expiresAfterDays: 180,
    gpc: true,
    texts: {},
    reloadOnWithdraw: false,
    ...c,
    cookie: { name: 'consentseal', sameSite: 'Lax', path: '/', ...c.cookie },
    ui: { layout: 'bar', theme: 'auto', reopenButton: false, ...c.ui },
  };
}
