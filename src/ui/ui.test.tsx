// @vitest-environment happy-dom
import { fireEvent, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createConsentCore } from '../core/consent';
import type { ConsentCore } from '../core/plugin';
import type { DecisionStorage, StoredDecision } from '../storage/persistence';
import { uiPlugin } from './index';
import { HOST_TAG } from './mount';

const config = {
  policyVersion: 'v1',
  policyUrl: '/privacy',
  controller: { name: 'Example Ltd' },
  purposes: [
    { id: 'necessary', required: true },
    { id: 'analytics', services: [{ id: 'ga4', name: 'Google Analytics', cookies: ['_ga', '/^_ga_/'] }] },
    { id: 'marketing', optOutSignal: true },
  ],
};

function memory(initial?: StoredDecision): () => DecisionStorage {
  let saved = initial;
  return () => ({ readSync: () => initial, load: async () => saved, save: async (r) => void (saved = r), watch: () => () => {} });
}

let core: ConsentCore | undefined;
afterEach(() => {
  core?.destroy();
  core = undefined;
  document.body.innerHTML = '';
  document.documentElement.lang = '';
});

async function start(extra: object = {}, o: { gpc?: boolean; stored?: StoredDecision } = {}) {
  const views: string[] = [];
  core = createConsentCore({ ...config, ...extra }, { plugins: [uiPlugin()], storage: memory(o.stored), env: { gpc: o.gpc ?? false } });
  core.on('show', (e) => views.push('show:' + e.view));
  core.on('hide', (e) => views.push('hide:' + e.view));
  await core.ready;
  return { core, views };
}

const host = () => document.querySelector(HOST_TAG) as HTMLElement | null;
const ui = () => within(host()!.shadowRoot as unknown as HTMLElement);
const dialog = () => host()!.shadowRoot!.querySelector('dialog');
const banner = () => host()?.shadowRoot!.querySelector('section') ?? null;
/** Sets `<html lang>`; resolves once mutation observers created before this call have been notified. */
const setLang = (lang: string) =>
  new Promise<void>((resolve) => {
    new MutationObserver((_, o) => (o.disconnect(), resolve())).observe(document.documentElement, { attributeFilter: ['lang'] });
    document.documentElement.lang = lang;
  });
const decided = (granted: string[]): StoredDecision => ({ subjectId: 's-1', decidedAt: Date.now() - 1000, policyVersion: 'v1', gpc: false, granted });


/**
 * Stubs ResizeObserver (happy-dom's never reports) with one that reports when the test says so: each
 * observer's callback, once per `observe`, is in the returned list.
 */
