import type { ConsentState } from '../core/types';
import { readReceiptLog } from '../receipts/log';

/** Saves every receipt this browser signed as a JSON file the visitor keeps (their copy of the proof). */
export async function downloadReceipts(state: ConsentState): Promise<void> {
  const receipts = await readReceiptLog();
  const json = JSON.stringify({ subjectId: state.subjectId, policyVersion: state.policyVersion, receipts }, null, 2);
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
  a.download = 'privacy-receipts-' + state.subjectId + '.json';
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1e4);
}
