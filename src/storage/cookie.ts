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

import { b64u } from '../core/bytes';

/** A decision as the cookie holds it. */
export interface CookieRecord {
  subjectId: string;
  decidedAt: number;
  policyVersion: string;
  gpc: boolean;
  granted: string[];
}

/**
 * A whole valid value. The subject's last base64url digit carries 2 unused bits, which must be 0
 * (`A`, `Q`, `g`, `w`), so every accepted subject is exactly one UUID.
 */
const VALUE = /^1\|([\w-]{21}[AQgw])\|([\da-z]{1,9})\|([^|]+)\|([\da-z]{1,4})\|([a-z0-9_-]{1,40}(?::[a-z0-9_-]{1,40})*)?$/;

/**
 * The UUID text (lowercase hex, dashed 8-4-4-4-12) of 16 bytes: `byte(i)` is the i-th. A plain loop,
 * not `Array.from(x, fn)`: Prototype.js and MooTools replace `Array.from` with one that ignores `fn`.
 */
export const uuidOf = (byte: (i: number) => number): string => {
  let hex = '';
  for (let i = 0; i < 16; ) hex += (byte(i++) | 256).toString(16).slice(1);
  return hex.replace(/(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
};

/** Encodes a decision as the cookie value. */
export const encodeCookie = (r: CookieRecord): string =>
  [
    1,
    // Every group of a UUID has an even length, so no hex pair straddles a dash.
    b64u(new Uint8Array(r.subjectId.match(/\w\w/g)!.map((h) => parseInt(h, 16)))),
    Math.floor(r.decidedAt / 1000).toString(36),
    encodeURIComponent(r.policyVersion),
    +r.gpc,
    r.granted.join(':'),
  ].join('|');

/** Decodes a cookie value; anything malformed or foreign yields `undefined`, never a guess. */
export function decodeCookie(value: unknown): CookieRecord | undefined {
  // `exec` stringifies, so no non-string matches. No match (a first visit's empty IndexedDB) returns
  // without throwing: a page's first exception costs milliseconds. A malformed escape throws.
  try {
    const m = VALUE.exec(value as string);
    if (m) {
      const subject = atob(m[1]!.replace(/-/g, '+').replace(/_/g, '/'));
      return {
        subjectId: uuidOf((i) => subject.charCodeAt(i)),
        decidedAt: parseInt(m[2]!, 36) * 1000,
        policyVersion: decodeURIComponent(m[3]!),
        gpc: !!(parseInt(m[4]!, 36) & 1),
        granted: m[5]?.split(':') ?? [],
      };
    }
  } catch {}
}

/** The values of cookie `name` in a `document.cookie` string: one for each domain and path it was written for. */
export const readCookieValues = (cookies: string, name: string): string[] =>
  cookies
    .split(/; */)
    .filter((c) => c.startsWith(name + '='))
    .map((c) => c.slice(name.length + 1));
