import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvCell, csvHeader, csvRow, receiptCsvRow } from './csv';
import type { StoredReceipt } from '../types';

describe('csvCell', () => {
  it('leaves plain text, numbers and booleans as they are', () => {
    expect(csvCell('2026-11-01')).toBe('2026-11-01');
    expect(csvCell(3)).toBe('3');
    expect(csvCell(false)).toBe('false');
    expect(csvCell(null)).toBe('');
  });
  it('quotes cells with commas, quotes and line breaks, doubling quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line1\nline2')).toBe('"line1\nline2"');
    expect(csvCell('cr\rlf')).toBe('"cr\rlf"');
  });
  it('prefixes text a spreadsheet would evaluate as a formula', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('a=1')).toBe('a=1');
  });
  it('does not touch negative numbers written by the collector itself', () => {
    expect(csvCell(-1)).toBe('-1');
  });
  it('writes objects as JSON in one quoted cell', () => {
    expect(csvCell({ analytics: true, ads: false })).toBe('"{""analytics"":true,""ads"":false}"');
  });
});

/**
 * Splits one CSV record the way Excel does with the given list separator: a quote is special only as the
 * first character of a cell (then `""` is a quote and the cell runs to the closing quote); anywhere else it is text.
 */
const spreadsheetCells = (record: string, separator: string): string[] => {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    let cell = '';
    if (record[i] === '"') {
      for (i++; i < record.length; i++) {
        if (record[i] === '"' && record[i + 1] === '"') (cell += '"'), i++;
        else if (record[i] === '"') break;
        else cell += record[i];
      }
      i++;
    }
    while (i < record.length && record[i] !== separator) cell += record[i++];
    cells.push(cell);
    if (i >= record.length) return cells;
    i++;
  }
};

describe('CSV injection through a semicolon (the list separator of Excel in many European locales)', () => {
  it('keeps a visitor-signed policyVersion or page with ";=…" in one cell, so no cell starts a formula', () => {
    const hostiles = ['2026;=HYPERLINK("http://evil","x")', 'https://shop.example/a;=1+1', 'v;@SUM(A1)', 'v;"=1+1"', 'v;\t=1', 'v,;-1+1', 'a;b'];
    for (const hostile of hostiles) {
      const record = csvRow(['r1', hostile, 'x']).trimEnd();
      for (const separator of [',', ';']) {
        const cells = spreadsheetCells(record, separator);
        expect(cells.filter((c) => /^[\t\r]*[=+\-@]/.test(c)), `${hostile} split on ${JSON.stringify(separator)}`).toEqual([]);
      }
      // A comma-separated reader still gets the text back, with a ' only where a formula would have started.
      expect(spreadsheetCells(record, ',')[1]!.replace(/;'/g, ';')).toBe(hostile);
    }
    expect(csvCell('a;b')).toBe('a;b');
  });
});

describe('csvRow', () => {
  it('joins cells with commas and ends with CRLF', () => {
    expect(csvRow(['a', 'b,c', 1])).toBe('a,"b,c",1\r\n');
    expect(csvHeader()).toBe(`${CSV_COLUMNS.join(',')}\r\n`);
  });
  it('writes one receipt in column order', () => {
    const r = {
      receiptId: 'r1', subjectId: 's1', seq: 2, issuedAt: 'i', storedAt: 't', action: 'custom', method: 'api',
      policyVersion: '=cmd', policyUrl: 'https://x/p', language: 'en', noticeHash: 'h', page: 'https://x/', gpc: true,
      ephemeralKey: false, sdk: 'consentseal@0.1.0', kid: 'k', prev: null, jwsHash: 'j', chainStatus: 'complete',
      purposes: { a: true }, jws: 'a.b.c', ack: 'd.e.f',
    } satisfies StoredReceipt;
    expect(receiptCsvRow(r)).toBe(
      `r1,s1,2,i,t,custom,api,'=cmd,https://x/p,en,h,https://x/,true,false,consentseal@0.1.0,k,,j,complete,"{""a"":true}",a.b.c,d.e.f\r\n`,
    );
  });
});
