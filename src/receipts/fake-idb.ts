/**
 * An in-memory stand-in for idb-keyval in unit tests (`vi.mock('idb-keyval', () => import('./fake-idb'))`):
 * one Map per database, values structured-cloned like IndexedDB does, faults switchable per call kind.
 */
export const dbs = new Map<string, Map<unknown, unknown>>();
export const faults = { get: null as Error | null, set: null as Error | null };

type Store = string;
const db = (s: Store) => dbs.get(s) ?? dbs.set(s, new Map()).get(s)!;

export const createStore = (dbName: string, storeName: string): Store => `${dbName}/${storeName}`;
export const get = async (k: unknown, s: Store) => {
  if (faults.get) throw faults.get;
  return structuredClone(db(s).get(k));
};
export const set = async (k: unknown, v: unknown, s: Store) => {
  if (faults.set) throw faults.set;
  db(s).set(k, structuredClone(v));
};
export const values = async (s: Store) => {
  if (faults.get) throw faults.get;
  return [...db(s).values()].map((v) => structuredClone(v));
};
export const reset = () => {
  dbs.clear();
  faults.get = faults.set = null;
};
