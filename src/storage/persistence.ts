import { createStore, get, set } from 'idb-keyval';
import { decodeCookie, encodeCookie, readCookieValue, serializeCookie, type CookieRecord } from './cookie';
import type { NormalizedConfig } from '../core/types';

/** A decision as it is stored: the cookie's fields with the full purpose map. */
export interface StoredDecision extends CookieRecord {}

/** Where decisions live. Every method reports faults through `onError` and never throws. */
export interface DecisionStorage {
  /** The cookie's decision, read synchronously. */
  readSync(): StoredDecision | undefined;
  /** The best stored decision (IndexedDB, else the cookie, else memory). */
  load(): Promise<StoredDecision | undefined>;
  save(record: StoredDecision): Promise<void>;
  /** Calls `fn` when another tab stores a decision; returns an unsubscribe. */
  watch(fn: (record: StoredDecision) => void): () => void;
}

const DB_NAME = 'consentseal';
const KEY = 'decision';
const LOAD_TIMEOUT_MS = 2500;

const isRecord = (v: unknown): v is StoredDecision => {
  const r = v as StoredDecision;
  return (
    typeof r === 'object' && r !== null && typeof r.subjectId === 'string' && typeof r.decidedAt === 'number' &&
    typeof r.policyVersion === 'string' && typeof r.gpc === 'boolean' && Array.isArray(r.granted) &&
    r.granted.every((g) => typeof g === 'string')
  );
};

/**
 * Decisions in IndexedDB (idb-keyval, database `consentseal`) mirrored to a first-party cookie,
 * falling back to the cookie and then to memory when either is blocked, with cross-tab updates
 * through BroadcastChannel.
 */
export function createDecisionStorage(
  config: Pick<NormalizedConfig, 'cookie' | 'expiresAfterDays'>,
  onError: (code: string, message: string, cause?: unknown) => void,
): DecisionStorage {
  const { name, path, sameSite, domain } = config.cookie;
  let memory: StoredDecision | undefined;
  let idb: ReturnType<typeof createStore> | undefined;
  try {
    idb = createStore(DB_NAME, KEY);
  } catch (e) {
    onError('storage', 'IndexedDB is unavailable; the decision is kept in a cookie or in memory', e);
  }
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('consentseal') : undefined;

  const readSync = (): StoredDecision | undefined => {
    try {
      return decodeCookie(readCookieValue(document.cookie, name));
    } catch (e) {
      onError('cookie', 'Cookies cannot be read', e);
      return undefined;
    }
  };

  const writeCookie = (record: StoredDecision) => {
    const value = encodeCookie(record);
    try {
      document.cookie = serializeCookie(name, value, {
        path,
        sameSite,
        maxAgeSeconds: config.expiresAfterDays * 86400,
        secure: location.protocol === 'https:',
        ...(domain ? { domain } : {}),
      });
      if (readCookieValue(document.cookie, name) !== value) throw new Error('the browser refused the cookie');
    } catch (e) {
      onError('cookie', 'The decision could not be saved in a cookie', e);
    }
  };

  const withTimeout = <T>(p: Promise<T>): Promise<T> =>
    Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('IndexedDB did not answer')), LOAD_TIMEOUT_MS))]);

  return {
    readSync,
    async load() {
      const fromCookie = readSync();
      let fromIdb: unknown;
      if (idb) {
        try {
          fromIdb = await withTimeout(get(KEY, idb));
        } catch (e) {
          onError('storage', 'IndexedDB could not be read; using the cookie', e);
        }
      }
      const stored = isRecord(fromIdb) ? fromIdb : undefined;
      // The newer of the two wins: a cookie written while IndexedDB failed must not be shadowed.
      const best = [stored, fromCookie, memory].filter(isRecord).sort((a, b) => b.decidedAt - a.decidedAt)[0];
      return best;
    },
    async save(record) {
      memory = record;
      writeCookie(record);
      if (idb) {
        try {
          await set(KEY, record, idb);
        } catch (e) {
          onError('storage', 'IndexedDB could not store the decision', e);
        }
      }
      try {
        channel?.postMessage(record);
      } catch (e) {
        onError('storage', 'Other tabs could not be told of the decision', e);
      }
    },
    watch(fn) {
      if (!channel) return () => {};
      const listener = (e: MessageEvent) => {
        if (isRecord(e.data)) fn(e.data);
      };
      channel.addEventListener('message', listener);
      return () => {
        channel.removeEventListener('message', listener);
        channel.close();
      };
    },
  };
}
