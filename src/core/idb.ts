/**
 * idb-keyval's `get` and `set` for an explicit store. Ours, because idb-keyval's own take a default
 * store as a default parameter, which keeps its `keyval-store` database code in the bundle. Every
 * caller passes its store; unit tests mock this module.
 */
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';

export { createStore, promisifyRequest };

/** The value at `key` in `store`. */
export const get = <T>(key: string, store: UseStore): Promise<T | undefined> => store('readonly', (s) => promisifyRequest(s.get(key)));

/**
 * Stores each member of `values` under its name in `store` in one transaction, resolving once it
 * committed: all of them or, on any fault (or a page closed before the commit), none.
 */
export const setAll = (values: Record<string, unknown>, store: UseStore): Promise<void> =>
  store('readwrite', (s) => {
    try {
      for (const k in values) s.put(values[k], k);
    } catch (e) {
      // A put that throws (DataCloneError) does not abort the transaction: the puts before it would commit.
      s.transaction.abort();
      throw e;
    }
    return promisifyRequest(s.transaction);
  });

/** Stores `value` at `key` in `store`, resolving once the transaction committed. */
export const set = (key: string, value: unknown, store: UseStore): Promise<void> => setAll({ [key]: value }, store);
