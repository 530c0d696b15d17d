/**
 * Signed consent receipts: every decision becomes an ES256 JWS signed with this browser's device
 * key, chained per subject (`seq`, `prev`), kept in a local log and, with `config.collector`,
 * delivered through a persistent outbox. Nothing here changes consent or throws into the page.
 */
import type { ConsentPlugin } from '../core/plugin';
import type { DecisionEvent } from '../core/types';
import { receiptStore, type ReceiptLogEntry } from './log';
import { noticeHash } from './notice';
import { createOutbox } from './outbox';
import { receiptPayload, type ChainHead } from './payload';
import { loadSigner, type Signer } from './signer';
import { serial, sha256 } from './util';

export { readReceiptLog, type ReceiptLogEntry } from './log';
export { noticeDocument, noticeHash, type NoticeDocument } from './notice';
export { canonicalJson } from './util';
export { thumbprint } from './signer';
export type { ReceiptPayload } from './payload';

/** The receipts layer as a core plugin. */
export function receiptsPlugin(): ConsentPlugin {
  return (core) => {
    const { config } = core;
    const chain = serial('consentseal-chain');
    const outbox = config.collector && createOutbox(config.collector.url, core);
    let signer: Promise<Signer> | undefined;
    let warned = false;
    receiptStore.onError = (e) => core.reportError('storage', 'Receipts kept in memory only', e);

    // Serialized (in this page and, through Web Locks, across tabs) so seq/prev never fork.
    const issue = (ev: DecisionEvent) =>
      chain(async () => {
        const s = await (signer ??= loadSigner().catch((e) => ((signer = undefined), Promise.reject(e))));
        const hk = 'head:' + ev.state.subjectId;
        // The page without query or fragment: what the receipt records and what an auditor can reuse.
        const href = location.origin + location.pathname;
        const p = receiptPayload(ev, {
          receiptId: core.env.uuid(),
          issuedAt: new Date(core.env.now()).toISOString(),
          head: await receiptStore.get<ChainHead>(hk),
          policyUrl: config.policyUrl,
          language: core.language,
          noticeHash: await noticeHash(config, core.language, href),
          href,
          ephemeralKey: s.ephemeral,
        });
        const entry: ReceiptLogEntry = { receiptId: p.receiptId, issuedAt: p.issuedAt, jws: await s.sign(p), status: 'pending' };
        await receiptStore.set(hk, { seq: p.seq, hash: await sha256(entry.jws) });
        await receiptStore.set(p.receiptId, entry);
        return entry;
      }).then(
        (e) => {
          core.setReceiptId(e.receiptId);
          core.emit('receipt', { receiptId: e.receiptId, status: 'signed', jws: e.jws });
          if (outbox) outbox.add(e);
        },
        (e) => core.reportError('receipt', 'Receipt not signed', e),
      );

    const off = core.on('decision', (ev) => {
      if (globalThis.crypto?.subtle) return void issue(ev);
      if (!warned) core.reportError('crypto', 'No receipt: WebCrypto needs a secure context (https)');
      warned = true;
    });
    if (!outbox) return off;

    const ac = new AbortController();
    const opts = { signal: ac.signal };
    addEventListener('online', () => outbox.flush(true), opts);
    addEventListener('pagehide', outbox.beacon, opts);
    document.addEventListener('visibilitychange', () => document.hidden && outbox.flush(), opts);
    core.ready.then(() => outbox.flush());
    return () => {
      off();
      outbox.stop();
      ac.abort();
    };
  };
}
