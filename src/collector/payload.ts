import type { ReceiptPayload } from './types';

/** Limits on what a receipt payload may hold; anything beyond is rejected, never truncated. */
export const LIMITS = {
  purposes: 64,
  policyVersion: 128,
  url: 2048,
  /** PostgreSQL stores `seq` as `integer`; a device would need two billion decisions to get there. */
  seq: 2 ** 31 - 1,
  language: 35,
  sdk: 64,
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SHA256_B64URL = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const PURPOSE_ID = /^[a-z0-9_-]{1,40}$/;
const LANGUAGE = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;
// Code points, not UTF-16 units (the `u` flag): a lone surrogate cannot be stored as UTF-8 (it would come back
// as U+FFFD and no longer match the signed receipt), so only whole characters outside the surrogate block pass.
const PRINTABLE = /^[\x20-\x7e\u00a0-\ud7ff\ue000-\u{10ffff}]+$/u;
/** A URL as the URL Standard serialises it (all the SDK sends): printable ASCII, no spaces or controls. */
const URL_CHARS = /^[\x21-\x7e]+$/;
const SDK = /^[\x21-\x7e]+$/;
const ACTIONS = new Set(['accept-all', 'reject-all', 'custom', 'withdraw']);
const METHODS = new Set(['banner', 'preferences', 'api', 'gpc']);
const FIELDS = [
  'ver', 'receiptId', 'subjectId', 'seq', 'prev', 'issuedAt', 'action', 'method', 'purposes',
  'policyVersion', 'policyUrl', 'language', 'noticeHash', 'page', 'gpc', 'ephemeralKey', 'sdk',
] as const;
const FIELD_SET = new Set<string>(FIELDS);

/** A base64url SHA-256 digest: 43 characters whose last one carries no stray bits. */
export const isSha256B64url = (v: unknown): v is string => typeof v === 'string' && SHA256_B64URL.test(v);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

const httpUrl = (v: string): URL | undefined => {
  // The URL parser silently drops tabs, newlines and leading or trailing controls and spaces, so it would pass
  // a NUL byte (which PostgreSQL cannot store) or a value that reads differently from what is stored.
  if (v.length > LIMITS.url || !URL_CHARS.test(v)) return undefined;
  try {
    const u = new URL(v);
    return (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password ? u : undefined;
  } catch {
    return undefined;
  }
};

/** True when `v` is a real calendar instant in ISO 8601 (`2026-11-29T10:00:00.000Z`, offsets allowed). */
export function isIsoInstant(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  const m = ISO_8601.exec(v);
  if (!m) return false;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  if (mo! < 1 || mo! > 12 || h! > 23 || mi! > 59 || s! > 59) return false;
  const days = new Date(Date.UTC(y!, mo!, 0)).getUTCDate();
  return d! >= 1 && d! <= days && !Number.isNaN(Date.parse(v));
}

/** A policy version as a receipt may carry it: 1–128 printable characters (also the `/stats` filter). */
export const isPolicyVersion = (v: unknown): v is string =>
  typeof v === 'string' && v.length >= 1 && v.length <= LIMITS.policyVersion && PRINTABLE.test(v);

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar day `YYYY-MM-DD`: `Date.parse` reads 2026-02-30 as 2 March, which must not pass. */
export function isDay(v: string): boolean {
  const t = DAY.test(v) ? Date.parse(v) : NaN;
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === v;
}
/** 0001-01-01T00:00:00Z: PostgreSQL reads no earlier year written in ISO form (year 0 is an error, not an empty result). */
const YEAR_ONE_MS = -62_135_596_800_000;

/**
 * A query's date (`YYYY-MM-DD`) or ISO 8601 instant as a UTC ISO string, or undefined when it is neither or
 * falls before year 1.
 */
export function queryInstant(v: string): string | undefined {
  if (!isDay(v) && !isIsoInstant(v)) return undefined;
  const t = Date.parse(v);
  return t >= YEAR_ONE_MS ? new Date(t).toISOString() : undefined;
}

/**
 * Checks every payload field exactly as DESIGN.md lists it.
 * @returns the typed payload, or a reason naming the first bad field (`payload.seq: …`).
 */
export function validatePayload(p: unknown): ReceiptPayload | string {
  if (!isPlainObject(p)) return 'payload: must be a JSON object';
  for (const k of Object.keys(p)) if (!FIELD_SET.has(k)) return `payload.${k.slice(0, 40)}: unknown field`;
  for (const k of FIELDS) if (!(k in p)) return `payload.${k}: missing`;
  if (p.ver !== 1) return 'payload.ver: must be 1';
  if (typeof p.receiptId !== 'string' || !UUID.test(p.receiptId)) return 'payload.receiptId: must be a lowercase UUID';
  if (typeof p.subjectId !== 'string' || !UUID.test(p.subjectId)) return 'payload.subjectId: must be a lowercase UUID';
  if (typeof p.seq !== 'number' || !Number.isSafeInteger(p.seq) || p.seq < 1 || p.seq > LIMITS.seq) return `payload.seq: must be an integer from 1 to ${LIMITS.seq}`;
  if (p.seq === 1 ? p.prev !== null : !isSha256B64url(p.prev)) {
    return p.seq === 1 ? 'payload.prev: must be null when seq is 1' : 'payload.prev: must be a base64url SHA-256 (43 chars) when seq > 1';
  }
  if (!isIsoInstant(p.issuedAt)) return 'payload.issuedAt: must be an ISO 8601 date-time';
  // Year 0 and the like are not storable by PostgreSQL; no real device clock reads before the epoch.
  if (Date.parse(p.issuedAt) < 0) return 'payload.issuedAt: must not be before 1970-01-01T00:00:00Z';
  if (typeof p.action !== 'string' || !ACTIONS.has(p.action)) return 'payload.action: must be accept-all, reject-all, custom or withdraw';
  if (typeof p.method !== 'string' || !METHODS.has(p.method)) return 'payload.method: must be banner, preferences, api or gpc';
  if (!isPlainObject(p.purposes)) return 'payload.purposes: must be an object of purpose id → boolean';
  const ids = Object.keys(p.purposes);
  if (ids.length < 1 || ids.length > LIMITS.purposes) return `payload.purposes: must hold 1–${LIMITS.purposes} purposes`;
  for (const id of ids) {
    if (!PURPOSE_ID.test(id)) return `payload.purposes: id "${id.slice(0, 40)}" must match [a-z0-9_-]{1,40}`;
    if (typeof p.purposes[id] !== 'boolean') return `payload.purposes.${id}: must be a boolean`;
  }
  if (!isPolicyVersion(p.policyVersion)) {
    return `payload.policyVersion: must be 1–${LIMITS.policyVersion} printable characters`;
  }
  if (typeof p.policyUrl !== 'string' || !httpUrl(p.policyUrl)) return 'payload.policyUrl: must be an absolute http(s) URL';
  if (typeof p.language !== 'string' || p.language.length > LIMITS.language || !LANGUAGE.test(p.language)) {
    return 'payload.language: must be a BCP 47 language tag';
  }
  if (!isSha256B64url(p.noticeHash)) return 'payload.noticeHash: must be a base64url SHA-256 (43 chars)';
  if (typeof p.page !== 'string' || /[?#]/.test(p.page) || !httpUrl(p.page)) return 'payload.page: must be an http(s) origin + path without query or fragment';
  if (typeof p.gpc !== 'boolean') return 'payload.gpc: must be a boolean';
  if (typeof p.ephemeralKey !== 'boolean') return 'payload.ephemeralKey: must be a boolean';
  if (typeof p.sdk !== 'string' || p.sdk.length > LIMITS.sdk || !SDK.test(p.sdk)) return `payload.sdk: must be 1–${LIMITS.sdk} printable characters`;
  return p as unknown as ReceiptPayload;
}
