import { render } from 'preact';
import type { ConsentPlugin } from '../core/plugin';
import { resolveTexts } from '../i18n';
import { downloadReceipts } from './download';
import { deepActive } from './focus';
import { mountHost } from './mount';
import { type View, widget } from './widget';

/** Options of the widget plugin ({@link uiPlugin}); `createConsent(config, { ui })` passes them on. */
export interface UiOptions {
  /** Nonce for the fallback `<style>` where constructable stylesheets are missing. */
  nonce?: string;
}

/**
 * The consent widget as a plugin: shows the banner while the visitor has not decided, the
 * preferences on demand, and emits the public `show` / `hide` events. Nothing is added to the
 * page until there is something to show.
 */
export function uiPlugin(options: UiOptions = {}): ConsentPlugin {
  return (core) => {
    if (typeof document == 'undefined') return;
    const de = document.documentElement;
    const mq = matchMedia('(prefers-color-scheme: dark)');
    let view: View = 'none';
    let draft: Record<string, boolean> = {};
    let opener: HTMLElement | null = null;
    let dom: ReturnType<typeof mountHost> | undefined;
    let pad: string | undefined;
    let ro: ResizeObserver | undefined;
    let dead = false;

    const fail = (e: unknown) => core.reportError('ui', 'the consent widget failed: ' + String(e), e);

    /** Keeps focused page elements clear of the banner (WCAG 2.4.11) while it shows. */
    const fit = () => {
      const b = view == 'banner' && dom?.box.querySelector('section');
      if (b) {
        pad ??= de.style.scrollPaddingBottom;
        de.style.scrollPaddingBottom = Math.max(0, innerHeight - b.getBoundingClientRect().top) + 'px';
        (ro ??= new ResizeObserver(fit)).observe(b);
      } else if (pad != null) {
        de.style.scrollPaddingBottom = pad;
        pad = undefined;
        ro?.disconnect();
      }
    };

    const paint = () => {
      try {
        if (dead) return;
        if (!dom) {
          if (view == 'none' && !(core.config.ui.reopenButton && core.getState().status == 'decided')) return;
          if (!document.body) return void document.addEventListener('DOMContentLoaded', paint);
          dom = mountHost(options.nonce);
        }
        if (!dom.host.isConnected) document.body.prepend(dom.host);
        render(draw(view, draft), dom.box);
        const d = dom.box.querySelector('dialog');
        if (d && !d.open) d.showModal();
        fit();
      } catch (e) {
        fail(e);
      }
    };

    const show = (next: View) => {
      const prev = view;
      if (next == prev || dead) return;
      if (next == 'preferences') {
        opener = deepActive();
        draft = { ...core.getState().purposes };
      }
      view = next;
      if (prev != 'none') core.emit('hide', { view: prev });
      paint();
      if (next != 'none') core.emit('show', { view: next });
      if (prev == 'preferences') {
        const back = opener?.isConnected ? opener : dom?.box.querySelector<HTMLElement>('.bn .s,.ro');
        opener = null;
        back?.focus();
      }
    };

    const draw = widget(core, resolveTexts(core.config, core.language), {
      decide: (input, method) => {
        const prev = view;
        show('none');
        core.decide(input == 'save' ? { ...draft } : input, method).catch((e: unknown) => (fail(e), show(prev)));
      },
      close: () => show(core.getState().status == 'pending' ? 'banner' : 'none'),
      download: () => downloadReceipts(core.getState()).catch(fail),
    });

    const offs = [
      core.on('view', (e) => show(e.view)),
      core.store.subscribe((s) => (s.status == 'decided' && view == 'banner' ? show('none') : paint())),
    ];
    mq.addEventListener('change', paint);
    const ask = () => (core.getState().status == 'pending' && view == 'none' ? show('banner') : paint());
    // With cookies on, the cookie mirrors every stored decision, so an undecided state needs no
    // wait for IndexedDB; should it still hold a newer decision, the store update above hides the
    // banner. Not before DOMContentLoaded: the page's own scripts get to subscribe to `show` first,
    // and there is no body to show it in before then anyway.
    if (navigator.cookieEnabled) {
      if (document.readyState == 'loading') document.addEventListener('DOMContentLoaded', ask, { once: true });
      else queueMicrotask(ask);
    }
    core.ready.then(ask, fail);

    return () => {
      dead = true;
      offs.forEach((off) => off());
      mq.removeEventListener('change', paint);
      view = 'none';
      fit();
      if (dom) render(null, dom.box), dom.host.remove();
    };
  };
}
