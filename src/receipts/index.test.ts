// @vitest-environment happy-dom
import { createHash } from 'node:crypto';
import { compactVerify, EmbeddedJWK } from 'jose';
import { newPage } from './fake-locks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConsentCore } from '../core/consent';
import type { ConsentConfig, ConsentErrorEvent, ReceiptEvent } from '../core/types';
import type { DecisionStorage, StoredDecision } from '../storage/persistence';
import { dbs, faults, reset } from './fake-idb';
import { noticeHash, readReceiptLog, receiptsPlugin, type ReceiptPayload } from './index';

vi.mock('../core/idb', () => import('./fake-idb'));

const config: ConsentConfig = {
  policyVersion: '2026-11-01',
  policyUrl: '/privacy',
  controller: { name: 'Example Ltd' },
  purposes: [{ id: 'necessary', required: true }, { id: 'analytics' }, { id: 'marketing', optOutSignal: true }],
  language: 'en',
};
const collector = { url: 'https://collector.example/receipts' };

/** Decision storage in memory that survives "reloads" (new cores) within a test. */
let saved: StoredDecision | undefined;
const storage = (): DecisionStorage => ({
  readSync: () => saved,
  load: async () => saved,
  save: async (r) => void (saved = r),
  watch: () => () => {},
});

const start = (cfg: ConsentConfig = config) => {
  // Each core stands for a page load: the last page's locks are gone with it.
  newPage();
  const core = createConsentCore(cfg, { plugins: [receiptsPlugin()], storage });
  const receipts: ReceiptEvent[] = [];
  const errors: ConsentErrorEvent[] = [];
  core.on('receipt', (r) => receipts.push(r));
  core.on('error', (e) => errors.push(e));
  return { core, receipts, errors };
};
const payloadOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as ReceiptPayload;
const hashOf = (jws: string) => createHash('sha256').update(jws).digest('base64url');
const signed = (rs: ReceiptEvent[]) => rs.filter((r) => r.status === 'signed');

