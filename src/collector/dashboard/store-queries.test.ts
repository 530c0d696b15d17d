import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectorSigner, generateCollectorKey, type CollectorSigner } from '../ack';
import { verifyReceiptJws } from '../jws';
import { backends, type TestBackend } from '../test-backends';
import { makeDevice, next, payloadOf } from '../test-receipts';
import type { ReceiptStore, VerifiedReceipt } from '../types';

const verified = (jws: string): VerifiedReceipt => {
  const r = verifyReceiptJws(jws);
  if (!r.ok) throw new Error(r.reason);
  return r.receipt;
};

// The queries the audit console added to the store: a subject's chain in seq order, and lookup by receipt id.
describe.each(backends)('%s store queries used by the audit console', (_name, makeBackend) => {
  let backend: TestBackend;
  let store: ReceiptStore;
  let signer: CollectorSigner;

  beforeAll(async () => {
    backend = makeBackend();
    store = await backend.open();
    signer = collectorSigner(await store.collectorKey(generateCollectorKey));
  });
  afterAll(async () => {
    await store?.close();
    await backend?.cleanup();
  });

  it("lists a subject's receipts in seq order with its bound key, page by page", async () => {
    const d = await makeDevice();
    const other = await makeDevice();
    // Issued in reverse time order, so seq order and issuedAt order differ.
    const jws: string[] = [];
    for (let i = 0; i < 5; i++) jws.push(await next(d, { issuedAt: new Date(Date.UTC(2026, 10, 20 - i)).toISOString() }));
    await store.insertBatch([...jws, await next(other)].map(verified), signer.signAck);
    const all = await store.subjectReceipts(d.subjectId);
    expect(all.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(all.map((r) => r.jws)).toEqual(jws);
    expect(all.every((r) => r.boundKid === d.kid && r.subjectId === d.subjectId)).toBe(true);
    expect((await store.subjectReceipts(d.subjectId, { afterSeq: 2, limit: 2 })).map((r) => r.seq)).toEqual([3, 4]);
    expect(await store.subjectReceipts('00000000-0000-4000-8000-000000000000')).toEqual([]);
  });

  it('finds one receipt by id, alone or combined with other filters', async () => {
    const d = await makeDevice();
    const a = await next(d);
    const b = await next(d);
    await store.insertBatch([a, b].map(verified), signer.signAck);
    const id = payloadOf(b).receiptId;
    const hit = await store.listReceipts({ receiptId: id });
    expect(hit.map((r) => r.jws)).toEqual([b]);
    expect(await store.listReceipts({ receiptId: id, subjectId: d.subjectId })).toHaveLength(1);
    expect(await store.listReceipts({ receiptId: id, to: '2000-01-01T00:00:00.000Z' })).toEqual([]);
    expect(await store.listReceipts({ receiptId: '00000000-0000-4000-8000-000000000000' })).toEqual([]);
  });
});
