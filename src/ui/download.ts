import type { ConsentState } from '../core/types';
import { readReceiptLog } from '../receipts/log';

/** Saves every receipt this browser signed as a JSON file the visitor keeps (their copy of the proof). */
export async function downloadReceipts(state: ConsentState): Promise<void> {
  const receipts = await readReceiptLog();
  const a = document.createElement('a');
  // A data: URL needs no object URL to revoke later.
  a.href = 'data:application/json,' + encodeURIComponent(JSON.stringify({ subjectId: state.subjectId, policyVersion: state.policyVersion, receipts }, null, 2));
  a.download = 'privacy-receipts-' + state.subjectId + '.json';
  a.click();
}