function reportingResizeObserver(): (() => void)[] {
  const reports: (() => void)[] = [];
  vi.stubGlobal('ResizeObserver', class {
    constructor(private cb: () => void) {}
    observe() {
      reports.push(this.cb);
    }
    disconnect() {}
  });
  return reports;
}
describe('uiPlugin', () => {
  it('shows the banner while undecided, in an open shadow root on a neutral host first in the body', async () => {
    document.body.innerHTML = '<p>page</p>';
    const { views } = await start();
    const h = host()!;
    expect(document.body.firstElementChild).toBe(h);
    expect(h.hasAttribute('data-nosnippet')).toBe(true);
    expect(h.shadowRoot!.mode).toBe('open');
    expect(banner()).not.toBeNull();
    expect(ui().getByRole('heading', { name: 'We value your privacy' })).toBeTruthy();
    expect(banner()!.textContent).toContain('Example Ltd');
    const policy = ui().getByRole('link', { name: 'Privacy policy' });
    expect(policy.getAttribute('href')).toBe('/privacy');
    expect(policy.getAttribute('rel')).toBe('noopener');
    const accept = ui().getByRole('button', { name: 'Accept all' });
    const reject = ui().getByRole('button', { name: 'Reject all' });
    expect(accept.className).toBe(reject.className);
    expect(ui().getByRole('button', { name: 'Customize' })).toBeTruthy();
    expect(views).toEqual(['show:banner']);
  });

  it('adds nothing to the page when the visitor already decided', async () => {
    await start({}, { stored: decided(['necessary']) });
    expect(host()).toBeNull();
  });

  it('Accept all and Reject all decide from the banner and hide it', async () => {
    const { core, views } = await start();
    const decide = vi.spyOn(core, 'decide');
    fireEvent.click(ui().getByRole('button', { name: 'Reject all' }));
    expect(decide).toHaveBeenCalledWith('reject-all', 'banner');
    expect(banner()).toBeNull();
    await vi.waitFor(() => expect(core.getState().status).toBe('decided'));
    expect(core.getState().purposes).toEqual({ necessary: true, analytics: false, marketing: false });
    expect(views).toEqual(['show:banner', 'hide:banner']);
  });

  it('Customize opens the preferences with nothing pre-selected; Save choices stores the toggles', async () => {
    const { core, views } = await start();
    // Opened as a modal (the page behind inert; browsers expose it as aria-modal themselves).
    const showModal = vi.spyOn(HTMLDialogElement.prototype, 'showModal');
    fireEvent.click(ui().getByRole('button', { name: 'Customize' }));
    expect(dialog()!.open).toBe(true);
    expect(showModal).toHaveBeenCalledOnce();
    showModal.mockRestore();
    expect(ui().getByRole('dialog', { name: 'Privacy preferences' })).toBeTruthy();
    const necessary = ui().getByRole('switch', { name: 'necessary' }) as HTMLInputElement;
    const analytics = ui().getByRole('switch', { name: 'analytics' }) as HTMLInputElement;
    const marketing = ui().getByRole('switch', { name: 'marketing' }) as HTMLInputElement;
    expect([necessary.checked, necessary.disabled]).toEqual([true, true]);
    expect([analytics.checked, marketing.checked]).toEqual([false, false]);
    expect(dialog()!.textContent).toContain('Needed for the site to work.');
    expect(dialog()!.textContent).toContain('Services: Google Analytics');
    expect(dialog()!.textContent).toContain('Cookies: _ga, /^_ga_/');
    fireEvent.click(analytics);
    expect(analytics.checked).toBe(true);
    const decide = vi.spyOn(core, 'decide');
    fireEvent.click(ui().getByRole('button', { name: 'Save choices' }));
    expect(decide).toHaveBeenCalledWith({ necessary: true, analytics: true, marketing: false }, 'preferences');
    await vi.waitFor(() => expect(core.getState().status).toBe('decided'));
    expect(core.getState().purposes).toEqual({ necessary: true, analytics: true, marketing: false });
    expect(dialog()).toBeNull();
    expect(banner()).toBeNull();
    expect(views).toEqual(['show:banner', 'hide:banner', 'show:preferences', 'hide:preferences']);
  });

  it('Escape closes the preferences back to the banner and returns focus to Customize', async () => {
    await start();
    const customize = ui().getByRole('button', { name: 'Customize' });
    customize.focus();
    fireEvent.click(customize);
    // Escape on a modal <dialog>, as browsers do it: `cancel`, then (not prevented) the dialog closes itself.
    const d = dialog()!;
    if (fireEvent(d, new Event('cancel', { cancelable: true }))) d.close();
    expect(dialog()).toBeNull();
    expect(banner()).not.toBeNull();
    expect(host()!.shadowRoot!.activeElement?.textContent).toBe('Customize');
  });

  it('re-opened after a decision, the preferences show the current choices and the consent record', async () => {
    const { core } = await start({}, { stored: decided(['necessary', 'analytics']) });
    const link = document.body.appendChild(document.createElement('button'));
    link.focus();
    core.showPreferences();
    expect((ui().getByRole('switch', { name: 'analytics' }) as HTMLInputElement).checked).toBe(true);
    expect((ui().getByRole('switch', { name: 'marketing' }) as HTMLInputElement).checked).toBe(false);
    expect(dialog()!.textContent).toContain('Consent ID: s-1');
    expect(ui().getByRole('button', { name: 'Download my receipts' })).toBeTruthy();
    fireEvent.click(within(dialog()!).getByRole('button', { name: 'Reject all' }));
    await vi.waitFor(() => expect(core.getState().purposes.analytics).toBe(false));
    expect(dialog()).toBeNull();
    expect(document.activeElement).toBe(link);
  });

  it('a decision made elsewhere while the preferences are open redraws them, focus staying put', async () => {
    const { core } = await start();
    fireEvent.click(ui().getByRole('button', { name: 'Customize' }));
    ui().getByRole('switch', { name: 'analytics' }).focus();
    await core.decide('reject-all', 'api');
    expect(dialog()!.open).toBe(true);
    expect(dialog()!.textContent).toContain('Consent ID: ');
    expect(host()!.shadowRoot!.activeElement).toBe(ui().getByRole('switch', { name: 'analytics' }));
  });

  it('shows the GPC notice when the signal is on and honoured', async () => {
    await start({ gpc: true }, { gpc: true });
    fireEvent.click(ui().getByRole('button', { name: 'Customize' }));
    expect(ui().getByRole('status').textContent).toBe('Opt-Out Preference Signal Honored');
  });

  it('hide() and showBanner() drive the view; a re-open button appears after a decision when configured', async () => {
    const { core } = await start({ ui: { reopenButton: true } });
    core.hide();
    expect(banner()).toBeNull();
    core.showBanner();
    expect(banner()).not.toBeNull();
    fireEvent.click(ui().getByRole('button', { name: 'Accept all' }));
    await vi.waitFor(() => expect(ui().getByRole('button', { name: 'Privacy settings' })).toBeTruthy());
    fireEvent.click(ui().getByRole('button', { name: 'Privacy settings' }));
    expect(dialog()).not.toBeNull();
  });

  it('renders texts in the page language, with site overrides as plain text', async () => {
    document.documentElement.lang = 'zh-CN';
    await start({ language: 'auto', texts: { 'zh-CN': { bannerTitle: '<b>标题</b>' } } });
    const root = host()!.shadowRoot!.querySelector('.r')!;
    expect(root.getAttribute('lang')).toBe('zh-CN');
    expect(ui().getByRole('button', { name: '全部接受' })).toBeTruthy();
    expect(ui().getByRole('heading').textContent).toBe('<b>标题</b>');
    expect(host()!.shadowRoot!.querySelector('b')).toBeNull();
  });

  it('mirrors right-to-left languages and applies the dark theme', async () => {
    await start({ language: 'ar', texts: { ar: { acceptAll: 'قبول الكل' } }, ui: { theme: 'dark' } });
    const root = host()!.shadowRoot!.querySelector('.r')!;
    expect(root.getAttribute('dir')).toBe('rtl');
    expect(root.classList.contains('dark')).toBe(true);
  });

  it('marks the widget with the language it shows: English, left to right, for a configured language without texts', async () => {
    const { core } = await start({ language: 'ar', texts: { en: { acceptAll: 'OK' } } });
    const root = host()!.shadowRoot!.querySelector('.r')!;
    expect([root.getAttribute('lang'), root.getAttribute('dir')]).toEqual(['en', 'ltr']);
    // The English shown is the site's English, as for any visitor English is the fallback for.
    expect(ui().getByRole('button', { name: 'OK' })).toBeTruthy();
    expect(core.language).toBe('en');
  });

  it('follows <html lang> switched while the banner shows and while the preferences are open, keeping the draft and focus', async () => {
    document.documentElement.lang = 'en';
    const { core } = await start({
      language: 'auto',
      texts: { de: { preferencesTitle: 'Datenschutz', purposes: { analytics: { title: 'Statistik' } } }, 'zh-CN': { purposes: { analytics: { title: '统计分析' } } } },
    });
    const root = host()!.shadowRoot!.querySelector('.r')!;
    await setLang('zh-CN');
    expect(ui().getByRole('button', { name: '全部接受' })).toBeTruthy();
    expect([root.getAttribute('lang'), core.language]).toEqual(['zh-CN', 'zh-CN']);
    fireEvent.click(ui().getByRole('button', { name: '自定义' }));
    const toggle = ui().getByRole('switch', { name: '统计分析' });
    fireEvent.click(toggle);
    toggle.focus();
    await setLang('de-DE');
    expect(ui().getByRole('dialog', { name: 'Datenschutz' })).toBeTruthy();
    expect([root.getAttribute('lang'), root.getAttribute('dir'), core.language]).toEqual(['de', 'ltr', 'de']);
    expect(dialog()!.open).toBe(true);
    expect(host()!.shadowRoot!.activeElement).toBe(ui().getByRole('switch', { name: 'Statistik' }));
    // The receipt of this decision records the language it was made in (its notice hash covers those texts).
    const at: string[] = [];
    core.on('decision', () => at.push(core.language));
    fireEvent.click(ui().getByRole('button', { name: 'Save choices' }));
    await vi.waitFor(() => expect(core.getState().purposes.analytics).toBe(true));
    expect(at).toEqual(['de']);
  });

  it('keeps a configured language when <html lang> changes', async () => {
    const { core } = await start({ language: 'zh-CN' });
    await setLang('de');
    expect(ui().getByRole('button', { name: '全部接受' })).toBeTruthy();
    expect(core.language).toBe('zh-CN');
  });

  it('stops following <html lang> once destroyed', async () => {
    const { core } = await start({ language: 'auto' });
    core.destroy();
    await setLang('zh-CN');
    expect(core.language).toBe('en');
  });

  it('keeps page focus clear of the banner with scroll-padding once its size is reported, restored on hide', async () => {
    const reports = reportingResizeObserver();
    try {
      document.documentElement.style.scrollPaddingBottom = '3px';
      const { core } = await start();
      // Drawn but not measured: reading its box then would force a layout of the whole page.
      expect(banner()).not.toBeNull();
      expect(document.documentElement.style.scrollPaddingBottom).toBe('3px');
      // Its top as laid out, before the slide-in's transform (which the e2e tests see at work).
      Object.defineProperty(banner()!, 'offsetTop', { value: innerHeight - 120 });
      reports.forEach((report) => report());
      expect(document.documentElement.style.scrollPaddingBottom).toBe('120px');
      core.hide();
      expect(document.documentElement.style.scrollPaddingBottom).toBe('3px');
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('keeps page focus clear of the re-open button too, and gives the page its styles back on destroy()', async () => {
    const reports = reportingResizeObserver();
    try {
      document.documentElement.style.scrollPaddingBottom = '5px';
      const { core } = await start({ ui: { reopenButton: true } }, { stored: decided(['analytics']) });
      const button = host()!.shadowRoot!.querySelector<HTMLElement>('.ro')!;
      Object.defineProperty(button, 'offsetTop', { value: innerHeight - 60 });
      reports.forEach((report) => report());
      expect(document.documentElement.style.scrollPaddingBottom).toBe('60px');
      core.destroy();
      expect(document.documentElement.style.scrollPaddingBottom).toBe('5px');
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('waits for the body when started from <head>, then shows the banner', async () => {
    const body = document.body;
    body.remove();
    await start();
    expect(document.querySelector(HOST_TAG)).toBeNull();
    document.documentElement.append(body);
    document.dispatchEvent(new Event('DOMContentLoaded'));
    expect(banner()).not.toBeNull();
  });

  it('destroy() removes the widget', async () => {
    const { core } = await start();
    core.destroy();
    expect(host()).toBeNull();
  });
});
