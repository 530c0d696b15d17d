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
 * Runs tasks named `name` one at a time: in order within this page, and across tabs of the origin
 * through Web Locks where the browser has them.
 */
export const serial = (name: string) => {
  const locks = globalThis.navigator?.locks;
  let q: Promise<unknown> = Promise.resolve();
  // Web Locks grant requests in order, so they serialize this page's tasks too; without them, a
  // queue where each task runs once the previous one settled.
  return <T>(fn: () => Promise<T>): Promise<T> => (locks ? locks.request(name, fn) : (q = q.then(fn, fn))) as Promise<T>;
};
