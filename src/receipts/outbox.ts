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

/**
 * Persisted as `retry`: failed attempts in a row, when the next one is due (ms since the epoch) and
 * the wait the collector asked for in its last failed answer (`Retry-After`, ms): while that holds,
 * forced flushes wait for `at` too.
 */
interface Retry {
  n: number;
  at: number;
  asked?: number;
}

type Sendable = Pick<ReceiptLogEntry, 'receiptId' | 'jws'>;

/**
 * Milliseconds to wait after the `n`-th failure in a row (n ≥ 1): 5 s doubling up to 1 h, with
 * "equal jitter" (half fixed, half random) so tabs and visitors do not retry in lockstep. Whole ms.
 */
export const backoff = (n: number, random = Math.random()): number => Math.round((Math.min(36e5, 2500 * 2 ** n) * (1 + random)) / 2);

/**
 * Milliseconds a `Retry-After` value asks to wait: delta-seconds or an HTTP date (against `now`);
 * 0 when there is none or it cannot be read.
 */
export const retryAfter = (v: string | null, now: number): number => (+v! >= 0 ? +v! * 1e3 : Date.parse(v!) - now) || 0;

/**
 * Splits receipts into request bodies of at most 100 receipts and about 60 kB: keepalive requests
 * share a 64 KiB budget, which leaves room for the envelope and headers.
 */
export const batches = <T extends Sendable>(list: T[]): T[][] => {
  const out: T[][] = [];
  let cur: T[] | undefined;
  let size = 0;
  for (const e of list) {
    if (!cur || cur.length > 99 || (size += e.jws.length + 3) > 6e4) out.push((cur = [])), (size = e.jws.length + 3);
    cur.push(e);
  }
  return out;
};

/**
 * Delivers signed receipts to the collector at `url`: each new one at once, the rest when the core
 * is ready, the browser comes back online or the backoff timer is due; on `pagehide`, what this page
 * knows is unsent goes out with `keepalive` without waiting for storage or locks. Receipts stay
 * `pending` in the receipt log until the collector answers accepted or duplicate (→ `sent`, with
 * its ack) or rejected; network errors and non-200 answers retry with {@link backoff}, or later if
 * the answer's `Retry-After` asks (at most a day), persisted so it survives reloads. Flushes run one
 * at a time across tabs, so two tabs do not send the same receipts. `flush(true)` ignores the backoff
 * but not a `Retry-After`; aborting `ac` (the plugin's cleanup) ends it all: its signal is also the
 * listeners' option, and a flush that starts after it (queued, or the backoff timer's) sends nothing.
 */
export function createOutbox(url: string, core: Pick<ConsentCore, 'emit' | 'reportError' | 'env' | 'ready'>, ac: AbortController) {
  const lock = serial('consentseal-outbox');
  /** Receipts this page knows are unsent and no flush is sending: what `pagehide` sends. */
  const pending = new Map<string, Sendable>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** The wait (ms) the collector asked for in this flush's failed answer, if it did. */
  let asked = 0;

  // A string body goes as text/plain;charset=UTF-8: CORS-simple, no preflight.
  const post = (batch: Sendable[]): Promise<CollectorReply> =>
    fetch(url, {
      method: 'POST',
      keepalive: true,
      credentials: 'omit',
      body: JSON.stringify({ receipts: batch.map((e) => e.jws) }),
      // A collector that takes the request and never answers would hold the lock, and so every tab's
      // receipts, until the tab closes: past 30 s (a slow mobile upload of 60 kB needs far less) it
      // fails. Browsers without AbortSignal.timeout (Safari before 16) wait as before.
      signal: AbortSignal.timeout?.(3e4),
    }).then((r) => (r.status == 200 ? r.json() : Promise.reject(((asked = retryAfter(r.headers.get('retry-after'), core.env.now())), 'HTTP ' + r.status))));

  const fail = (err: unknown) => core.reportError('transport', 'Receipts not delivered: ' + err, err);
  const note = (e: Sendable, status: ReceiptEvent['status'], reason?: string) =>
    core.emit('receipt', { receiptId: e.receiptId, status, jws: e.jws, reason } as ReceiptEvent);

  const flush = (force?: boolean | void): Promise<void> =>
    lock(async () => {
      // Stopped: nothing more goes out (the ready flush, a queued one, the timer's).
      if (ac.signal.aborted) return;
      clearTimeout(timer);
      const now = core.env.now();
      const stored = await receiptStore.get<Retry>('retry');
      let { n, at, asked: held } = stored ?? { n: 0, at: 0 };
      // Due now: when it was due, or when no wait (a day at most) puts it that far ahead: the clock
      // went back, and a timer past 2^31 − 1 ms would fire at once, again and again.
      if (at <= now || at - now > 864e5 || (force && !held)) {
        asked = 0;
        const list = (await readReceiptLog()).filter((e) => e.status == 'pending');
        // This flush sends them; a failure puts back what is still pending.
        pending.clear();
        try {
          for (const batch of batches(list)) {
            const { accepted = [], duplicate = [], rejected = [], acks = {} } = await post(batch);
            for (const [i, e] of batch.entries()) {
              const id = e.receiptId;
              const no = rejected.find((r) => r.index == i);
              const status = [...accepted, ...duplicate].includes(id) ? 'sent' : no && 'rejected';
              // Left unanswered: it stays pending, with those after it; the retry sends them again
              // (what the collector has, it answers as duplicate).
              if (!status) throw 'unanswered';
              e.status = status;
              e.ack = acks[id];
              await receiptStore.set({ [id]: e });
              note(e, status, no?.reason);
              // The receipt event above names it; the error says why.
              if (no) core.reportError('receipt', 'Receipt rejected: ' + no.reason);
            }
          }
          n = at = 0;
        } catch (err) {
          // Never sooner than the backoff, nor than the collector asked; never more than a day.
          at = now + Math.min(864e5, Math.max(backoff(++n), asked));
          for (const e of list) if (e.status == 'pending') pending.set(e.receiptId, e), note(e, 'failed', '' + err);
          fail(err);
        }
        // `asked` is 0 after a success: only a failed answer sets it. Written only after a failure and
        // the success that ends it: a page with nothing to send (a first visit) stores nothing.
        if (n || stored?.n) await receiptStore.set({ retry: { n, at, asked } });
      }
      if (at) timer = setTimeout(flush, at - now);
    }).catch(fail);

  addEventListener('online', () => flush(true), ac);
  // Chromium refuses keepalive bodies past 64 KiB in flight per page: send the oldest that fit; the
  // rest stay pending for the next page.
  // `room`: the bodies take what the receipts do plus at most 50 B of envelopes (`{"receipts":[…]}`).
  addEventListener(
    'pagehide',
    (_, room = 65486) => batches([...pending.values()].filter((e) => (room -= e.jws.length + 3) >= 0)).forEach((b) => post(b).catch(() => 0)),
    ac,
  );
  core.ready.then(flush);
  return {
    flush,
    /** Takes a newly signed receipt: it goes at once (or on `pagehide`). */
    add: (e: Sendable) => (pending.set(e.receiptId, e), flush(true)),
  };
}
