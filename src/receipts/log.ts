import { kv } from './store';

/** One receipt this browser signed, as the visitor can download it. */
export interface ReceiptLogEntry {
  receiptId: string;
  issuedAt: string;
  /** The signed receipt (JWS compact serialization). */
  jws: string;
  /** The collector's signed acknowledgement, once it stored the receipt. */
  ack?: string;
  /** pending: not (yet) stored by a collector; sent: stored; rejected: the collector refused it. */
  status: 'pending' | 'sent' | 'rejected';
}

/** Chain heads (`head:<subjectId>`), the retry state (`retry`) and the receipt log (by receipt id). */
export const receiptStore = kv('consentseal-receipts', 'receipts');

/** Every receipt signed in this browser, oldest first: for "Download my receipts". Never rejects. */
export async function readReceiptLog(): Promise<ReceiptLogEntry[]> {
  const byId = new Map<string, ReceiptLogEntry>();
  for (const v of await receiptStore.values<ReceiptLogEntry>()) if (v?.jws) byId.set(v.receiptId, v);
  return [...byId.values()].sort((a, b) => (a.issuedAt < b.issuedAt ? -1 : +(a.issuedAt > b.issuedAt)));
}
