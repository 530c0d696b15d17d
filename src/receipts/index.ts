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

/**
 * Where decisions wait for their receipt: written synchronously, so a navigation in the milliseconds
 * before the signature (the first one makes the key) cannot lose a receipt; the next start signs what is left.
 */
const UNSIGNED = 'consentseal-unsigned';

/**
 * A decision still to sign: the payload in its members' order, those set at signing empty. The last
 * two (`ephemeralKey`, `sdk`) are the signer's to add, where they land last as the contract orders them.
 */
type Draft = Omit<ReceiptPayload, 'ephemeralKey' | 'sdk'>;

/** The receipts layer as a core plugin. */
export function receiptsPlugin(): ConsentPlugin {
  return (core) => {
    // Without WebCrypto (an insecure origin) no receipt is made; the first decision says why, once.
    if (!crypto.subtle) {
      const off = core.on('decision', () => (off(), core.reportError('crypto', 'Receipts need a secure context (https)')));
      return off;
    }
    const { config, env } = core;
    const chain = serial('consentseal-receipts');
    // Aborted by `destroy`: the outbox's listeners go, and it sends nothing more.
    const ac = new AbortController();
    const outbox = config.collector && createOutbox(config.collector.url, core, ac);
    let signer: Awaited<ReturnType<typeof loadSigner>> | undefined;
    // Serialized (in this page and, through Web Locks, across tabs) so seq/prev never fork; and so
    // this page loads its signer once.
    const signing = (task: () => Promise<unknown>) => chain(task).catch((e) => core.reportError('receipt', 'Receipts not signed', e));
    const load = async () => (signer ??= await loadSigner());
    receiptStore.onError = (e) => core.reportError('storage', 'Receipts not stored', e);

    /**
     * Edits the drafts in localStorage: payloads still to sign, members in the payload's order, those
     * set at signing empty. Without localStorage (blocked), this page's receipts are still signed.
     */
    const drafts = (edit: (list: Draft[]) => Draft[]) => {
      let list: Draft[] = [];
      try {
        // A value this page cannot read must not keep its own decisions from being written. Of
        // JSON values only arrays have `filter`: anything else throws here.
        // No drafts (the usual page) parses `[]`: a page's first exception costs milliseconds.
        list = JSON.parse(localStorage[UNSIGNED] || '[]').filter(Boolean);
      } catch {}
      try {
        list = edit(list);
        if (list[0]) localStorage[UNSIGNED] = JSON.stringify(list);
        else delete localStorage[UNSIGNED];
      } catch {}
    };

    const issue = (d: Draft) =>
      signing(async () => {
        const { receiptId, subjectId } = d;
        // Already signed (by another tab, or by a page left before it took the draft out): only the draft goes.
        if (!(await receiptStore.get(receiptId))) {
          const sign = await load();
          const hk = 'head:' + subjectId;
          const head = await receiptStore.get<ChainHead>(hk);
          const seq = (head?.seq ?? 0) + 1;
          const issuedAt = new Date(env.now()).toISOString();
          const jws = await sign({
            ...d,
            seq,
            prev: head?.hash ?? null,
            issuedAt,
            noticeHash: await noticeHash(config, d.language, d.page),
          });
          // One transaction: a head stored without its receipt would chain the next receipt to one
          // that was never kept; a receipt without its head would fork the chain at its seq.
          await receiptStore.set({ [hk]: { seq, hash: await sha256(jws) }, [receiptId]: { receiptId, issuedAt, jws, status: 'pending' } satisfies ReceiptLogEntry });
          if (core.getState().subjectId == subjectId) core.setReceiptId(receiptId);
          core.emit('receipt', { receiptId, status: 'signed', jws });
          outbox?.add({ receiptId, jws });
        }
        drafts((list) => list.filter((x) => x.receiptId != receiptId));
      });

    const off = core.on('decision', ({ state: { subjectId, purposes, policyVersion }, action, method, gpc }) => {
      // The page without query or fragment: what the receipt records and what an auditor can reuse.
      const page = location.origin + location.pathname;
      const d: Draft = {
        ver: 1,
        receiptId: env.uuid(),
        subjectId,
        seq: 0,
        prev: null,
        issuedAt: '',
        action,
        method,
        purposes,
        policyVersion,
        policyUrl: new URL(config.policyUrl, page).href,
        language: core.language,
        noticeHash: '',
        page,
        gpc,
      };
      drafts((list) => [...list, d]);
      issue(d);
    });
    // Decisions an earlier page made but left before signing.
    drafts((list) => (list.forEach(issue), list));
    // A returning visitor's stored key is probed at start, so a key that no longer signs is replaced
    // before a decision waits on it. A first visit makes no key until there is a decision to sign.
    // (The cookie tells at once; a decision made on this page loads the key anyway.)
    if (core.getState().status == 'decided') {
      core.ready.then(() => signing(load));
    }
    return () => {
      off();
      ac.abort();
    };
  };
}
