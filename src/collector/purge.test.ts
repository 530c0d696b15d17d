/**
 * Retention: `purgeSubjects` removes whole subjects whose every receipt was issued and stored before the
 * cutoff, with their share of the counters, so the remaining store still verifies clean.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, storeAt, type TestBackend } from './test-backends';
import { makeDevice, next } from './test-receipts';
import type { ReceiptStore } from './types';
import { verifyStore } from './verify-store';

const OLD = '2026-01-10T12:00:00.000Z';
const CUTOFF = '2026-06-01T00:00:00.000Z';

describe.each(backends)('purgeSubjects (%s)', (_name, makeBackend) => {
  let backend: TestBackend;
  let store: ReceiptStore;
  beforeAll(async () => {
    backend = makeBackend();
    store = await backend.open();
  });
  afterAll(async () => {
    await store?.close();
    await backend?.cleanup();
  });

  it('deletes whole inactive subjects with their counts, keeps any subject with a recent receipt, and leaves verify clean', async () => {
    const [oldA, oldB, mixed, lateStored, fresh] = await Promise.all(Array.from({ length: 5 }, () => makeDevice()));
    const oldDay = { issuedAt: '2026-01-10T10:00:00Z' };
    await storeAt(store, OLD, [
      await next(oldA!, { ...oldDay, policyVersion: 'only-old' }),
      await next(oldA!, { issuedAt: '2026-01-10T11:00:00Z', policyVersion: 'only-old', action: 'withdraw' }),
      await next(oldB!, oldDay),
      await next(mixed!, oldDay),
    ]);
    // Now (after the cutoff): the mixed subject's next receipt, an old receipt delivered late, a new subject.
    await storeAt(store, new Date().toISOString(), [await next(mixed!), await next(lateStored!, oldDay), await next(fresh!)]);
    expect((await verifyStore(store)).ok).toBe(true);

    expect(await store.purgeSubjects(CUTOFF, { chunk: 1 })).toEqual({ subjects: 2, receipts: 3 });

    const left = await store.listReceipts({});
    expect(new Set(left.map((r) => r.subjectId))).toEqual(new Set([mixed!.subjectId, lateStored!.subjectId, fresh!.subjectId]));
    expect(left).toHaveLength(4);
    const report = await verifyStore(store);
    expect(report).toMatchObject({ ok: true, receipts: 4, subjects: 3, counterMismatches: 0, brokenChains: 0, incompleteChains: 0, problems: [] });
    // Counters: rows only the purged receipts made are gone, shared ones counted down.
    const counters = await store.counters({ from: '2026-01-10', to: '2026-01-10' });
    expect(counters.daily.map((r) => [r.policyVersion, r.action, r.n])).toEqual([['2026-11-01', 'custom', 2]]);
    expect(counters.purposes.every((r) => r.policyVersion === '2026-11-01' && r.n === 2)).toBe(true);
    expect((await store.counters({ policyVersion: 'only-old' })).daily).toEqual([]);

    expect(await store.purgeSubjects(CUTOFF)).toEqual({ subjects: 0, receipts: 0 });
  });
});
