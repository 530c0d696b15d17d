/**
 * Retention: `purgeSubjects` removes whole subjects whose every receipt was issued and stored before the
 * cutoff, with their share of the counters, so the remaining store still verifies clean.
 */
import { statSync } from 'node:fs';
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

describe.each(backends)('purgeSubjects while receipts arrive (%s)', (_name, makeBackend) => {
  it('removes each subject whole or not at all, and the store verifies clean', async () => {
    const backend = makeBackend();
    const collecting = await backend.open();
    const purging = await backend.open();
    try {
      const devices = await Promise.all(Array.from({ length: 60 }, () => makeDevice()));
      const old: string[] = [];
      for (const d of devices) old.push(await next(d, { issuedAt: '2026-01-10T10:00:00Z' }), await next(d, { issuedAt: '2026-01-10T11:00:00Z' }));
      await storeAt(collecting, OLD, old);
      // Half the subjects come back while the purge runs, one receipt a request, as browsers would send them.
      const returning = devices.slice(0, 30);
      const third = await Promise.all(returning.map((d) => next(d)));
      const [purged] = await Promise.all([
        purging.purgeSubjects(CUTOFF, { chunk: 4 }),
        Promise.all(third.map((jws) => storeAt(collecting, new Date().toISOString(), [jws]))),
      ]);

      for (const [i, d] of devices.entries()) {
        const seqs = (await collecting.listReceipts({ subjectId: d.subjectId })).map((r) => r.seq).sort();
        // Purged before its new receipt (which then starts over, with a gap), or kept whole with it.
        if (i < 30) expect([[3], [1, 2, 3]]).toContainEqual(seqs);
        else expect(seqs).toEqual([]);
      }
      const keptWhole = (await Promise.all(returning.map((d) => collecting.listReceipts({ subjectId: d.subjectId })))).filter((r) => r.length === 3).length;
      expect(purged).toEqual({ subjects: 60 - keptWhole, receipts: 120 - 2 * keptWhole });
      const report = await verifyStore(collecting);
      expect(report).toMatchObject({ ok: true, receipts: 30 + 2 * keptWhole, brokenChains: 0, counterMismatches: 0, keyMismatches: 0 });
    } finally {
      await purging.close();
      await collecting.close();
      await backend.cleanup();
    }
  });
});

describe.each(backends)('reclaiming space after a purge (%s)', (name, makeBackend) => {
  it(name === 'sqlite' ? 'shrinks the SQLite file with VACUUM, and the store still verifies clean' : 'leaves PostgreSQL to autovacuum', async () => {
    const backend = makeBackend();
    const store = await backend.open();
    try {
      const old: string[] = [];
      for (let i = 0; i < 300; i++) {
        const d = await makeDevice();
        old.push(await next(d, { issuedAt: '2026-01-10T10:00:00Z' }), await next(d, { issuedAt: '2026-01-10T11:00:00Z' }));
      }
      await storeAt(store, OLD, old);
      const kept = await makeDevice();
      await storeAt(store, new Date().toISOString(), [await next(kept), await next(kept)]);
      expect(await store.purgeSubjects(CUTOFF)).toEqual({ subjects: 300, receipts: 600 });
      const space = await store.reclaimSpace();
      if (name === 'sqlite') {
        const file = backend.cliArgs[1]!;
        // 600 receipts of ~1 KB each, with their acks and index entries: the file held well over 1 MB of them.
        expect(space!.before).toBeGreaterThan(1_000_000);
        expect(space!.after).toBeLessThan(space!.before / 4);
        // Measured on disk, WAL included (checkpointed into the file and emptied).
        expect(space!.after).toBe(statSync(file).size + statSync(`${file}-wal`).size);
        expect(statSync(`${file}-wal`).size).toBe(0);
      } else {
        expect(space).toBeUndefined();
      }
      expect(await verifyStore(store)).toMatchObject({ ok: true, receipts: 2, subjects: 1, problems: [] });
      // The store goes on storing after the rewrite.
      await storeAt(store, new Date().toISOString(), [await next(kept)]);
      expect((await store.listReceipts({ subjectId: kept.subjectId })).map((r) => r.chainStatus)).toEqual(['complete', 'complete', 'complete']);
    } finally {
      await store.close();
      await backend.cleanup();
    }
  }, 60_000);
});
