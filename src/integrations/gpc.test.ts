import { describe, expect, it } from 'vitest';
import { detectGpc } from './gpc';

describe('detectGpc', () => {
  it('is on only for the exact value true', () => {
    expect(detectGpc({ globalPrivacyControl: true })).toBe(true);
    expect(detectGpc({ globalPrivacyControl: false })).toBe(false);
    expect(detectGpc({ globalPrivacyControl: '1' })).toBe(false);
    expect(detectGpc({})).toBe(false);
    expect(detectGpc(undefined)).toBe(false);
  });
});
