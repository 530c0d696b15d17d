import { en } from '../i18n/en';
import type { ConsentConfig, NormalizedConfig } from './types';

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
// Browsers strip or ignore these inside URLs, which lets `java\tscript:` slip past a naive check.
const UNSAFE_URL_CHARS = /[\u0000-\u0020\u007f-\u009f\u2028\u2029]/;

/**
 * True for an http(s) URL or a path (`/privacy`, `privacy.html`); false for `javascript:`, `data:`
 * and every other scheme, and for text a browser would read differently than it looks.
 */
export function isSafeLinkUrl(value: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  return !!value && !UNSAFE_URL_CHARS.test(value) && (!scheme || scheme == 'http' || scheme == 'https');
}

/** An absolute https URL, an http URL on a loopback host, or a same-origin path. */
function isCollectorUrl(value: string): boolean {
  if (UNSAFE_URL_CHARS.test(value)) return false;
  if (/^\/(?!\/)/.test(value)) return true;
  try {
    const url = new URL(value);
    return url.protocol == 'https:' || (url.protocol == 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname));
  } catch {
    return false;
  }
}

type Json = Record<string, unknown>;
type Fail = (path: string, message: string) => void;
/** Checks one value at `at`, reporting every problem through `fail`. */
type Rule = (v: unknown, at: string, fail: Fail) => unknown;

const isObject = (v: unknown): v is Json => typeof v == 'object' && v !== null && !Array.isArray(v);
const ID_RULE = 'must match [a-z0-9_-]{1,40}';
const NO_PURPOSE = 'names no purpose in purposes[]';

const str = (max: number): Rule => (v, at, f) =>
  typeof v != 'string' ? f(at, 'must be a string') : v.length > max && f(at, `must be at most ${max} characters`);
const required = (max: number, ok?: (v: string) => boolean, message?: string): Rule => (v, at, f) =>
  typeof v != 'string' || !v.trim() ? f(at, 'is required and must be a non-empty string') : v.length > max ? f(at, `must be at most ${max} characters`) : ok && !ok(v) && f(at, message!);
