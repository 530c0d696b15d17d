/** Small shared helpers of the receipts layer: SHA-256, canonical JSON, serialization. */
import { b64u, utf8 } from '../core/bytes';

/** base64url SHA-256 of a string's UTF-8 bytes. */
export const sha256 = async (s: string): Promise<string> => b64u(await crypto.subtle.digest('SHA-256', utf8(s)));

/**
 * Canonical JSON (RFC 8785 JCS for the values used here): object members sorted by UTF-16 code
 * units, no whitespace, strings and numbers as `JSON.stringify` writes them, `undefined` members left out.
 */
export const canonicalJson = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(canonicalJson)}]`
    : v && typeof v == 'object'
      ? `{${Object.keys(v)
          .sort()
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .map((k) => JSON.stringify(k) + ':' + canonicalJson((v as Record<string, unknown>)[k]))}}`
      : JSON.stringify(v);

/**
 * Runs tasks named `name` one at a time, in order, within this page and across the origin's tabs:
 * Web Locks grant requests in order. Every browser the script tag works in has them in a secure
 * context (Chrome 69, Firefox 96, Safari 15.4), the only place receipts are made; where they are
 * missing the task rejects (a TypeError), which its caller reports like any other fault.
 */
export const serial =
  (name: string) =>
  async <T>(fn: () => Promise<T>): Promise<T> =>
    navigator.locks.request(name, fn) as Promise<T>;
