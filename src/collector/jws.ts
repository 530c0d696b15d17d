import { isUtf8 } from 'node:buffer';
import * as crypto from 'node:crypto';
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { validatePayload } from './payload';
import type { PublicEcJwk, VerifiedReceipt } from './types';

/** Longest compact JWS accepted (a receipt with 64 purposes and 2 KB URLs stays well below). */
export const MAX_JWS_LENGTH = 16_384;
/** Longest protected header accepted: the canonical one (alg, typ, kid, P-256 jwk) is about 250 characters. */
export const MAX_HEADER_LENGTH = 512;
/** Deepest JSON nesting accepted anywhere (request body, header, payload). */
export const MAX_JSON_DEPTH = 8;
/** A receipt may be dated at most this far in the future (clock skew allowance). */
export const MAX_FUTURE_MS = 10 * 60 * 1000;

const B64URL = /^[A-Za-z0-9_-]+$/;
const COORD = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;
const HEADER_KEYS = ['alg', 'jwk', 'kid', 'typ'];
const JWK_KEYS = ['crv', 'kty', 'x', 'y'];

// Node ≥ 20.12 has a one-shot hash that skips creating a Hash object for every receipt.
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64url') => string }).hash;

/** base64url SHA-256 of a string (receipt `prev`, `jwsHash`, ack `receiptHash`). */
export const sha256b64url = (s: string): string =>
  oneShotHash ? oneShotHash('sha256', s, 'base64url') : createHash('sha256').update(s).digest('base64url');

/** Decodes base64url only in its canonical, unpadded form (so one JWS has exactly one spelling). */
export function decodeB64url(s: string): Buffer | undefined {
  if (!B64URL.test(s) || s.length % 4 === 1) return undefined;
  const b = Buffer.from(s, 'base64url');
  return b.toString('base64url') === s ? b : undefined;
}

/** The characters that can change JSON nesting or string state; a regex skips the rest (long base64url runs) fast. */
const JSON_STRUCTURE = /["\\[\]{}]/g;

/** True when the JSON text nests objects/arrays deeper than `max` (checked before `JSON.parse`). */
export function jsonTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  JSON_STRUCTURE.lastIndex = 0;
  for (let m = JSON_STRUCTURE.exec(text); m; m = JSON_STRUCTURE.exec(text)) {
    const c = text.charCodeAt(m.index);
    if (inString) {
      if (c === 92) JSON_STRUCTURE.lastIndex++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/** Why a JWS part is not usable JSON (without the part's name), or its parsed value. */
type ParsedPart = { value: unknown } | { error: string };

/**
 * Decodes a base64url JSON part and insists on the one spelling `JSON.stringify` gives it (as the SDK
 * writes it): no whitespace, no needless escapes, numbers like `1` not `1.0`, and no duplicate members,
 * whose meaning differs between JSON parsers (first or last wins), so an auditor's library could read
 * another `seq` or `alg` than the collector did.
 */
const parseJsonPart = (part: string): ParsedPart => {
  const bytes = decodeB64url(part);
  if (!bytes) return { error: 'not base64url JSON' };
  // Malformed UTF-8 would decode to U+FFFD: the stored fields would differ from the signed bytes.
  if (!isUtf8(bytes)) return { error: 'not UTF-8' };
  const text = bytes.toString('utf8');
  if (jsonTooDeep(text)) return { error: 'not base64url JSON' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'not base64url JSON' };
  }
  if (JSON.stringify(value) !== text) return { error: 'JSON must be written as JSON.stringify writes it (no whitespace, escapes or duplicate members)' };
  return { value };
};

const sameKeys = (o: object, keys: string[]): boolean => {
  const k = Object.keys(o).sort();
  return k.length === keys.length && k.every((v, i) => v === keys[i]);
};

/** RFC 7638 thumbprint of a P-256 public JWK (base64url SHA-256 of its canonical members). */
export const jwkThumbprint = (jwk: { crv: string; kty: string; x: string; y: string }): string =>
  sha256b64url(`{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}","y":"${jwk.y}"}`);

/** A protected header that passed every check, with its imported public key. */
interface CheckedHeader {
  kid: string;
  jwk: PublicEcJwk;
  key: KeyObject;
}

/**
 * Checked headers by their exact base64url text: a browser key puts the same header on every receipt,
 * and parsing, thumbprinting and importing it cost about as much as the signature check. Bounded so a
 * flood of fresh keys cannot grow memory without limit (oldest entries go first): an entry with its imported
 * key measured about 5 KB, so 10,000 (the devices of a busy minute) cap it near 50 MB per process.
 */
const headerCache = new Map<string, CheckedHeader>();
const HEADER_CACHE_MAX = 10_000;

/** Checks a protected header exactly as the contract requires, or says what is wrong with it. */
function checkHeader(h: string): CheckedHeader | string {
  const cached = headerCache.get(h);
  if (cached) return cached;
  const parsed = parseJsonPart(h);
  if ('error' in parsed) return `header: ${parsed.error}`;
  const header = parsed.value;
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return 'header: not base64url JSON';
  const hd = header as Record<string, unknown>;
  if (!sameKeys(hd, HEADER_KEYS)) return 'header: must hold exactly alg, typ, kid and jwk';
  if (hd.alg !== 'ES256') return 'header.alg: must be ES256';
  if (hd.typ !== 'consent-receipt+jws') return 'header.typ: must be consent-receipt+jws';
  const jwk = hd.jwk as Record<string, unknown> | null;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return 'header.jwk: must be a JWK object';
  if ('d' in jwk) return 'header.jwk: must not contain a private key (d)';
  if (!sameKeys(jwk, JWK_KEYS)) return 'header.jwk: must hold exactly kty, crv, x and y';
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') return 'header.jwk: must be an EC P-256 key';
  if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string' || !COORD.test(jwk.x) || !COORD.test(jwk.y)) {
    return 'header.jwk: x and y must be 32-byte base64url coordinates';
  }
  const pub: PublicEcJwk = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
  const kid = jwkThumbprint(pub);
  if (hd.kid !== kid) return 'header.kid: must be the RFC 7638 thumbprint of header.jwk';
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { ...pub }, format: 'jwk' });
  } catch {
    return 'header.jwk: not a valid P-256 public key';
  }
  const checked = { kid, jwk: pub, key };
  if (headerCache.size >= HEADER_CACHE_MAX) headerCache.delete(headerCache.keys().next().value as string);
  // A flat copy as the key: `h` is a slice of the whole JWS and would keep all of it alive in the cache.
  headerCache.set(Buffer.from(h, 'latin1').toString('latin1'), checked);
  return checked;
}

