import type { StoredReceipt } from '../types';

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote, CR or LF, quotes doubled.
 * Text starting with `= + - @` (or a tab/CR, which spreadsheets strip before such a character) gets a
 * leading `'` so a spreadsheet shows it instead of evaluating it as a formula (CSV injection); so does such
 * text after a `;`, where a semicolon-separated spreadsheet starts a new cell.
 */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (typeof v === 'string') {
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    // Excel in many European locales separates cells with ';' and honours a quote only at a cell's start, so
    // "v;=cmd" would start a formula cell there even inside our quotes: a ' after such a ';' keeps it text.
    s = s.replace(/;(?=[=+\-@\t\r"])/g, ";'");
  }
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV record terminated by CRLF. */
export const csvRow = (cells: readonly unknown[]): string => `${cells.map(csvCell).join(',')}\r\n`;

/** Columns of the receipt CSV export, in order; `purposes` is one cell holding its JSON object. */
export const CSV_COLUMNS = [
  'receiptId', 'subjectId', 'seq', 'issuedAt', 'storedAt', 'action', 'method', 'policyVersion', 'policyUrl',
  'language', 'noticeHash', 'page', 'gpc', 'ephemeralKey', 'sdk', 'kid', 'prev', 'jwsHash', 'chainStatus', 'purposes', 'jws', 'ack',
] as const satisfies ReadonlyArray<keyof StoredReceipt>;

/** The header record of the receipt CSV export. */
export const csvHeader = (): string => csvRow(CSV_COLUMNS);

/** One receipt as a CSV record (numbers and booleans as written by JSON). */
export const receiptCsvRow = (r: StoredReceipt): string => csvRow(CSV_COLUMNS.map((c) => r[c]));
