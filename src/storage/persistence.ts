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

/**
 * Decisions in IndexedDB (idb-keyval, database `consentseal`) mirrored to a first-party cookie,
 * falling back to the cookie and then to memory when either is blocked, with cross-tab updates
 * through BroadcastChannel. IndexedDB and other tabs get the cookie's encoding too, so one strict
 * decoder vets whatever is read back.
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

  const writeCookie = (value: string) => {
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
      let stored: StoredDecision | undefined;
      if (idb) {
        try {
          stored = decodeCookie(await withTimeout(get(KEY, idb)));
        } catch (e) {
          onError('storage', 'IndexedDB could not be read; using the cookie', e);
        }
      }
      // The newest wins: a cookie written while IndexedDB failed must not be shadowed.
      return [stored, fromCookie, memory].filter((r) => r).sort((a, b) => b!.decidedAt - a!.decidedAt)[0];
    },
    async save(record) {
      memory = record;
      const value = encodeCookie(record);
      writeCookie(value);
      if (idb) {
        try {
          await set(KEY, value, idb);
        } catch (e) {
          onError('storage', 'IndexedDB could not store the decision', e);
        }
      }
      try {
        channel?.postMessage(value);
      } catch (e) {
        onError('storage', 'Other tabs could not be told of the decision', e);
      }
    },
    watch(fn) {
      if (!channel) return () => {};
      const listener = (e: MessageEvent) => {
        const record = decodeCookie(e.data);
        if (record) fn(record);
      };
      channel.addEventListener('message', listener);
      return () => {
        channel.removeEventListener('message', listener);
        channel.close();
      };
    },
  };
}
