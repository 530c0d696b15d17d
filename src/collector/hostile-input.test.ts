/**
 * A penetration tester's receipts: each one is signed by its own key (so the signature holds) but carries
 * something the SDK never sends. The collector must answer each with a per-receipt rejection — never store
 * it, never answer 503 for it (a client fault is not a storage fault), and never let it spoil the rest of
 * its batch — and `verify` must still pass on the store afterwards, on SQLite and on PostgreSQL alike.
 */
import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createCollector, type Collector } from './server';
import { backends, type TestBackend } from './test-backends';
import { b64url, makeDevice, next, payloadFor, payloadOf, sign, type TestDevice } from './test-receipts';
import { verifyStore } from './verify-store';
import type { ReceiptStore } from './types';

const running: Array<{ collector: Collector; store: ReceiptStore; backend: TestBackend }> = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.collector.close();
    await r.store.close();
    await r.backend.cleanup();
  }
});

async function start(backend: TestBackend) {
  const store = await backend.open();
  const collector = await createCollector({ store, adminToken: 'hostile-input-admin-token', rateLimit: false });
  running.push({ collector, store, backend });
  const url = await collector.listen(0, '127.0.0.1');
  const post = async (receipts: unknown[]) => {
    const res = await fetch(`${url}/receipts`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ receipts }) });
    return { status: res.status, body: (await res.json()) as { accepted: string[]; rejected: Array<{ index: number; reason: string }> } };
  };
  return { store, post };
}

/** A receipt signed over exactly `payload` (any JSON spelling, or raw bytes) and exactly `headerText`. */
async function signText(d: TestDevice, payload: string | Buffer, headerText = canonicalHeader(d)): Promise<string> {
  // Signed with node:crypto over the exact texts: jose would re-serialise a header object.
  const key = createPrivateKey({ key: (await crypto.subtle.exportKey('jwk', d.privateKey)) as never, format: 'jwk' });
  const input = `${b64url(headerText)}.${b64url(payload)}`;
  return `${input}.${nodeSign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

const canonicalHeader = (d: TestDevice): string => JSON.stringify({ alg: 'ES256', typ: 'consent-receipt+jws', kid: d.kid, jwk: d.jwk });

/** Hostile receipts, each for a fresh subject with its own key, with the field its rejection must name. */
const hostile: Array<[string, (d: TestDevice) => Promise<string>, RegExp]> = [
  ['a NUL byte inside page', (d) => sign(d, payloadFor(d, 1, null, { page: 'https://shop.example/a\u0000b' })), /^payload\.page: /],
  ['a NUL byte before page (the URL parser strips it)', (d) => sign(d, payloadFor(d, 1, null, { page: '\u0000https://shop.example/a' })), /^payload\.page: /],
  ['a tab inside page (the URL parser drops it)', (d) => sign(d, payloadFor(d, 1, null, { page: 'https://shop.example/a\tb' })), /^payload\.page: /],
  ['spaces around page', (d) => sign(d, payloadFor(d, 1, null, { page: ' https://shop.example/a ' })), /^payload\.page: /],
  ['a newline inside policyUrl', (d) => sign(d, payloadFor(d, 1, null, { policyUrl: 'https://shop.example/pri\nvacy' })), /^payload\.policyUrl: /],
  ['a lone surrogate in policyVersion (stored as U+FFFD, so verify would fail)', (d) => sign(d, payloadFor(d, 1, null, { policyVersion: 'v\ud800' })), /^payload\.policyVersion: /],
  ['issuedAt in year 0 (PostgreSQL cannot store it)', (d) => sign(d, payloadFor(d, 1, null, { issuedAt: '0000-01-01T00:00:00Z' })), /^payload\.issuedAt: /],
  ['issuedAt before 1970', (d) => sign(d, payloadFor(d, 1, null, { issuedAt: '1969-12-31T23:59:59Z' })), /^payload\.issuedAt: /],
  ['seq past 2^31 − 1 (PostgreSQL integer)', (d) => sign(d, payloadFor(d, 2 ** 31, 'A'.repeat(43))), /^payload\.seq: /],
  ['seq 2^53 − 1', (d) => sign(d, payloadFor(d, Number.MAX_SAFE_INTEGER, 'A'.repeat(43))), /^payload\.seq: /],
  ['a duplicate payload key (parsers disagree on which one wins)', (d) => signText(d, JSON.stringify(payloadFor(d, 1, null)).replace('"seq":1', '"seq":2,"seq":1')), /^payload: /],
  ['seq written as 1.0', (d) => signText(d, JSON.stringify(payloadFor(d, 1, null)).replace('"seq":1', '"seq":1.0')), /^payload: /],
  ['a payload with whitespace', (d) => signText(d, JSON.stringify(payloadFor(d, 1, null), null, 1)), /^payload: /],
  ['a payload with an escaped letter', (d) => signText(d, JSON.stringify(payloadFor(d, 1, null)).replace('"custom"', '"\\u0063ustom"')), /^payload: /],
  ['malformed UTF-8 in the payload (decoded as U+FFFD)', (d) => signText(d, Buffer.from(JSON.stringify(payloadFor(d, 1, null, { policyVersion: 'v\u00e9' })).replace('v\u00e9', 'v\u00ff'), 'latin1')), /^payload: /],
  ['a duplicate header member', (d) => signText(d, JSON.stringify(payloadFor(d, 1, null)), canonicalHeader(d).replace('{"alg":"ES256"', '{"alg":"none","alg":"ES256"')), /^header: /],
  ['a header padded with whitespace', (d) => signText(d, JSON.stringify(payloadFor(d, 1, null)), canonicalHeader(d).replace('{', `{${' '.repeat(5000)}`)), /^header: /],
];

describe.each(backends)('hostile receipts (%s)', (_name, makeBackend) => {
  it('rejects each one by name, stores the good receipts of the same batch, and verify still passes', async () => {
    const { store, post } = await start(makeBackend());
    const receipts: string[] = [];
    for (const [, make] of hostile) receipts.push(await make(await makeDevice()));
    const good = await makeDevice();
    receipts.push(await next(good));
    const res = await post(receipts);
    expect(res.status).toBe(200);
    expect(res.body.accepted).toEqual([payloadOf(receipts.at(-1)!).receiptId]);
    expect(res.body.rejected.map((r) => r.index)).toEqual(hostile.map((_, i) => i));
    hostile.forEach(([what, , reason], i) => expect(res.body.rejected[i]!.reason, what).toMatch(reason));
    const report = await verifyStore(store);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, receipts: 1 });
  });

  it('stores the extremes the SDK can send: seq 2^31 − 1, issuedAt at the epoch and with an offset, non-ASCII policyVersion', async () => {
    const { store, post } = await start(makeBackend());
    const a = await makeDevice();
    const b = await makeDevice();
    const receipts = [
      await sign(a, payloadFor(a, 2 ** 31 - 1, 'A'.repeat(43))),
      await sign(b, payloadFor(b, 1, null, { issuedAt: '1970-01-01T00:00:00.000Z', policyVersion: 'Datenschutz 2026 – v2 🍪' })),
      await sign(await makeDevice(), payloadFor(a, 1, null, { subjectId: crypto.randomUUID(), issuedAt: '2026-11-29T23:30:00+05:30' })),
    ];
    const res = await post(receipts);
    expect(res.body.rejected).toEqual([]);
    expect(res.body.accepted).toHaveLength(3);
    expect(await verifyStore(store)).toMatchObject({ ok: true, receipts: 3 });
  });
});
