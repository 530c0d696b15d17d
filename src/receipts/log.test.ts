import { expect, it } from 'vitest';
import { readReceiptLog, receiptStore } from './log';

// No IndexedDB at all (e.g. a sandboxed frame), as in Node: the real idb-keyval throws
// synchronously (a ReferenceError) when it opens the database.

it('without IndexedDB, keeps written values for the page and reports each fault; anything else reads as not stored', async () => {
  const faults: unknown[] = [];
  receiptStore.onError = (e) => faults.push(e);
  await receiptStore.set({ r1: { receiptId: 'r1', issuedAt: '2026-11-29T10:00:01.000Z', jws: 'a.b.c', status: 'pending' } });
  await receiptStore.set({ r0: { receiptId: 'r0', issuedAt: '2026-11-29T10:00:00.000Z', jws: 'd.e.f', status: 'pending' } });
  expect(await receiptStore.get('r1')).toMatchObject({ jws: 'a.b.c' });
  expect((await readReceiptLog()).map((e) => e.receiptId)).toEqual(['r0', 'r1']);
  expect(faults).toHaveLength(2);
  expect(faults[0]).toBeInstanceOf(ReferenceError);
  // A database that never opened leaves memory as the only store (storage blocked: every page has a
  // new subject), so receipts are still signed; the fault is reported. Once a database has answered,
  // a failed read rejects instead (index.test.ts: "signs nothing while the chain head cannot be read").
  expect(await receiptStore.get('head:x')).toBeUndefined();
  expect(faults).toHaveLength(3);
});
