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
