/**
 * Signed consent receipts: every decision becomes an ES256 JWS signed with this browser's device
 * key, chained per subject (`seq`, `prev`), kept in a local log and, with `config.collector`,
 * delivered through a persistent outbox. Nothing here changes consent or throws into the page.
 */
import type { ConsentPlugin } from '../core/plugin';
import type { ReceiptPayload } from '../core/types';
export type { ReceiptPayload };
import { receiptStore, type ReceiptLogEntry } from './log';
import { noticeHash } from './notice';
import { createOutbox } from './outbox';
import { loadSigner } from './signer';
import { serial, sha256 } from './util';

export { readReceiptLog, type ReceiptLogEntry } from './log';
export { noticeDocument, noticeHash, type NoticeDocument } from './notice';
export { canonicalJson } from './util';
export { thumbprint } from './signer';

/** A subject's chain head: the last receipt's `seq` and the base64url SHA-256 of its JWS. */
interface ChainHead {
  seq: number;
  hash: string;
}

/** The receipts layer as a core plugin. */
export function receiptsPlugin(): ConsentPlugin {
  return (core) => {
    const { config, env, language } = core;
    const chain = serial('consentseal-chain');
    const outbox = config.collector && createOutbox(config.collector.url, core);
    let signer: ReturnType<typeof loadSigner> | undefined;
    let warned = 0;
    receiptStore.onError = (e) => core.reportError('storage', 'Receipts kept in memory only', e);

    /**
     * A decision waiting for its receipt, written synchronously to localStorage so a navigation in
     * the milliseconds before the signature (the first one makes the key) cannot lose the receipt:
     * the next start signs what is left.
     */
    type Draft = Omit<ReceiptPayload, 'ver' | 'seq' | 'prev' | 'issuedAt' | 'noticeHash' | 'sdk' | 'ephemeralKey'>;
    const UNSIGNED = 'consentseal-unsigned';
    const drafts = (): Draft[] => {
      try {
        return JSON.parse(localStorage.getItem(UNSIGNED) ?? '[]') as Draft[];
      } catch {
        return [];
      }
    };
    const keep = (list: Draft[]) => {
      try {
        if (list.length) localStorage.setItem(UNSIGNED, JSON.stringify(list));
        else localStorage.removeItem(UNSIGNED);
      } catch {
        // No localStorage (blocked, private mode): this page's receipts are still signed.
      }
    };

    const issue = (d: Draft) =>
      // Serialized (in this page and, through Web Locks, across tabs) so seq/prev never fork.
      chain(async () => {
        if (await receiptStore.get(d.receiptId)) return;
        const [sign, ephemeralKey] = await (signer ??= loadSigner().catch((e) => ((signer = undefined), Promise.reject(e))));
        const hk = 'head:' + d.subjectId;
        const head = await receiptStore.get<ChainHead>(hk);
        const p: ReceiptPayload = {
          ver: 1,
          receiptId: d.receiptId,
          subjectId: d.subjectId,
          seq: (head?.seq ?? 0) + 1,
          prev: head?.hash ?? null,
          issuedAt: new Date(env.now()).toISOString(),
          action: d.action,
          method: d.method,
          purposes: d.purposes,
          policyVersion: d.policyVersion,
          policyUrl: d.policyUrl,
          language: d.language,
          noticeHash: await noticeHash(config, d.language, d.page),
          page: d.page,
          gpc: d.gpc,
          ephemeralKey,
          sdk: 'consentseal@' + __SDK_VERSION__,
        };
        const e: ReceiptLogEntry = { receiptId: p.receiptId, issuedAt: p.issuedAt, jws: await sign(p), status: 'pending' };
        await receiptStore.set(hk, { seq: p.seq, hash: await sha256(e.jws) });
        await receiptStore.set(p.receiptId, e);
        keep(drafts().filter((x) => x.receiptId != d.receiptId));
        if (core.getState().subjectId == d.subjectId) core.setReceiptId(p.receiptId);
        core.emit('receipt', { receiptId: p.receiptId, status: 'signed', jws: e.jws });
      }).catch((e) => core.reportError('receipt', 'Receipt not signed', e));

    const off = core.on('decision', ({ state, action, method, gpc }) => {
      if (!globalThis.crypto?.subtle) return void (warned++ || core.reportError('crypto', 'No receipt: WebCrypto needs a secure context (https)'));
      // The page without query or fragment: what the receipt records and what an auditor can reuse.
      const page = location.origin + location.pathname;
      const d: Draft = {
        receiptId: env.uuid(),
        subjectId: state.subjectId,
        action,
        method,
        purposes: state.purposes,
        policyVersion: state.policyVersion,
        policyUrl: new URL(config.policyUrl, page).href,
        language,
        page,
        gpc,
      };
      keep([...drafts(), d]);
      issue(d);
    });
    // Decisions an earlier page made but left before signing.
    if (globalThis.crypto?.subtle) drafts().forEach(issue);
    return () => {
      off();
      outbox && outbox.stop();
    };
  };
}
