import type { UseStore } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { get, set, setAll } from './idb';

/**
 * An object store with IndexedDB's transaction rules, as far as `setAll` relies on them: puts are
 * staged and commit together when the transaction's task ends unless it was aborted; a value that
 * cannot be cloned makes `put` throw synchronously (DataCloneError) without aborting anything.
 */
function transactionalStore() {
  const data = new Map<IDBValidKey, unknown>();
  const store = ((_mode: IDBTransactionMode, cb: (s: IDBObjectStore) => unknown) =>
    Promise.resolve().then(() => {
      const staged = new Map<IDBValidKey, unknown>();
      const tx = { aborted: false, error: null as DOMException | null, abort: () => ((tx.aborted = true), (tx.error = new DOMException('aborted', 'AbortError'))) } as {
        aborted: boolean;
        error: DOMException | null;
        abort(): void;
        oncomplete?: () => void;
        onabort?: () => void;
      };
      const req = (result: unknown) => {
        const r = { result } as { result: unknown; onsuccess?: () => void };
        setTimeout(() => r.onsuccess?.());
        return r;
      };
      const os = {
        transaction: tx,
        put(v: unknown, k: IDBValidKey) {
          staged.set(k, structuredClone(v));
          return req(k);
        },
        get: (k: IDBValidKey) => req(data.get(k)),
      } as unknown as IDBObjectStore;
      try {
        return cb(os);
      } finally {
        // Auto-commit once the task that used the transaction is over.
        setTimeout(() => {
          if (tx.aborted) return tx.onabort?.();
          for (const [k, v] of staged) data.set(k, v);
          tx.oncomplete?.();
        });
      }
    })) as UseStore;
  return { data, store };
}

describe('setAll', () => {
  it('stores every value in one transaction', async () => {
    const { data, store } = transactionalStore();
    await setAll({ 'head:s': { seq: 1 }, r1: { jws: 'a.b.c' } }, store);
    expect(Object.fromEntries(data)).toEqual({ 'head:s': { seq: 1 }, r1: { jws: 'a.b.c' } });
    await set('retry', { n: 0 }, store);
    expect(await get('retry', store)).toEqual({ n: 0 });
  });

  it('stores none of them when one cannot be stored, even after an earlier put succeeded', async () => {
    const { data, store } = transactionalStore();
    const error = await setAll({ 'head:s': { seq: 1 }, r1: { jws: 'a.b.c', sign: () => 0 } }, store).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'DataCloneError' });
    // The transaction ends (commits or aborts) in a task the failed put scheduled before this one.
    await new Promise((r) => setTimeout(r));
    expect([...data.keys()]).toEqual([]);
  });
});
