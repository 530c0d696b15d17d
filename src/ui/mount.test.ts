// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConsentCore, ConsentPlugin } from '../core/plugin';
import { HOST_TAG, shadowBox } from './mount';
import { single } from './single';

afterEach(() => {
  document.body.innerHTML = '';
  vi.unstubAllGlobals();
});

describe('shadowBox', () => {
  it('adopts a constructable stylesheet and returns a themed root', () => {
    expect(HOST_TAG).not.toMatch(/cookie|consent|gdpr/);
    const host = document.createElement(HOST_TAG);
    const box = shadowBox(host, 'dark', 'n0nce');
    expect(host.shadowRoot!.mode).toBe('open');
    expect(host.shadowRoot!.adoptedStyleSheets).toHaveLength(1);
    expect(host.shadowRoot!.querySelector('style')).toBeNull();
    expect(box.parentNode).toBe(host.shadowRoot);
    expect(box.className).toBe('r dark');
  });

  it('falls back to a <style> carrying the nonce where constructable sheets are missing', () => {
    vi.stubGlobal('CSSStyleSheet', function Missing() {
      throw new TypeError('Illegal constructor');
    });
    const host = document.createElement('div');
    shadowBox(host, 'auto', 'n0nce');
    const style = host.shadowRoot!.querySelector('style')!;
    expect(style.nonce).toBe('n0nce');
  });
});

describe('single', () => {
  it('returns the live instance with a warning, and frees the slot on destroy', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const destroyed: number[] = [];
    // Like createConsent: the slot is one more plugin, its cleanup run once by destroy().
    const make = (n: number) => (slot: ConsentPlugin) => {
      const cleanup = slot({} as ConsentCore);
      return { n, destroy: () => void (destroyed.push(n), cleanup?.()) };
    };
    const a = single(make(1));
    const b = single(make(2));
    expect(b).toBe(a);
    expect(warn).toHaveBeenCalledTimes(1);
    a.destroy();
    expect(destroyed).toEqual([1]);
    const c = single(make(3));
    expect(c.n).toBe(3);
    c.destroy();
    warn.mockRestore();
  });
});
