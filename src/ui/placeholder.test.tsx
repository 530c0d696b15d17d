// @vitest-environment happy-dom
import { afterEach, expect, it, vi } from 'vitest';
import { createConsentCore } from '../core/consent';
import { gatingPlugin } from '../gating/index';
import type { DecisionStorage } from '../storage/persistence';
import { placeholderPlugin } from './placeholder';

const storage: DecisionStorage = { readSync: () => undefined, load: async () => undefined, save: async () => {}, watch: () => () => {} };
const setup = (extra: object = {}) =>
  createConsentCore(
    { policyVersion: 'v1', policyUrl: '/privacy', purposes: [{ id: 'necessary', required: true }, { id: 'video' }], ...extra },
    { storage: () => storage, plugins: [gatingPlugin, placeholderPlugin()] },
  );
let cs: ReturnType<typeof setup> | undefined;
afterEach(() => {
  cs?.destroy();
  document.documentElement.lang = 'en';
});

/** Sets `<html lang>`; resolves once mutation observers created before this call have been notified. */
const setLang = (lang: string) =>
  new Promise<void>((resolve) => {
    new MutationObserver((_, o) => (o.disconnect(), resolve())).observe(document.documentElement, { attributeFilter: ['lang'] });
    document.documentElement.lang = lang;
  });
/** What a placeholder shows: its box's lang and dir, then its text, button and link. */
const shown = (host: Element) => {
  const box = host.shadowRoot!.querySelector<HTMLElement>('.r')!;
  return [box.lang, box.dir, ...[...box.children].map((e) => e.textContent)];
};

it('follows the page switching <html lang>, keeping focus on Allow, which still allows the embed', async () => {
  document.documentElement.lang = 'en';
  document.body.innerHTML =
    '<iframe data-consent="video" data-src="https://video.example/1" title="Trailer" id="f"></iframe><iframe data-consent="video" data-src="javascript:x" id="g"></iframe>';
  const errors: unknown[] = [];
  cs = setup({ language: 'auto', texts: { 'zh-CN': { purposes: { video: { title: '视频' } } }, he: { placeholderAllow: 'אפשר' } } });
  cs.on('error', (e) => errors.push(e));
  const [first, second] = document.querySelectorAll('.consentseal-placeholder');
  expect(shown(first!)).toEqual(['en', 'ltr', 'Trailer: This content needs your consent to “video”.', 'Allow', 'Open it elsewhere']);
  const allow = first!.shadowRoot!.querySelector('button')!;
  allow.focus();

  await setLang('zh-CN');
  expect(shown(first!)).toEqual(['zh-CN', 'ltr', 'Trailer: 此内容需要您同意“视频”。', '允许', '在别处打开']);
  // The second has no safe URL to open elsewhere: no link, in any language.
  expect(shown(second!)).toEqual(['zh-CN', 'ltr', '此内容需要您同意“视频”。', '允许']);
  await setLang('he');
  const [lang, dir, , button] = shown(first!);
  expect([lang, dir, button]).toEqual(['he', 'rtl', 'אפשר']);
  // Patched in place: the same button, still focused.
  expect(first!.shadowRoot!.querySelector('button')).toBe(allow);
  expect(first!.shadowRoot!.activeElement).toBe(allow);
  expect(document.activeElement).toBe(first);

  allow.click();
  await vi.waitFor(() => expect(document.querySelector('.consentseal-placeholder')).toBeNull());
  expect(cs.isGranted('video')).toBe(true);
  expect(document.activeElement).toBe(document.getElementById('f'));
  // A removed placeholder stops following the page: it is never drawn again.
  await setLang('zh-CN');
  expect(shown(first!)[0]).toBe('he');
  expect(errors).toEqual([]);
});

it('hands keyboard focus from Allow to the embed it loads (not back to the start of the page)', async () => {
  document.body.innerHTML = '<button id="before">x</button><iframe data-consent="video" data-src="https://video.example/1" id="f"></iframe>';
  cs = setup();
  const host = document.querySelector<HTMLElement>('.consentseal-placeholder')!;
  const allow = host.shadowRoot!.querySelector('button')!;
  allow.focus();
  allow.click();
  await vi.waitFor(() => expect(host.isConnected).toBe(false));
  expect(document.activeElement).toBe(document.getElementById('f'));
});

it('leaves focus alone when the embed is allowed from elsewhere', async () => {
  document.body.innerHTML = '<button id="before">x</button><iframe data-consent="video" data-src="https://video.example/1" id="f"></iframe>';
  cs = setup();
  const before = document.getElementById('before')!;
  before.focus();
  await cs.acceptAll();
  await vi.waitFor(() => expect(document.querySelector('.consentseal-placeholder')).toBeNull());
  expect(document.activeElement).toBe(before);
});

it('gives its fallback <style> the widget nonce where constructable stylesheets are missing (strict CSP)', () => {
  vi.stubGlobal('CSSStyleSheet', function Missing() {
    throw new TypeError('Illegal constructor');
  });
  document.body.innerHTML = '<iframe data-consent="video" data-src="https://video.example/1"></iframe>';
  try {
    cs = createConsentCore(
      { policyVersion: 'v1', policyUrl: '/privacy', purposes: [{ id: 'video' }] },
      { storage: () => storage, plugins: [gatingPlugin, placeholderPlugin({ nonce: 'n0nce' })] },
    );
    const style = document.querySelector('.consentseal-placeholder')!.shadowRoot!.querySelector('style')!;
    expect(style.nonce).toBe('n0nce');
  } finally {
    vi.unstubAllGlobals();
  }
});
