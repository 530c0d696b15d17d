import type { ConsentState } from '../core/types';
import { readReceiptLog } from '../receipts/log';

/** Saves every receipt this browser signed as a JSON file the visitor keeps (their copy of the proof). */
export async function downloadReceipts({ subjectId, policyVersion }: ConsentState): Promise<void> {
  const receipts = await readReceiptLog();
  // A data: URL needs no object URL to revoke later.
  Object.assign(document.createElement('a'), {
    href: 'data:application/json,' + encodeURIComponent(JSON.stringify({ subjectId, policyVersion, receipts })),
    download: 'privacy-receipts.json',
  }).click();
}
