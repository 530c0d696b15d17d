import Database from 'better-sqlite3';
import { compactVerify, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectorSigner, generateCollectorKey, type CollectorSigner } from './ack';
import { verifyReceiptJws } from './jws';
import { openSqliteStore } from './sqlite-store';
import { backends, sqliteBackend, type TestBackend } from './test-backends';
import { inspectChain } from './dashboard/inspect';
import { hashJws, makeDevice, next, payloadFor, payloadOf, sign, twinOf, type TestDevice } from './test-receipts';
import type { InsertOutcome, ReceiptStore, VerifiedReceipt } from './types';
import { verifyStore } from './verify-store';

const verified = (jws: string): VerifiedReceipt => {
  const r = verifyReceiptJws(jws);
  if (!r.ok) throw new Error(r.reason);
  return r.receipt;
};

describe.each(backends)('%s store', (_name, makeBackend) => {
  let backend: TestBackend;
  let store: ReceiptStore;
  let signer: CollectorSigner;
  const put = (...jws: string[]): Promise<InsertOutcome[]> => store.insertBatch(jws.map(verified), signer.signAck);
  const statuses = (o: InsertOutcome[]) => o.map((x) => (x.status === 'rejected' ? x.reason : x.status));
  const chainOf = async (d: TestDevice) => (await store.listReceipts({ subjectId: d.subjectId })).sort((a, b) => a.seq - b.seq).map((r) => [r.seq, r.chainStatus]);

  beforeAll(async () => {
    backend = makeBackend();
    store = await backend.open();
    signer = collectorSigner(await store.collectorKey(generateCollectorKey));
  });
  afterAll(async () => {
    await store?.close();
    await backend?.cleanup();
  });

  it('stores a chain with the exact JWS, parsed fields and a countersignature that jose verifies', async () => {
    const d = await makeDevice();
    const a = await next(d, { action: 'accept-all', purposes: { necessary: true, analytics: true } });
    const b = await next(d, { action: 'withdraw', method: 'api', purposes: { necessary: true, analytics: false }, gpc: true });
    const out = await put(a, b);
    expect(statuses(out)).toEqual(['accepted', 'accepted']);
    const rows = (await store.listReceipts({ subjectId: d.subjectId })).sort((x, y) => x.seq - y.seq);
    expect(rows.map((r) => r.jws)).toEqual([a, b]);
    const second = rows[1]!;
    expect(second).toMatchObject({
      receiptId: payloadOf(b).receiptId, subjectId: d.subjectId, seq: 2, prev: hashJws(a), jwsHash: hashJws(b),
      action: 'withdraw', method: 'api', purposes: { necessary: true, analytics: false }, gpc: true, ephemeralKey: false,
      policyVersion: '2026-11-01', language: 'en', page: 'https://shop.example/checkout', kid: d.kid, chainStatus: 'complete',
    });
    expect(Date.parse(second.storedAt)).toBeGreaterThan(Date.now() - 60_000);
    const ack = out[1]!.status === 'accepted' ? out[1]!.ack : '';
    expect(second.ack).toBe(ack);
    const { payload, protectedHeader } = await compactVerify(ack, await importJWK(signer.publicJwk, 'ES256'));
    expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'consent-ack+jws', kid: signer.kid });
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({ receiptId: second.receiptId, receiptHash: hashJws(b), storedAt: second.storedAt });
  });

  it('answers duplicate (with the original ack) for the same JWS and rejects a reused receiptId', async () => {
    const d = await makeDevice();
    const a = await next(d);
    const [first] = await put(a);
    const again = await put(a);
    expect(again).toEqual([{ status: 'duplicate', receiptId: payloadOf(a).receiptId, ack: first!.status === 'accepted' ? first!.ack : 'x' }]);
    const sameId = await sign(d, { ...payloadOf(a), action: 'reject-all' });
    expect(statuses(await put(sameId))).toEqual(['receiptId: already used by a different receipt']);
    // twice in one batch: stored once
    const e = await makeDevice();
    const x = await next(e);
    expect(statuses(await put(x, x))).toEqual(['accepted', 'duplicate']);
  });

  it('binds a subject to its first key and rejects another key later', async () => {
    const d = await makeDevice();
    await put(await next(d));
    const thief = await makeDevice(d.subjectId);
    thief.seq = d.seq;
    thief.last = d.last;
    expect(statuses(await put(await next(thief)))).toEqual(['subjectId: bound to a different key']);
  });

  it('rejects a conflicting receipt for the same subject and seq', async () => {
    const d = await makeDevice();
    const first = await next(d);
    await put(first);
    const rival = await sign(d, payloadFor(d, 1, null, { action: 'reject-all' }));
    expect(statuses(await put(rival))).toEqual(['seq: subject already has a different receipt with seq 1']);
  });

  it('rejects a prev that does not match the stored predecessor or successor', async () => {
    const d = await makeDevice();
    const r1 = await next(d);
    const r2 = await next(d);
    const r3 = await next(d);
    await put(r1, r3);
    const wrongPrev = await sign(d, payloadFor(d, 2, hashJws('not r1')));
    expect(statuses(await put(wrongPrev))).toEqual(['prev: does not match the hash of stored receipt seq 1']);
    const d2 = await makeDevice();
    const s1 = await next(d2);
    const s2 = await next(d2);
    const s3 = await next(d2);
    await put(s3);
    // A seq 2 that s3 does not point to.
    const other2 = await sign(d2, payloadFor(d2, 2, hashJws(s1), { action: 'reject-all' }));
    expect(statuses(await put(other2))).toEqual(['seq: stored receipt seq 3 links to a different receipt']);
    expect(statuses(await put(s1, s2))).toEqual(['accepted', 'accepted']);
    expect(statuses(await put(r2))).toEqual(['accepted']);
  });

  it('keeps a chain complete when a script posted a receipt\'s signature twin before the SDK posted the receipt', async () => {
    const d = await makeDevice();
    const [r1, r2, r3] = [await next(d), await next(d), await next(d)];
    const t1 = twinOf(r1);
    const [stored] = await put(t1);
    expect(stored).toMatchObject({ status: 'accepted', chainStatus: 'complete' });
    // The genuine receipt is the same signed statement: a duplicate, answered with the ack of what is stored.
    expect(await put(r1)).toEqual([{ status: 'duplicate', receiptId: payloadOf(r1).receiptId, ack: stored!.status === 'accepted' ? stored!.ack : '' }]);
    // The SDK's next receipts link to the JWS it signed (r1), not to the stored twin.
    expect(payloadOf(r2).prev).toBe(hashJws(r1));
    expect(await put(r2)).toMatchObject([{ status: 'accepted', chainStatus: 'complete' }]);
    expect(await put(r3)).toMatchObject([{ status: 'accepted', chainStatus: 'complete' }]);
    expect(await chainOf(d)).toEqual([[1, 'complete'], [2, 'complete'], [3, 'complete']]);
    expect((await store.listReceipts({ subjectId: d.subjectId })).find((r) => r.seq === 1)!.jws).toBe(t1);
    const report = await verifyStore(store);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    // The console's subject page agrees.
    const rows = await store.subjectReceipts(d.subjectId);
    expect(inspectChain(rows, signer).map((x) => x.chain)).toEqual(rows.map(() => ({ ok: true, problems: [], gap: false })));
  });

  it('links twins out of order and within one batch, in both directions', async () => {
    // A successor stored first; the twin of its predecessor fills the gap below it.
    const a = await makeDevice();
    const [a1, a2, a3] = [await next(a), await next(a), await next(a)];
    expect(await put(a3!, a2!)).toMatchObject([{ chainStatus: 'incomplete' }, { chainStatus: 'incomplete' }]);
    expect(await put(twinOf(a1!))).toMatchObject([{ status: 'accepted', chainStatus: 'complete' }]);
    expect(await chainOf(a)).toEqual([[1, 'complete'], [2, 'complete'], [3, 'complete']]);
    // A middle receipt's twin, between a stored predecessor and a stored successor.
    const b = await makeDevice();
    const [b1, b2, b3] = [await next(b), await next(b), await next(b)];
    await put(b1!, b3!);
    expect(await put(twinOf(b2!))).toMatchObject([{ status: 'accepted', chainStatus: 'complete' }]);
    expect(await chainOf(b)).toEqual([[1, 'complete'], [2, 'complete'], [3, 'complete']]);
    // Twin and successors in one batch; then the genuine ones, each a duplicate.
    const c = await makeDevice();
    const [c1, c2, c3] = [await next(c), await next(c), await next(c)];
    expect(statuses(await put(twinOf(c1!), c2!, twinOf(c3!)))).toEqual(['accepted', 'accepted', 'accepted']);
    expect(statuses(await put(c1!, c3!, twinOf(c2!)))).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(await chainOf(c)).toEqual([[1, 'complete'], [2, 'complete'], [3, 'complete']]);
    const report = await verifyStore(store);
    expect(report.problems).toEqual([]);
    expect(report.incompleteChains).toBe(0);
  });

  it('still refuses a link that matches neither the stored receipt nor its twin', async () => {
    const d = await makeDevice();
    const r1 = await next(d);
    // ECDSA signs with a fresh nonce: the same payload signed again is a third valid JWS, neither r1 nor its twin.
    const resigned = await sign(d, payloadOf(r1));
    expect([r1, twinOf(r1)]).not.toContain(resigned);
    await put(twinOf(r1));
    const r2 = await sign(d, payloadFor(d, 2, hashJws(resigned)));
    expect(statuses(await put(r2))).toEqual(['prev: does not match the hash of stored receipt seq 1']);
    expect(statuses(await put(resigned))).toEqual(['receiptId: already used by a different receipt']);
    // The other direction: a stored seq 2 names r1; a re-signed r1 (not its twin) cannot fill the gap.
    const e = await makeDevice();
    const [e1, e2] = [await next(e), await next(e)];
    await put(e2!);
    expect(statuses(await put(await sign(e, payloadOf(e1!))))).toEqual(['seq: stored receipt seq 2 links to a different receipt']);
    expect(await chainOf(e)).toEqual([[2, 'incomplete']]);
    expect(statuses(await put(e1!))).toEqual(['accepted']);
    expect(await chainOf(e)).toEqual([[1, 'complete'], [2, 'complete']]);
  });

  it('marks a chain with a gap incomplete and completes it when the gap fills', async () => {
    const d = await makeDevice();
    const [r1, r2, r3, r4] = [await next(d), await next(d), await next(d), await next(d)];
    const before = await store.countIncomplete();
    await put(r1);
    expect(await put(r3, r4)).toMatchObject([{ chainStatus: 'incomplete' }, { chainStatus: 'incomplete' }]);
    expect(await chainOf(d)).toEqual([[1, 'complete'], [3, 'incomplete'], [4, 'incomplete']]);
    expect(await store.countIncomplete()).toBe(before + 2);
    expect(await put(r2!)).toMatchObject([{ status: 'accepted', chainStatus: 'complete' }]);
    expect(await chainOf(d)).toEqual([[1, 'complete'], [2, 'complete'], [3, 'complete'], [4, 'complete']]);
    expect(await store.countIncomplete()).toBe(before);
  });

  it('completes a chain that arrived backwards, only once seq 1 is there', async () => {
    const d = await makeDevice();
    const [r1, r2, r3] = [await next(d), await next(d), await next(d)];
    await put(r3!);
    await put(r2!);
    expect(await chainOf(d)).toEqual([[2, 'incomplete'], [3, 'incomplete']]);
    await put(r1!);
    expect(await chainOf(d)).toEqual([[1, 'complete'], [2, 'complete'], [3, 'complete']]);
  });

  it('fills a gap within one batch and completes the stored successors beyond it', async () => {
    const d = await makeDevice();
    const [r1, r2, r3, r4, r5] = [await next(d), await next(d), await next(d), await next(d), await next(d)];
    await put(r1!, r4!, r5!);
    expect(statuses(await put(r3!, r2!))).toEqual(['accepted', 'accepted']);
    expect(await chainOf(d)).toEqual([[1, 'complete'], [2, 'complete'], [3, 'complete'], [4, 'complete'], [5, 'complete']]);
  });

  it('keeps each subject consistent under concurrent batches', async () => {
    const devices = await Promise.all(Array.from({ length: 8 }, () => makeDevice()));
    const chains = await Promise.all(devices.map(async (d) => [await next(d), await next(d), await next(d), await next(d)]));
    // Every receipt in its own concurrent batch, plus each chain's seq 3 twice.
    const all = chains.flatMap((c) => [...c, c[2]!]);
    const outcomes = (await Promise.all(all.map((j) => put(j)))).flat();
    expect(outcomes.filter((o) => o.status === 'accepted')).toHaveLength(32);
    expect(outcomes.filter((o) => o.status === 'duplicate')).toHaveLength(8);
    for (const d of devices) expect(await chainOf(d)).toEqual([[1, 'complete'], [2, 'complete'], [3, 'complete'], [4, 'complete']]);
  });

  it('stays consistent with two collectors writing to one database', async () => {
    const second = await backend.open();
    try {
      const devices = await Promise.all(Array.from({ length: 6 }, () => makeDevice()));
      const chains = await Promise.all(devices.map(async (d) => [await next(d), await next(d), await next(d)]));
      const all = chains.flat();
      // Both collectors get every receipt, in opposite orders, at the same time.
      const [a, b] = await Promise.all([
        Promise.all(all.map((j) => put(j))),
        Promise.all([...all].reverse().map((j) => second.insertBatch([verified(j)], signer.signAck))),
      ]);
      const outcomes = [...a.flat(), ...b.flat()];
      expect(outcomes.filter((o) => o.status === 'accepted')).toHaveLength(all.length);
      expect(outcomes.filter((o) => o.status === 'duplicate')).toHaveLength(all.length);
      for (const d of devices) expect(await chainOf(d)).toEqual([[1, 'complete'], [2, 'complete'], [3, 'complete']]);
    } finally {
      await second.close();
    }
  });

  it('keeps daily counters per day, policy version, language, action, gpc and purpose', async () => {
    const version = `stats-${Math.random().toString(36).slice(2)}`;
    const day = (iso: string) => ({ issuedAt: iso, policyVersion: version });
    const d1 = await makeDevice();
    const d2 = await makeDevice();
    const d3 = await makeDevice();
    await put(
      await next(d1, { ...day('2026-11-01T10:00:00Z'), action: 'accept-all', purposes: { analytics: true, marketing: true } }),
      await next(d1, { ...day('2026-11-01T23:59:59+00:00'), action: 'withdraw', purposes: { analytics: false, marketing: false } }),
      await next(d2, { ...day('2026-11-02T00:30:00+02:00'), action: 'reject-all', gpc: true, language: 'zh-CN', purposes: { analytics: false, marketing: false } }),
      await next(d3, { ...day('2026-11-02T08:00:00Z'), action: 'custom', purposes: { analytics: true, marketing: false } }),
    );
    const c = await store.counters({ policyVersion: version });
    const daily = c.daily.map((r) => [r.day, r.language, r.action, r.gpc, r.n]).sort();
    // 00:30+02:00 is 22:30Z on the 1st: days are UTC.
    expect(daily).toEqual([
      ['2026-11-01', 'en', 'accept-all', false, 1],
      ['2026-11-01', 'en', 'withdraw', false, 1],
      ['2026-11-01', 'zh-CN', 'reject-all', true, 1],
      ['2026-11-02', 'en', 'custom', false, 1],
    ]);
    const purposes = c.purposes.map((r) => [r.day, r.purpose, r.granted, r.n]).sort();
    expect(purposes).toEqual([
      ['2026-11-01', 'analytics', false, 2],
      ['2026-11-01', 'analytics', true, 1],
      ['2026-11-01', 'marketing', false, 2],
      ['2026-11-01', 'marketing', true, 1],
      ['2026-11-02', 'analytics', true, 1],
      ['2026-11-02', 'marketing', false, 1],
    ]);
    const only2nd = await store.counters({ policyVersion: version, from: '2026-11-02', to: '2026-11-02' });
    expect(only2nd.daily.map((r) => r.n)).toEqual([1]);
    // a duplicate or a rejection does not count
    const dupe = (await store.listReceipts({ subjectId: d3.subjectId }))[0]!.jws;
    await put(dupe);
    expect((await store.counters({ policyVersion: version })).daily.reduce((s, r) => s + r.n, 0)).toBe(4);
  });

  it('lists and exports by subject and issuedAt range, page by page', async () => {
    const d = await makeDevice();
    const version = `export-${Math.random().toString(36).slice(2)}`;
    const batch: string[] = [];
    for (let i = 0; i < 3; i++) batch.push(await next(d, { issuedAt: `2025-0${i + 1}-15T12:00:00Z`, policyVersion: version }));
    await put(...batch);
    const bySubject = await store.listReceipts({ subjectId: d.subjectId });
    expect(bySubject.map((r) => r.seq)).toEqual([1, 2, 3]); // distinct issuedAt: ordered by time
    const range = await store.listReceipts({ subjectId: d.subjectId, from: '2025-02-01T00:00:00.000Z', to: '2025-03-15T12:00:00.000Z' });
    expect(range.map((r) => r.seq)).toEqual([2]);
    // more than one export page (1,000 rows)
    const many: string[] = [];
    const ds = await Promise.all(Array.from({ length: 60 }, () => makeDevice()));
    for (const x of ds) for (let i = 0; i < 17; i++) many.push(await next(x, { issuedAt: '2025-06-01T00:00:00.000Z' }));
    for (let i = 0; i < many.length; i += 100) await put(...many.slice(i, i + 100));
    const exported: string[] = [];
    for await (const r of store.exportReceipts({ from: '2025-06-01T00:00:00.000Z', to: '2025-06-01T00:00:00.001Z' })) exported.push(r.jws);
    expect(exported).toHaveLength(1020);
    expect(new Set(exported)).toEqual(new Set(many));
  });

  it('verifyStore fails a store without its collector key, even one holding no receipts', async () => {
    const other = makeBackend();
    const empty = await other.open();
    try {
      const report = await verifyStore(empty);
      expect(report.problems).toEqual(['collector key: the store has no collector key']);
      expect(report.ok).toBe(false);
    } finally {
      await empty.close();
      await other.cleanup();
    }
  });

  it('keeps its collector key across reopening', async () => {
    const again = await backend.open();
    try {
      const key = await again.collectorKey(() => {
        throw new Error('must not generate a second key');
      });
      expect(collectorSigner(key).kid).toBe(signer.kid);
    } finally {
      await again.close();
    }
  });

  it('verifyStore passes on the store as written, then finds each kind of tampering', async () => {
    let report = await verifyStore(store);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.receipts).toBeGreaterThan(1000);

    const d = await makeDevice();
    const [r1, r2, r3] = [await next(d), await next(d), await next(d)];
    await put(r1!, r2!, r3!);
    const id = (j: string) => payloadOf(j).receiptId;

    await backend.sql(`UPDATE receipts SET purposes = ? WHERE receipt_id = ?`, JSON.stringify({ necessary: true, analytics: false, marketing: true }), id(r2!));
    report = await verifyStore(store);
    expect(report.ok).toBe(false);
    expect(report.fieldMismatches).toBe(1);
    expect(report.problems.join('\n')).toContain(`${id(r2!)}: stored purposes differ from the signed receipt`);
    await backend.sql(`UPDATE receipts SET purposes = ? WHERE receipt_id = ?`, JSON.stringify(payloadOf(r2!).purposes), id(r2!));
    expect((await verifyStore(store)).ok).toBe(true);

    const forged = r3!.split('.');
    forged[1] = Buffer.from(JSON.stringify({ ...payloadOf(r3!), action: 'accept-all' })).toString('base64url');
    await backend.sql('UPDATE receipts SET jws = ? WHERE receipt_id = ?', forged.join('.'), id(r3!));
    report = await verifyStore(store);
    expect(report.badSignatures).toBe(1);
    expect(report.ok).toBe(false);
    await backend.sql('UPDATE receipts SET jws = ? WHERE receipt_id = ?', r3, id(r3!));

    // A stored predecessor swapped for its signature twin (as a script could have posted it) still links;
    // swapped for another signature of the same payload, it does not (the ack no longer matches either way).
    const setJws = (jws: string, receiptId: string) => backend.sql('UPDATE receipts SET jws = ?, jws_hash = ? WHERE receipt_id = ?', jws, hashJws(jws), receiptId);
    await setJws(twinOf(r1!), id(r1!));
    report = await verifyStore(store);
    expect([report.brokenChains, report.badAcks, report.badSignatures, report.fieldMismatches]).toEqual([0, 1, 0, 0]);
    await setJws(await sign(d, payloadOf(r1!)), id(r1!));
    report = await verifyStore(store);
    expect([report.brokenChains, report.badAcks, report.badSignatures, report.fieldMismatches]).toEqual([1, 1, 0, 0]);
    expect(report.problems).toContain(`${id(r2!)}: prev does not match the hash of receipt seq 1`);
    await setJws(r1!, id(r1!));
    expect((await verifyStore(store)).ok).toBe(true);

    await backend.sql('DELETE FROM receipts WHERE receipt_id = ?', id(r2!));
    report = await verifyStore(store);
    expect(report.brokenChains).toBe(1);
    expect(report.counterMismatches).toBeGreaterThan(0);
    expect(report.ok).toBe(false);
  });
});