/** Result of checking one receipt: the verified receipt or the reason it was refused. */
export type VerifyResult = { ok: true; receipt: VerifiedReceipt } | { ok: false; reason: string };

const fail = (reason: string): VerifyResult => ({ ok: false, reason });

/**
 * Verifies one compact JWS consent receipt: structure, protected header (exactly alg ES256,
 * typ consent-receipt+jws, kid = RFC 7638 thumbprint of the embedded public P-256 jwk), the ES256
 * signature with that key, every payload field, and that `issuedAt` is not over 10 minutes ahead of `now`.
 * Stateless: subject key binding, dedupe and chain checks happen in the store.
 */
export function verifyReceiptJws(jws: unknown, now = Date.now()): VerifyResult {
  if (typeof jws !== 'string') return fail('receipt: must be a compact JWS string');
  if (jws.length > MAX_JWS_LENGTH) return fail(`receipt: longer than ${MAX_JWS_LENGTH} characters`);
  const parts = jws.split('.');
  if (parts.length !== 3) return fail('receipt: not a compact JWS (header.payload.signature)');
  const [h, p, s] = parts as [string, string, string];
  if (h.length > MAX_HEADER_LENGTH) return fail(`header: longer than ${MAX_HEADER_LENGTH} characters`);
  const header = checkHeader(h);
  if (typeof header === 'string') return fail(header);
  const { kid, jwk: pub, key } = header;
  const sig = decodeB64url(s);
  if (!sig || sig.length !== 64) return fail('signature: must be a 64-byte ES256 signature');
  if (!verify('sha256', Buffer.from(`${h}.${p}`, 'latin1'), { key, dsaEncoding: 'ieee-p1363' }, sig)) {
    return fail('signature: does not verify with header.jwk');
  }
  const raw = parseJsonPart(p);
  if ('error' in raw) return fail(`payload: ${raw.error}`);
  const payload = validatePayload(raw.value);
  if (typeof payload === 'string') return fail(payload);
  const issued = Date.parse(payload.issuedAt);
  if (issued - now > MAX_FUTURE_MS) return fail('payload.issuedAt: more than 10 minutes in the future');
  return {
    ok: true,
    receipt: { jws, jwsHash: sha256b64url(jws), kid, jwk: pub, payload, issuedAtUtc: new Date(issued).toISOString() },
  };
}
