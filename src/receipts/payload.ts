import type { DecisionEvent } from '../core/types';

/** The chain head of one subject: the last receipt's `seq` and the base64url SHA-256 of its JWS. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** The payload of a consent receipt, members in the contract's order. */
export interface ReceiptPayload {
  ver: 1;
  receiptId: string;
  subjectId: string;
  seq: number;
  prev: string | null;
  issuedAt: string;
  action: DecisionEvent['action'];
  method: DecisionEvent['method'];
  purposes: Record<string, boolean>;
  policyVersion: string;
  policyUrl: string;
  language: string;
  noticeHash: string;
  page: string;
  gpc: boolean;
  ephemeralKey: boolean;
  sdk: string;
}

/** Everything a payload records besides the decision itself. */
export interface ReceiptContext {
  receiptId: string;
  issuedAt: string;
  /** The subject's chain head before this receipt, if any. */
  head: ChainHead | undefined;
  policyUrl: string;
  language: string;
  noticeHash: string;
  /** The page's URL; the receipt keeps only origin and path. */
  href: string;
  ephemeralKey: boolean;
}

/** Builds the receipt payload for one decision: next `seq` and `prev` from the chain head, absolute URLs. */
export const receiptPayload = (ev: DecisionEvent, c: ReceiptContext): ReceiptPayload => {
  const u = new URL(c.href);
  return {
    ver: 1,
    receiptId: c.receiptId,
    subjectId: ev.state.subjectId,
    seq: (c.head?.seq ?? 0) + 1,
    prev: c.head?.hash ?? null,
    issuedAt: c.issuedAt,
    action: ev.action,
    method: ev.method,
    purposes: ev.state.purposes,
    policyVersion: ev.state.policyVersion,
    policyUrl: new URL(c.policyUrl, u).href,
    language: c.language,
    noticeHash: c.noticeHash,
    page: u.origin + u.pathname,
    gpc: ev.gpc,
    ephemeralKey: c.ephemeralKey,
    sdk: 'consentseal@' + __SDK_VERSION__,
  };
};
