// @vitest-environment happy-dom
// Own file: the receipt store's in-memory fallback lives for the module's lifetime, as it does for a page.
import './fake-locks';
import { compactVerify, EmbeddedJWK } from 'jose';
import { expect, it, vi } from 'vitest';
import { createConsentCore } from '../core/consent';
import type { ConsentErrorEvent, ReceiptEvent } from '../core/types';
import { faults } from './fake-idb';
import { readReceiptLog, receiptsPlugin } from './index';

vi.mock('../core/idb', () => import('./fake-idb'));

it('with IndexedDB refusing writes (private mode), receipts use an ephemeral key, stay in memory, are reported and still delivered', async () => {
  faults.set = new DOMException('The object could not be cloned.', 'DataCloneError');
  let up = false;
  const fetchMock = vi.fn(async (_url: string, init: RequestInit) => {
    if (!up) throw new TypeError('Failed to fetch');
    const ids = (JSON.parse(init.body as string).receipts as string[]).map((j) => JSON.parse(Buffer.from(j.split('.')[1]!, 'base64url').toString()).receiptId);
    return new Response(JSON.stringify({ accepted: ids, duplicate: [], rejected: [], acks: {} }));
  });
  vi.stubGlobal('fetch', fetchMock);
  const storage = () => ({ readSync: () => undefined, load: async () => undefined, save: async () => {}, watch: () => () => {} });
  const core = createConsentCore(
    { policyVersion: '1', policyUrl: 'https://shop.example/p', purposes: [{ id: 'analytics' }], collector: { url: 'https://c.example/r' } },
    { plugins: [receiptsPlugin()], storage },
  );
  const receipts: ReceiptEvent[] = [];
  const errors: ConsentErrorEvent[] = [];
  core.on('receipt', (r) => receipts.push(r));
  core.on('error', (e) => errors.push(e));

  await core.acceptAll();
  await vi.waitFor(() => expect(receipts.map((r) => r.status)).toEqual(['signed', 'failed']));
  expect(errors.map((e) => e.code)).toContain('storage');
  const { payload } = await compactVerify(receipts[0]!.jws!, EmbeddedJWK);
  expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({ seq: 1, ephemeralKey: true });
  expect((await readReceiptLog()).map((e) => e.status)).toEqual(['pending']);

  await core.rejectAll();
  await vi.waitFor(() => expect(receipts.filter((r) => r.status === 'signed')).toHaveLength(2));
  const second = JSON.parse(Buffer.from(receipts.filter((r) => r.status === 'signed')[1]!.jws!.split('.')[1]!, 'base64url').toString());
  expect(second.seq).toBe(2);

  up = true;
  window.dispatchEvent(new Event('online'));
  await vi.waitFor(async () => expect((await readReceiptLog()).map((e) => e.status)).toEqual(['sent', 'sent']));
  core.destroy();
});
