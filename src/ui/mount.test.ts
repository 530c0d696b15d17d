// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HOST_TAG, mountHost } from './mount';
import { single } from './single';

afterEach(() => {
  document.body.innerHTML = '';
  vi.unstubAllGlobals();
});

describe('mountHost', () => {
  it('adopts a constructable stylesheet and puts the host first in the body', () => {
    document.body.innerHTML = '<p>page</p>';
    const { host, box } = mountHost('n0nce');
    expect(document.body.firstElementChild).toBe(host);
    expect(host.tagName.toLowerCase()).toBe(HOST_TAG);
    expect(HOST_TAG).not.toMatch(/cookie|consent|gdpr/);
    expect(host.shadowRoot!.adoptedStyleSheets).toHaveLength(1);
    expect(host.shadowRoot!.querySelector('style')).toBeNull();
    expect(box.parentNode).toBe(host.shadowRoot);
  });

  it('falls back to a <style> carrying the nonce where constructable sheets are missing', () => {
    vi.stubGlobal('CSSStyleSheet', function Missing() {
      throw new TypeError('Illegal constructor');
    });
    const { host } = mountHost('n0nce');
    const style = host.shadowRoot!.querySelector('style')!;
    expect(style.nonce).toBe('n0nce');
  });
});

describe('single', () => {
  it('returns the live instance with a warning, and frees the slot on destroy', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const destroyed: number[] = [];
    const make = (n: number) => () => ({ n, destroy: () => void destroyed.push(n) });
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