beforeEach(async () => {
  reset();
  localStorage.clear();
  saved = undefined;
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL('https://shop.example/cart/checkout?coupon=x#pay');
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('receiptsPlugin', () => {
  it('signs one chained, verifiable receipt per decision, even for decisions made at once', async () => {
    const { core, receipts, errors } = start();
    await core.ready;
    await Promise.all([core.rejectAll(), core.setPurposes({ analytics: true }), core.withdraw()]);
    await vi.waitFor(() => expect(signed(receipts)).toHaveLength(3));
    expect(errors).toEqual([]);

    const jwss = signed(receipts).map((r) => r.jws!);
    const payloads = jwss.map(payloadOf);
    expect(payloads.map((p) => [p.seq, p.action])).toEqual([[1, 'reject-all'], [2, 'custom'], [3, 'withdraw']]);
    expect(payloads.map((p) => p.prev)).toEqual([null, hashOf(jwss[0]!), hashOf(jwss[1]!)]);
    for (const jws of jwss) {
      const { payload, protectedHeader } = await compactVerify(jws, EmbeddedJWK, { algorithms: ['ES256'] });
      expect(protectedHeader.typ).toBe('consent-receipt+jws');
      expect(JSON.parse(new TextDecoder().decode(payload)).subjectId).toBe(core.getState().subjectId);
    }
    expect(payloads[0]).toMatchObject({
      ver: 1,
      method: 'api',
      purposes: { necessary: true, analytics: false, marketing: false },
      policyVersion: '2026-11-01',
      policyUrl: 'https://shop.example/privacy',
      language: 'en',
      page: 'https://shop.example/cart/checkout',
      gpc: false,
      ephemeralKey: false,
      noticeHash: await noticeHash(config, 'en', 'https://shop.example/cart/checkout'),
    });
    expect(Object.keys(payloads[0]!)).toEqual(['ver', 'receiptId', 'subjectId', 'seq', 'prev', 'issuedAt', 'action', 'method', 'purposes', 'policyVersion', 'policyUrl', 'language', 'noticeHash', 'page', 'gpc', 'ephemeralKey', 'sdk']);
    expect(payloads[0]!.sdk).toBe(`consentseal@${__SDK_VERSION__}`);
    expect(payloads[1]!.purposes).toEqual({ necessary: true, analytics: true, marketing: false });
    expect(payloads[2]!.purposes).toEqual({ necessary: true, analytics: false, marketing: false });
    expect(core.getState().receiptId).toBe(payloads[2]!.receiptId);
    expect((await readReceiptLog()).map((e) => [e.receiptId, e.status, e.jws])).toEqual(payloads.map((p, i) => [p.receiptId, 'pending', jwss[i]]));
    // Signed drafts are gone from localStorage.
    expect(localStorage.getItem('consentseal-unsigned')).toBeNull();
    core.destroy();
  });

  it('continues the chain with the same device key after a reload', async () => {
    const first = start();
    await first.core.acceptAll();
    await vi.waitFor(() => expect(signed(first.receipts)).toHaveLength(1));
    first.core.destroy();

    const second = start();
    await second.core.ready;
    expect(second.core.getState().status).toBe('decided');
    await second.core.rejectAll();
    await vi.waitFor(() => expect(signed(second.receipts)).toHaveLength(1));
    const [a, b] = [signed(first.receipts)[0]!.jws!, signed(second.receipts)[0]!.jws!];
    expect(payloadOf(b)).toMatchObject({ seq: 2, prev: hashOf(a), subjectId: payloadOf(a).subjectId });
    const key = async (jws: string) => (await compactVerify(jws, EmbeddedJWK)).protectedHeader.kid;
    expect(await key(b)).toBe(await key(a));
    second.core.destroy();
  });

  it('delivers receipts to the collector and keeps its acks', async () => {
    const fetchMock = vi.fn(async (_url: string, init: RequestInit) => {
      const jwss = JSON.parse(init.body as string).receipts as string[];
      const ids = jwss.map((j) => payloadOf(j).receiptId);
      return new Response(JSON.stringify({ accepted: ids, duplicate: [], rejected: [], acks: Object.fromEntries(ids.map((id) => [id, `ack-${id}`])) }));
    });
    vi.stubGlobal('fetch', fetchMock);
    const { core, receipts, errors } = start({ ...config, collector });
    await core.rejectAll();
    await vi.waitFor(() => expect(receipts.map((r) => r.status)).toEqual(['signed', 'sent']));
    const [log] = await readReceiptLog();
    expect(log).toMatchObject({ status: 'sent', ack: `ack-${log!.receiptId}`, jws: receipts[0]!.jws });
    expect(fetchMock.mock.calls[0]![0]).toBe(collector.url);
    expect(errors).toEqual([]);
    core.destroy();
  });

  it('keeps receipts when the collector is down, and sends what is unsent on pagehide', async () => {
    const fetchMock = vi.fn(async (_url: string, _init: RequestInit) => new Response('down', { status: 503 }));
    vi.stubGlobal('fetch', fetchMock);
    const { core, receipts, errors } = start({ ...config, collector });
    await core.acceptAll();
    await vi.waitFor(() => expect(receipts.map((r) => r.status)).toEqual(['signed', 'failed']));
    expect(core.getState().purposes.analytics).toBe(true);
    expect(errors.map((e) => e.code)).toEqual(['transport']);
    expect((await readReceiptLog())[0]!.status).toBe('pending');
    window.dispatchEvent(new Event('pagehide'));
    expect(fetchMock).toHaveBeenCalledTimes(2);
    expect(JSON.parse(fetchMock.mock.calls[1]![1]!.body as string).receipts).toEqual([receipts[0]!.jws]);
    core.destroy();
    window.dispatchEvent(new Event('pagehide'));
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it('without WebCrypto, decisions still work, no receipt is made, and one crypto error says why', async () => {
    const real = globalThis.crypto;
    vi.stubGlobal('crypto', { getRandomValues: <T extends ArrayBufferView>(a: T) => real.getRandomValues(a as never) });
    const { core, receipts, errors } = start();
    await core.acceptAll();
    await core.rejectAll();
    expect(core.getState()).toMatchObject({ status: 'decided', purposes: { analytics: false } });
    expect(core.getState().receiptId).toBeUndefined();
    expect(receipts).toEqual([]);
    expect(errors).toEqual([expect.objectContaining({ code: 'crypto', message: expect.stringContaining('secure context') })]);
    vi.unstubAllGlobals();
    expect(await readReceiptLog()).toEqual([]);
    core.destroy();
  });

  it('reports a signing failure without touching the decision', async () => {
    vi.spyOn(crypto.subtle, 'generateKey').mockRejectedValue(new DOMException('nope', 'OperationError'));
    const { core, receipts, errors } = start();
    const state = await core.acceptAll();
    expect(state.purposes.analytics).toBe(true);
    await vi.waitFor(() => expect(errors.map((e) => e.code)).toEqual(['receipt']));
    expect(receipts).toEqual([]);
    vi.restoreAllMocks();
    await core.rejectAll();
    await vi.waitFor(() => expect(signed(receipts)).toHaveLength(1));
    core.destroy();
  });

  it('probes the stored key at start for a returning visitor, and makes no key on a first visit', async () => {
    const generate = vi.spyOn(crypto.subtle, 'generateKey');
    const first = start();
    await first.core.ready;
    await new Promise((r) => setTimeout(r, 0)); // let anything the start queued run
    expect(generate).not.toHaveBeenCalled();
    await first.core.acceptAll();
    await vi.waitFor(() => expect(signed(first.receipts)).toHaveLength(1));
    expect(generate).toHaveBeenCalledTimes(1);
    first.core.destroy();

    const sign = vi.spyOn(crypto.subtle, 'sign');
    const next = start();
    await next.core.ready;
    await vi.waitFor(() => expect(sign).toHaveBeenCalled());
    expect(generate).toHaveBeenCalledTimes(1);
    expect(next.receipts).toEqual([]);
    next.core.destroy();
  });

  it('reports at start a returning visitor\'s key that no longer signs and cannot be replaced', async () => {
    const first = start();
    await first.core.acceptAll();
    await vi.waitFor(() => expect(signed(first.receipts)).toHaveLength(1));
    first.core.destroy();

    vi.spyOn(crypto.subtle, 'sign').mockRejectedValue(new DOMException('key gone', 'InvalidAccessError'));
    vi.spyOn(crypto.subtle, 'generateKey').mockRejectedValue(new DOMException('nope', 'OperationError'));
    const next = start();
    await vi.waitFor(() => expect(next.errors.map((e) => e.code)).toEqual(['receipt']));
    expect(next.core.getState().status).toBe('decided');
    next.core.destroy();
  });

  it('keeps writing drafts when the stored drafts are unreadable', async () => {
    for (const junk of ['{not json', '{"a":1}', '"text"', 'null']) {
      localStorage.setItem('consentseal-unsigned', junk);
      const sign = vi.spyOn(crypto.subtle, 'sign').mockReturnValue(new Promise<ArrayBuffer>(() => {}));
      const { core } = start();
      await core.acceptAll();
      await vi.waitFor(() => expect(sign).toHaveBeenCalled());
      const drafts = JSON.parse(localStorage.getItem('consentseal-unsigned')!) as ReceiptPayload[];
      expect(drafts.map((d) => d.receiptId)).toEqual([core.getState().receiptId ?? expect.any(String)]);
      expect(drafts[0]).toMatchObject({ action: 'accept-all', purposes: { analytics: true } });
      core.destroy();
      vi.restoreAllMocks();
    }
  });

  it('signs at the next start a decision whose page was left before its receipt was signed', async () => {
    // The first page is left while its signature is still being computed.
    const sign = vi.spyOn(crypto.subtle, 'sign').mockReturnValue(new Promise<ArrayBuffer>(() => {}));
    const first = start();
    await first.core.acceptAll();
    await vi.waitFor(() => expect(sign).toHaveBeenCalled());
    first.core.destroy();
    vi.restoreAllMocks();
    expect(JSON.parse(localStorage.getItem('consentseal-unsigned')!)).toHaveLength(1);

    const next = start();
    await vi.waitFor(() => expect(signed(next.receipts)).toHaveLength(1));
    const jws = signed(next.receipts)[0]!.jws!;
    await compactVerify(jws, EmbeddedJWK);
    expect(payloadOf(jws)).toMatchObject({ action: 'accept-all', method: 'api', seq: 1, prev: null, page: 'https://shop.example/cart/checkout', purposes: { analytics: true, marketing: true } });
    expect(next.core.getState().receiptId).toBe(payloadOf(jws).receiptId);
    expect((await readReceiptLog()).map((r) => r.receiptId)).toEqual([payloadOf(jws).receiptId]);
    next.core.destroy();

    // Signed once: a later start finds nothing left, and the next decision chains on.
    const third = start();
    await third.core.rejectAll();
    await vi.waitFor(() => expect(signed(third.receipts)).toHaveLength(1));
    expect(payloadOf(signed(third.receipts)[0]!.jws!)).toMatchObject({ seq: 2, prev: hashOf(jws), action: 'reject-all' });
    third.core.destroy();
  });

  it('a page closed while its receipt is being stored leaves no chain head: the next start signs it at the same seq', async () => {
    // The write that holds the receipt (keyed by its id) never commits, as when the page closes before
    // its transaction does.
    let inFlight!: () => void;
    const writing = new Promise<void>((r) => (inFlight = r));
    faults.hold = (key) => /^[0-9a-f]{8}-/.test(key) && (inFlight(), true);
    const first = start();
    await first.core.acceptAll();
    await writing;
    first.core.destroy();
    faults.hold = () => false;

    const next = start();
    await vi.waitFor(() => expect(signed(next.receipts)).toHaveLength(1));
    const jws = signed(next.receipts)[0]!.jws!;
    expect(payloadOf(jws)).toMatchObject({ seq: 1, prev: null, action: 'accept-all' });
    await next.core.rejectAll();
    await vi.waitFor(() => expect(signed(next.receipts)).toHaveLength(2));
    expect(payloadOf(signed(next.receipts)[1]!.jws!)).toMatchObject({ seq: 2, prev: hashOf(jws) });
    expect((await readReceiptLog()).map((e) => payloadOf(e.jws).seq)).toEqual([1, 2]);
    next.core.destroy();
  });

  it('takes out a draft whose receipt was already stored, without signing it again', async () => {
    const first = start();
    await first.core.acceptAll();
    await vi.waitFor(() => expect(signed(first.receipts)).toHaveLength(1));
    first.core.destroy();
    // As if that page had closed between storing the receipt and taking out its draft.
    const { receiptId } = payloadOf(signed(first.receipts)[0]!.jws!);
    localStorage.setItem('consentseal-unsigned', JSON.stringify([{ receiptId, subjectId: first.core.getState().subjectId }]));

    const next = start();
    await vi.waitFor(() => expect(localStorage.getItem('consentseal-unsigned')).toBeNull());
    expect(next.receipts).toEqual([]);
    expect(await readReceiptLog()).toHaveLength(1);
    next.core.destroy();
  });

  it('signs nothing while the chain head cannot be read, rather than restart the chain (a fork); the next start continues it', async () => {
    const first = start();
    await first.core.acceptAll();
    await vi.waitFor(() => expect(signed(first.receipts)).toHaveLength(1));
    first.core.destroy();

    faults.unreadable = (key) => key.startsWith('head:');
    const second = start();
    await second.core.rejectAll();
    await vi.waitFor(() => expect(second.errors.map((e) => e.code)).toEqual(['receipt']));
    expect(second.receipts).toEqual([]);
    expect(second.core.getState().purposes.analytics).toBe(false);
    expect(JSON.parse(localStorage.getItem('consentseal-unsigned')!)).toMatchObject([{ action: 'reject-all' }]);
    second.core.destroy();
    faults.unreadable = () => false;

    const third = start();
    await vi.waitFor(() => expect(signed(third.receipts)).toHaveLength(1));
    expect(payloadOf(signed(third.receipts)[0]!.jws!)).toMatchObject({ seq: 2, prev: hashOf(signed(first.receipts)[0]!.jws!), action: 'reject-all' });
    third.core.destroy();
  });
});
