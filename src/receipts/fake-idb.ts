/**
 * An in-memory stand-in for idb-keyval (through src/core/idb.ts) in unit tests (`vi.mock('../core/idb', () => import('./fake-idb'))`):
 * one Map per database, values structured-cloned like IndexedDB does, faults switchable per call kind.
 * Each write is one transaction: all its values or none.
 */
export const dbs = new Map<string, Map<unknown, unknown>>();
export const faults = {
  get: null as Error | null,
  set: null as Error | null,
  /** A write that holds one of these keys never commits: the page was closed before its transaction did. */
  hold: (_key: string) => false,
  /** Reading one of these keys fails. */
  unreadable: (_key: string) => false,
};

/** Like idb-keyval's UseStore; its object store offers only `getAll`. */
type Store = ((mode: IDBTransactionMode, cb: (s: { getAll(): unknown[] }) => unknown) => Promise<unknown>) & { key: string };
const db = (s: Store) => dbs.get(s.key) ?? dbs.set(s.key, new Map()).get(s.key)!;

export const createStore = (dbName: string, storeName: string): Store => {
  const s: Store = Object.assign(
    async (_mode: IDBTransactionMode, cb: (os: { getAll(): unknown[] }) => unknown) => {
      if (faults.get) throw faults.get;
      return cb({ getAll: () => [...db(s).values()].map((v) => structuredClone(v)) });
    },
    { key: `${dbName}/${storeName}` },
  );
  return s;
};
export const promisifyRequest = async <T>(r: T) => r;
export const get = async (k: string, s: Store) => {
  if (faults.get) throw faults.get;
  if (faults.unreadable(k)) throw new DOMException('The read failed.', 'UnknownError');
  return structuredClone(db(s).get(k));
};
export const setAll = async (values: Record<string, unknown>, s: Store) => {
  if (faults.set) throw faults.set;
  if (Object.keys(values).some((k) => faults.hold(k))) return new Promise<void>(() => {});
  // Cloned first, so a value that cannot be cloned leaves nothing written.
  const copies = Object.entries(values).map(([k, v]) => [k, structuredClone(v)] as const);
  for (const [k, v] of copies) db(s).set(k, v);
};
export const set = (k: string, v: unknown, s: Store) => setAll({ [k]: v }, s);
export const reset = () => {
  dbs.clear();
  faults.get = faults.set = null;
  faults.hold = faults.unreadable = () => false;
};