const test = (ok: (v: unknown) => boolean, message: string): Rule => (v, at, f) => ok(v) || f(at, message);
const matches = (re: RegExp, message: string) => test((v) => typeof v == 'string' && re.test(v), message);
const bool = test((v) => typeof v == 'boolean', 'must be true or false');
const oneOf = (...allowed: string[]) => test((v) => allowed.includes(v as string), `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
const whole = (min: number, max: number, message: string) => test((v) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max, message);

/** An object whose known keys follow `shape`; any other key is reported as unknown. */
const obj = (shape: Record<string, Rule>, check?: (v: Json, at: string, f: Fail) => void): Rule => (v, at, f) => {
  if (!isObject(v)) return f(at || '(config)', 'must be an object');
  for (const k of Object.keys(v)) {
    const path = at ? `${at}.${k}` : k;
    const rule = shape[k];
    if (!rule) f(path, 'is not a known setting');
    else if (v[k] !== undefined) rule(v[k], path, f);
  }
  check?.(v, at, f);
};
/** An array whose items follow `item`. */
const list = (item: Rule, message: string, max = 50): Rule => (v, at, f) =>
  Array.isArray(v) && v.length && v.length <= max ? v.forEach((x, i) => item(x, `${at}[${i}]`, f)) : f(at, message);
/** An object keyed by arbitrary names whose values follow `item`. */
const record = (key: Rule, item: Rule, message: string): Rule => (v, at, f) =>
  isObject(v) ? Object.entries(v).forEach(([k, x]) => (key(k, `${at}.${k}`, f), item(x, `${at}.${k}`, f))) : f(at, message);

const cookieName: Rule = (v, at, f) => {
  if (typeof v != 'string' || !v || v.length > 200) return f(at, 'must be a cookie name or a /regex/ string');
  if (/^\/.+\/$/.test(v)) {
    try {
      new RegExp(v.slice(1, -1));
    } catch {
      f(at, 'is not a valid regular expression');
    }
  }
};

function schema(ids: Set<string>): Rule {
  const purposeRef = test((v) => ids.has(v as string), NO_PURPOSE);
  const seen = new Set<string>();
  const purposeId: Rule = (v, at, f) =>
    typeof v != 'string' || !PURPOSE_ID.test(v) ? f(at, ID_RULE) : seen.has(v) ? f(at, `duplicates "${v}"; ids must be unique`) : seen.add(v);
  const gcmTypes = ['analytics_storage', 'ad_storage', 'ad_user_data', 'ad_personalization', 'functionality_storage', 'personalization_storage'];
  return obj(
    {
      policyVersion: required(64),
      policyUrl: required(2048, isSafeLinkUrl, 'must be http(s) or a path'),
      controller: obj({ name: str(200), contact: str(200) }),
      purposes: list(
        obj(
          {
            id: purposeId,
            required: bool,
            optOutSignal: bool,
            services: list(obj({ id: matches(PURPOSE_ID, ID_RULE), name: str(200), cookies: list(cookieName, 'must be an array of cookie names or /regex/ strings', 100) }), 'must be an array', 100),
          },
          (p, at, f) => p.required === true && p.optOutSignal === true && f(`${at}.optOutSignal`, 'cannot be set on a required purpose'),
        ),
        'is required and must be a non-empty array',
      ),
      collector: obj({ url: test((v) => typeof v == 'string' && isCollectorUrl(v), 'must be an https URL (http only for localhost, 127.0.0.1, [::1]) or a same-origin path') }),
      language: test((v) => v == 'auto' || (typeof v == 'string' && LANGUAGE.test(v)), 'must be "auto" or a language tag such as "en" or "zh-CN"'),
      texts: record(
        matches(LANGUAGE, 'must be keyed by a language tag such as "en" or "zh-CN"'),
        obj({
          ...Object.fromEntries(Object.keys(en).map((k) => [k, str(2000)])),
          purposes: record(purposeRef, obj({ title: str(200), description: str(4000) }), 'must be an object keyed by purpose id'),
        }),
        'must be an object keyed by language tag',
      ),
      expiresAfterDays: whole(1, 3650, 'must be a whole number of days from 1 to 3650'),
      cookie: obj({
        name: matches(/^[A-Za-z0-9_-]{1,64}$/, 'must match [A-Za-z0-9_-]{1,64}'),
        domain: matches(/^\.?[a-z0-9-]+(\.[a-z0-9-]+)*$/i, 'must be a host name such as "example.com"'),
        sameSite: oneOf('Lax', 'Strict', 'None'),
        path: matches(/^\/[^;\s]*$/, 'must start with "/" and hold no spaces or ";"'),
      }),
      googleConsentMode: obj({
        ...Object.fromEntries(gcmTypes.map((t) => [t, list(purposeRef, 'must be a non-empty array of purpose ids')])),
        mode: oneOf('advanced', 'basic'),
        wait_for_update: whole(0, 10_000, 'must be a whole number of milliseconds from 0 to 10000'),
        region: test((v) => Array.isArray(v) && v.every((r) => /^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$/.test(r)), 'must be an array of ISO 3166 codes such as "DE" or "US-CA"'),
      }),
      gpc: bool,
      reloadOnWithdraw: bool,
      ui: obj({ layout: oneOf('bar', 'box'), theme: oneOf('light', 'dark', 'auto'), reopenButton: bool }),
    },
    (c, _, f) => {
      for (const k of ['policyVersion', 'policyUrl', 'purposes']) if (c[k] === undefined) f(k, k == 'purposes' ? 'is required and must be a non-empty array' : 'is required and must be a non-empty string');
    },
  );
}

/**
 * Checks a config against every rule and fills in defaults. Throws one {@link ConsentConfigError}
 * naming each problem by its path (`purposes[1].id: must match [a-z0-9_-]{1,40}`).
 */
export function validateConfig(input: unknown): NormalizedConfig {
  const issues: ConfigIssue[] = [];
  const purposes = isObject(input) && Array.isArray(input.purposes) ? (input.purposes as Json[]) : [];
  const ids = new Set(purposes.map((p) => p?.id).filter((id): id is string => typeof id == 'string' && PURPOSE_ID.test(id)));
  schema(ids)(input, '', (path, message) => issues.push({ path, message }));
  if (issues.length) throw new ConsentConfigError(issues.sort((a, b) => order(a.path) - order(b.path)));

  // A deep copy, so later edits to the site's object cannot change a running instance.
  const c = JSON.parse(JSON.stringify(input)) as ConsentConfig;
  const ui = c.ui ?? {};
  return {
    ...c,
    language: c.language ?? 'auto',
    expiresAfterDays: c.expiresAfterDays ?? 180,
    cookie: { name: 'consentseal', sameSite: 'Lax', path: '/', ...c.cookie },
    gpc: c.gpc ?? true,
    ui: { layout: ui.layout ?? 'bar', theme: ui.theme ?? 'auto', reopenButton: ui.reopenButton ?? false },
    texts: c.texts ?? {},
    reloadOnWithdraw: c.reloadOnWithdraw ?? false,
  };
}

/** Reports problems in the order of the documented config keys, whatever order the site wrote them in. */
const KEY_ORDER = ['policyVersion', 'policyUrl', 'controller', 'purposes', 'collector', 'language', 'texts', 'expiresAfterDays', 'cookie', 'googleConsentMode'];
const order = (path: string) => {
  const i = KEY_ORDER.indexOf(path.split(/[.[]/)[0]!);
  return i < 0 ? KEY_ORDER.length : i;
};
