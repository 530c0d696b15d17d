import type { ChainStatus, VerifiedReceipt } from './types';

/** What a store knows about a receipt's neighbours, read inside the storing transaction. */
export interface ChainContext {
  /** A stored receipt with the same receiptId. */
  byId?: { jwsHash: string; ack: string } | undefined;
  /** The key id the subject is bound to (its first receipt's key). */
  boundKid?: string | undefined;
  /** A stored receipt of the same subject with the same seq. */
  atSeq?: { receiptId: string } | undefined;
  /** The stored receipt seq − 1 of the same subject. */
  pred?: { jwsHash: string; chainStatus: ChainStatus } | undefined;
  /** The stored receipt seq + 1 of the same subject. */
  succ?: { prev: string | null } | undefined;
}

/** The store's verdict on one receipt. */
export type ChainDecision =
  | { status: 'accept'; chainStatus: ChainStatus }
  | { status: 'duplicate'; ack: string }
  | { status: 'rejected'; reason: string };

/**
 * Applies dedupe, key binding and hash-chain rules. A receipt whose predecessor has not arrived yet
 * is accepted with an `incomplete` chain; the store marks it (and its successors) complete when the gap fills.
 */
export function decide(r: VerifiedReceipt, c: ChainContext): ChainDecision {
  const { seq, prev } = r.payload;
  if (c.byId) {
    return c.byId.jwsHash === r.jwsHash
      ? { status: 'duplicate', ack: c.byId.ack }
      : { status: 'rejected', reason: 'receiptId: already used by a different receipt' };
  }
  if (c.boundKid !== undefined && c.boundKid !== r.kid) return { status: 'rejected', reason: 'subjectId: bound to a different key' };
  if (c.atSeq) return { status: 'rejected', reason: `seq: subject already has a different receipt with seq ${seq}` };
  if (c.pred && c.pred.jwsHash !== prev) return { status: 'rejected', reason: `prev: does not match the hash of stored receipt seq ${seq - 1}` };
  if (c.succ && c.succ.prev !== r.jwsHash) return { status: 'rejected', reason: `seq: stored receipt seq ${seq + 1} links to a different receipt` };
  return { status: 'accept', chainStatus: seq === 1 || c.pred?.chainStatus === 'complete' ? 'complete' : 'incomplete' };
}
