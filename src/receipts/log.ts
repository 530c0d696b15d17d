import { createStore, get, promisifyRequest, setAll } from '../core/idb';

/** One receipt this browser signed, as the visitor can download it. */
export interface ReceiptLogEntry {
  receiptId: string;
  issuedAt: string;
  /** The signed receipt (JWS compact serialization). */
  jws: string;
  /** The collector's signed acknowledgement, once it stored the receipt. */
  ack?: string | undefined;
  /** pending: not (yet) stored by a collector; sent: stored; rejected: the collector refused it. */
  status: 'pending' | 'sent' | 'rejected';
}

const db = createStore('consentseal-receipts', 'receipts');
/** Values IndexedDB refused (private mode): kept for this page, newer than the stored ones. */
const mem = new Map<string, unknown>();
/** Whether the database has answered on this page: until then a fault means storage is blocked. */
let answered = false;

// idb-keyval opens the database on first use, where a missing `indexedDB` throws synchronously:
// every call sits in an async function, so that becomes a rejection (caught in `set`).

/**
 * Chain heads (`head:<subjectId>`), the retry state (`retry`) and the receipt log (by receipt id),
 * in a database of their own. A value that cannot be stored stays in memory for this page, and the
 * fault goes to `onError`: `set` never rejects. Once the database has answered, `get` rejects when
 * a value cannot be read, since "unreadable" must not pass for "not stored": a chain head taken as
 * missing restarts the chain at seq 1, a fork. A database that never opens (storage blocked: the
 * decision cookie is refused too, so every page has a new subject) leaves memory as the only store,
 * and receipts are still signed there.
 */
export const receiptStore = {
  async get<T>(k: string): Promise<T | undefined> {
    if (mem.has(k)) return mem.get(k) as T;
    try {
      const v = await get<T>(k, db);
      answered = true;
      return v;
    } catch (e) {
      if (answered) throw e;
      receiptStore.onError(e);
    }
  },
  /**
   * Stores every member of `values` in one transaction, so none is ever kept without the others (a
   * chain head without its receipt): on a fault, all of them stay in memory instead.
   */
  async set(values: Record<string, unknown>): Promise<void> {
    try {
      await setAll(values, db);
      answered = true;
      for (const k in values) mem.delete(k);
    } catch (e) {
      for (const k in values) mem.set(k, values[k]);
      receiptStore.onError(e);
    }
  },
  onError(_e: unknown) {},
};

/** Every receipt signed in this browser, oldest first: for "Download my receipts". Never rejects. */
export async function readReceiptLog(): Promise<ReceiptLogEntry[]> {
  const byId: Record<string, ReceiptLogEntry> = {};
  let stored: ReceiptLogEntry[] = [];
  try {
    stored = await db('readonly', (s) => promisifyRequest(s.getAll()));
  } catch {}
  for (const v of [...stored, ...(mem.values() as Iterable<ReceiptLogEntry>)]) if (v.jws) byId[v.receiptId] = v;
  return Object.values(byId).sort((a, b) => a.issuedAt.localeCompare(b.issuedAt));
}