describe('SQLite store modes', () => {
  /**
   * Runs `test` with a SQLite store, a signer, a device and a second connection to the same file
   * holding the write lock (`BEGIN IMMEDIATE`); closes all of it afterwards.
   */
  async function withWriteLockHeld(test: (t: { store: ReceiptStore; other: Database.Database; signAck: CollectorSigner['signAck']; d: TestDevice }) => Promise<void>) {
    const backend = sqliteBackend();
    const store = await backend.open();
    const other = new Database(backend.cliArgs[1]!);
    try {
      const { signAck } = collectorSigner(await store.collectorKey(generateCollectorKey));
      const d = await makeDevice();
      other.prepare('BEGIN IMMEDIATE').run();
      await test({ store, other, signAck, d });
    } finally {
      other.close();
      await store.close();
      await backend.cleanup();
    }
  }

  it('waits for another connection\'s write lock without blocking the event loop, then stores and answers the batch', () =>
    withWriteLockHeld(async ({ store, other, signAck, d }) => {
      const jws = await next(d);
      let answered = false;
      const pending = store.insertBatch([verified(jws)], signAck).then((o) => ((answered = true), o));
      // SQLite's own busy handler would sleep on the event loop (up to the 5 s timeout); timers on time prove it does not.
      const t0 = Date.now();
      for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 5));
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(answered).toBe(false);
      other.prepare('COMMIT').run();
      expect(await pending).toMatchObject([{ status: 'accepted' }]);
      expect((await store.listReceipts({ subjectId: d.subjectId })).map((r) => r.jws)).toEqual([jws]);
    }));

  it('fails a batch with the busy error when another connection keeps the write lock for over 5 s', () =>
    withWriteLockHeld(async ({ store, other, signAck, d }) => {
      const started = Date.now();
      await expect(store.insertBatch([verified(await next(d))], signAck)).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(5000);
      other.prepare('ROLLBACK').run();
      expect(await store.listReceipts({ subjectId: d.subjectId })).toEqual([]);
    }), 15_000);

  it('works with synchronous NORMAL on a file and in memory (no WAL), keeping what it accepted', async () => {
    const backend = sqliteBackend();
    try {
      for (const open of [() => openSqliteStore(backend.cliArgs[1]!, { synchronous: 'NORMAL' }), () => openSqliteStore(':memory:')]) {
        const store = open();
        const signer = collectorSigner(await store.collectorKey(generateCollectorKey));
        const d = await makeDevice();
        const jws = await next(d);
        expect(await store.insertBatch([verified(jws)], signer.signAck)).toMatchObject([{ status: 'accepted' }]);
        expect((await store.listReceipts({ subjectId: d.subjectId })).map((r) => r.jws)).toEqual([jws]);
        await store.close();
      }
      const reopened = await backend.open();
      expect(await reopened.listReceipts({})).toHaveLength(1);
      await reopened.close();
    } finally {
      await backend.cleanup();
    }
  });
});
