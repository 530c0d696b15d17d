import type { ConsentCore } from '../core/plugin';
import type { ReceiptEvent } from '../core/types';
import { readReceiptLog, receiptStore, type ReceiptLogEntry } from './log';
import { serial } from './util';

/** The collector's answer to `POST {"receipts": [...]}` (see the collector protocol). */
export interface CollectorReply {
  accepted?: string[];
  duplicate?: string[];
  rejected?: Array<{ index: number; reason: string }>;
  acks?: Record<string, string>;
}

/** Persisted as `retry`: failed attempts in a row and when the next one is due (ms since the epoch). */
interface Retry {
  n: number;
  at: number;
}

/**
 * Milliseconds to wait after the `n`-th failure in a row (n ≥ 1): 5 s doubling up to 1 h, with
 * "equal jitter" (half fixed, half random) so tabs and visitors do not retry in lockstep. Whole ms.
 */
export const backoff = (n: number, random = Math.random()): number => {
  const d = Math.min(36e5, 5e3 * 2 ** (n - 1));
  return Math.round(d / 2 + (random * d) / 2);
};

/** keepalive requests share a 64 KiB budget; stay under it with room for the envelope and headers. */
const MAX_BODY = 6e4;

/** Splits receipts into request bodies of at most 100 receipts and about {@link MAX_BODY} bytes. */
export const batches = (list: ReceiptLogEntry[]): ReceiptLogEntry[][] => {
  const out: ReceiptLogEntry[][] = [];
  let cur: ReceiptLogEntry[] | undefined;
  let size = 0;
  for (const e of list) {
    if (!cur || cur.length > 99 || (size += e.jws.length + 3) > MAX_BODY) out.push((cur = [])), (size = e.jws.length + 3);
    cur.push(e);
  }
  return out;
};

/** What the plugin drives: a flush (forced past the backoff or not), a new receipt, page-exit sending. */
export interface Outbox {
  flush(force?: boolean): Promise<void>;
  add(entry: ReceiptLogEntry): void;
  /** Sends what this page knows is unsent without waiting for storage or locks (page is going away). */
  beacon(): void;
  stop(): void;
}

/**
 * Delivers signed receipts to the collector at `url`. Receipts stay `pending` in the receipt log
 * until the collector answers accepted or duplicate (→ `sent`, with its ack) or rejected; network
 * errors and non-200 answers retry with {@link backoff}, persisted so it survives reloads. Flushes run
 * one at a time across tabs, so two tabs do not send the same receipts.
 */
export function createOutbox(url: string, core: Pick<ConsentCore, 'emit' | 'reportError' | 'env'>): Outbox {
  const lock = serial('consentseal-outbox');
  /** Receipts this page knows are unsent and not already in a (keepalive) request. */
  const pending = new Map<string, ReceiptLogEntry>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const post = (batch: ReceiptLogEntry[]): Promise<CollectorReply> =>
    fetch(url, {
      method: 'POST',
      keepalive: true,
      credentials: 'omit',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ receipts: batch.map((e) => e.jws) }),
    }).then((r) => {
      if (r.status != 200) throw Error('HTTP ' + r.status);
      return r.json();
    });

  const fail = (err: unknown) => core.reportError('transport', 'Receipts not delivered: ' + err, err);
  const note = (e: ReceiptLogEntry, status: ReceiptEvent['status'], reason?: unknown) =>
    core.emit('receipt', { receiptId: e.receiptId, status, jws: e.jws, reason } as ReceiptEvent);

  const settle = async (e: ReceiptLogEntry | undefined, status: 'sent' | 'rejected', ack?: string, reason?: string) => {
    if (!e) return;
    e.status = status;
    if (ack) e.ack = ack;
    await receiptStore.set(e.receiptId, e);
    note(e, status, reason);
    if (status == 'rejected') core.reportError('receipt', `Receipt ${e.receiptId} rejected: ${reason}`);
  };

  const flush = (force?: boolean): Promise<void> =>
    lock(async () => {
      clearTimeout(timer);
      const now = core.env.now();
      const retry = await receiptStore.get<Retry>('retry');
      if (!force && retry && retry.at > now) return void (timer = setTimeout(flush, retry.at - now));
      const list = (await readReceiptLog()).filter((e) => e.status == 'pending');
      try {
        for (const batch of batches(list)) {
          batch.forEach((e) => pending.delete(e.receiptId));
          const { accepted = [], duplicate = [], rejected = [], acks = {} } = await post(batch);
          for (const id of [...accepted, ...duplicate]) await settle(batch.find((e) => e.receiptId == id), 'sent', acks[id]);
          for (const { index, reason } of rejected) await settle(batch[index], 'rejected', undefined, reason);
          if (batch.some((e) => e.status == 'pending')) throw Error('unanswered');
        }
        if (retry?.n) await receiptStore.set('retry', { n: 0, at: 0 });
      } catch (err) {
        const n = (retry?.n ?? 0) + 1;
        const wait = backoff(n);
        await receiptStore.set('retry', { n, at: now + wait });
        timer = setTimeout(flush, wait);
        for (const e of list) if (e.status == 'pending') pending.set(e.receiptId, e), note(e, 'failed', '' + err);
        fail(err);
      }
    }).catch(fail);

  return {
    flush,
    add(e) {
      pending.set(e.receiptId, e);
      flush(true);
    },
    beacon() {
      for (const b of batches([...pending.values()])) post(b).catch(() => 0);
    },
    stop: () => clearTimeout(timer),
  };
}
