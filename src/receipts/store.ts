import { createStore, get, set, values } from 'idb-keyval';
import type { UseStore } from 'idb-keyval';

/** A key-value store in an IndexedDB database of its own. */
export interface Kv {
  /** Resolves `undefined` when the value is missing or unreadable (the fault goes to `onError`). */
  get<T>(key: string): Promise<T | undefined>;
  /** Never rejects: a value that cannot be stored stays in memory for this page and goes to `onError`. */
  set(key: string, value: unknown): Promise<void>;
  /** Every value, the in-memory ones (newer) last. */
  values<T>(): Promise<T[]>;
  onError(e: unknown): void;
}

/** Opens (lazily) store `name` in database `db`; idb-keyval keeps one store per database. */
export const kv = (db: string, name: string): Kv => {
  let s: UseStore | undefined;
  const mem = new Map<string, unknown>();
  // Async so that a missing `indexedDB` (a synchronous throw inside idb-keyval) becomes a rejection.
  const store = async () => (s ??= createStore(db, name));
  const k: Kv = {
    get: async <T>(key: string) => (mem.has(key) ? (mem.get(key) as T) : get<T>(key, await store()).catch((e) => void k.onError(e))),
    set: async (key, value) => {
      try {
        await set(key, value, await store());
        mem.delete(key);
      } catch (e) {
        mem.set(key, value);
        k.onError(e);
      }
    },
    values: async <T>() => [...(await store().then((st) => values<T>(st)).catch(() => [] as T[])), ...(mem.values() as Iterable<T>)],
    onError: () => {},
  };
  return k;
};
