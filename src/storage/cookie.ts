/**
 * The cookie mirror of a decision: compact, RFC 6265-valid, read synchronously at start so a
 * returning visitor's consent applies before the first paint, and readable by servers.
 *
 * Format (fields separated by `|`):
 *   `1|<subject>|<decidedAt>|<policyVersion>|<flags>|<granted>`
 * - `1`: format version.
 * - subject: the subject UUID's 16 bytes in base64url (22 characters).
 * - decidedAt: seconds since the epoch, base 36.
 * - policyVersion: percent-encoded (encodeURIComponent).
 * - flags: a base-36 bit set; bit 0 = Global Privacy Control was on at the decision.
 * - granted: the granted non-required purpose ids joined by `:` (empty when none).
 * Required purposes are always granted and not listed; any other purpose is denied.
 */

/** A decision as the cookie holds it. */
export interface CookieRecord {
  subjectId: string;
  decidedAt: number;
  policyVersion: string;
  gpc: boolean;
  granted: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ID_LIST = /^([a-z0-9_-]{1,40}(:[a-z0-9_-]{1,40})*)?$/;

const uuidToB64 = (uuid: string): string =>
  btoa(String.fromCharCode(...uuid.replace(/-/g, '').match(/../g)!.map((h) => parseInt(h, 16))))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .slice(0, 22);

function b64ToUuid(s: string): string | undefined {
  if (!/^[\w-]{21}[AQgw]$/.test(s)) return undefined;
  const hex = Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '=='), (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
  const uuid = hex.replace(/(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
  return UUID.test(uuid) ? uuid : undefined;
}

/** Encodes a decision as the cookie value. */
export function encodeCookie(r: CookieRecord): string {
  return [
    '1',
    uuidToB64(r.subjectId),
    Math.floor(r.decidedAt / 1000).toString(36),
    encodeURIComponent(r.policyVersion),
    (r.gpc ? 1 : 0).toString(36),
    r.granted.join(':'),
  ].join('|');
}

/** Decodes a cookie value; anything malformed or foreign yields `undefined`, never a guess. */
export function decodeCookie(value: unknown): CookieRecord | undefined {
  if (typeof value != 'string' || value.length > 2048) return undefined;
  const parts = value.split('|');
  if (parts.length !== 6 || parts[0] !== '1') return undefined;
  const [, sid = '', t = '', pv = '', flags = '', granted = ''] = parts;
  const subjectId = b64ToUuid(sid);
  if (!subjectId || !/^[0-9a-z]{1,9}$/.test(t) || !/^[0-9a-z]{1,4}$/.test(flags) || !ID_LIST.test(granted)) return undefined;
  let policyVersion: string;
  try {
    policyVersion = decodeURIComponent(pv);
  } catch {
    return undefined;
  }
  if (!policyVersion) return undefined;
  return {
    subjectId,
    decidedAt: parseInt(t, 36) * 1000,
    policyVersion,
    gpc: (parseInt(flags, 36) & 1) === 1,
    granted: granted ? granted.split(':') : [],
  };
}

/** The value of cookie `name` in a `document.cookie` string. */
export function readCookieValue(cookies: string, name: string): string | undefined {
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Attributes for `document.cookie`: path, lifetime, SameSite, Secure on https, optional domain. */
export interface CookieAttributes {
  path: string;
  maxAgeSeconds: number;
  sameSite: 'Lax' | 'Strict' | 'None';
  secure: boolean;
  domain?: string;
}

/** Builds a `document.cookie` assignment. */
export function serializeCookie(name: string, value: string, a: CookieAttributes): string {
  return (
    `${name}=${value}; Path=${a.path}; Max-Age=${a.maxAgeSeconds}; SameSite=${a.sameSite}` +
    (a.secure || a.sameSite === 'None' ? '; Secure' : '') +
    (a.domain ? `; Domain=${a.domain}` : '')
  );
}
