import { createStore, get, set } from '../core/idb';
import { decodeCookie, encodeCookie, readCookieValues, type CookieRecord } from './cookie';
import type { NormalizedConfig } from '../core/types';

/** A decision as it is stored: the cookie's fields with the full purpose map. */
export interface StoredDecision extends CookieRecord {}

/** Where decisions live. Every method reports faults through `onError` and never throws. */
export interface DecisionStorage {
  /** The cookie's decision, read synchronously. */
  readSync(): StoredDecision | undefined;
  /** IndexedDB's decision; the core keeps the cookie's if that is newer. */
  load(): Promise<StoredDecision | undefined>;
  save(record: StoredDecision): Promise<void>;
  /**
   * Calls `fn` when another tab stores a decision (one watcher), with `undefined` for a message that
   * is no valid decision; returns the cleanup.
   */
  watch(fn: (record: StoredDecision | undefined) => void): () => void;
}

/** The IndexedDB database and its object store, which holds the decision under the cookie's name and path. */
const NAME = 'consentseal';
const KEY = 'decision';

/**
 * Decisions in IndexedDB (idb-keyval, database `consentseal`) mirrored to a first-party cookie,
 * falling back to the cookie when IndexedDB is blocked (and to memory, the core's own store, when
 * both are), with cross-tab updates through BroadcastChannel. IndexedDB and other tabs get the
 * cookie's encoding too, so one strict decoder vets whatever is read back.
 */
export function createDecisionStorage(
  config: Pick<NormalizedConfig, 'cookie' | 'expiresAfterDays'>,
  onError: (code: string, message: string, cause?: unknown) => void,
): DecisionStorage {
  const { name, path, sameSite, domain } = config.cookie;
  // Sites on one origin that keep their decisions apart by the cookie's name or path (two projects
  // under one host) are kept apart in IndexedDB and between tabs too: both are named by the cookie's.
  const scope = name + path;
  // idb-keyval opens the database on first use, so a blocked IndexedDB fails (even synchronously) in `get` and `set`.
  const idb = createStore(NAME, KEY);
  const channel = globalThis.BroadcastChannel && new BroadcastChannel(scope);
  /** Runs `fn`; a throw or a rejection becomes an `error` event (and `undefined`). */
  const attempt = async <T>(fn: () => T, code: string, message: string): Promise<Awaited<T> | undefined> => {
    try {
      return await fn();
    } catch (e) {
      onError(code, message, e);
    }
  };
  /**
   * `p`, or a rejection after 2.5 s: an IndexedDB that never answers (its `storage` error is the one
   * without a cause) must not hold up `ready` or a decision's promise.
   */
  const answer = <T>(p: Promise<T>) => Promise.race([p, new Promise<never>((_, reject) => setTimeout(reject, 2500))]);
  return {
    readSync() {
      try {
        // Another `cookie.domain` or `path` setting leaves a cookie of the same name behind (listed first
        // when older): the newest decision wins. Sorting puts what does not decode (undefined) last.
        return readCookieValues(document.cookie, name)
          .map(decodeCookie)
          .sort((a, b) => b!.decidedAt - a!.decidedAt)[0];
      } catch (e) {
        onError('cookie', 'Cannot use the cookie', e);
      }
    },
    async load() {
      return decodeCookie(await attempt(() => answer(get(scope, idb)), 'storage', 'Cannot use IndexedDB'));
    },
    async save(record) {
      const value = encodeCookie(record);
      // Runs synchronously: the cookie is written before anything is awaited.
      void attempt(
        () => {
          document.cookie =
            `${name}=${value};path=${path};max-age=${config.expiresAfterDays * 86400};samesite=${sameSite}` +
            (location.protocol == 'https:' || sameSite == 'None' ? ';secure' : '') +
            (domain ? ';domain=' + domain : '');
          if (!readCookieValues(document.cookie, name).includes(value)) throw 'refused';
        },
        'cookie',
        'Cannot use the cookie',
      );
      // Other tabs take the value from the message. Only a channel closed by `destroy` throws here,
      // which leaves IndexedDB behind the cookie: the newer cookie wins at the next start.
      await attempt(() => (channel?.postMessage(value), answer(set(scope, value, idb))), 'storage', 'Cannot use IndexedDB');
    },
    watch(fn) {
      if (channel) channel.onmessage = (e) => fn(decodeCookie(e.data));
      return () => channel?.close();
    },
  };
}
