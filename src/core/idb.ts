/**
 * idb-keyval's `get` and `set` for an explicit store. Ours, because idb-keyval's own take a default
 * store as a default parameter, which keeps its `keyval-store` database code in the bundle. Every
 * caller passes its store; unit tests mock this module.
 */
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';

export { createStore, promisifyRequest };

/** The value at `key` in `store`. */
export const get = <T>(key: string, store: UseStore): Promise<T | undefined> => store('readonly', (s) => promisifyRequest(s.get(key)));

/** Stores `value` at `key` in `store`, resolving once the transaction committed. */
export const set = (key: string, value: unknown, store: UseStore): Promise<void> =>
  store('readwrite', (s) => (s.put(value, key), promisifyRequest(s.transaction)));
