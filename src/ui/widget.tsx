/** @jsxRuntime classic */
/** @jsx h */
import { h, render, type ComponentChild } from 'preact';
import type { ConsentPlugin, DecisionInput } from '../core/plugin';
import { resolveTexts, type ResolvedTexts } from '../i18n';
import { downloadReceipts } from './download';
import { trapTab } from './focus';
import { HOST_TAG, shadowBox } from './mount';
import { link, rich } from './rich';

type View = 'banner' | 'preferences' | 'none';

/** Options of the widget plugin ({@link uiPlugin}); `createConsent(config, { ui })` passes them on. */
export interface UiOptions {
  /** Nonce for the fallback `<style>` where constructable stylesheets are missing. */
  nonce?: string | undefined;
}

/**
 * The consent widget as a plugin: shows the banner while the visitor has not decided, the
 * preferences on demand (with the toggles' `draft`), the optional re-open button after a decision,
 * and emits the public `show` / `hide` events. Nothing is added to the page until there is
 * something to show. No hooks: every state change repaints the whole (small) tree.
 */
export function uiPlugin({ nonce }: UiOptions = {}): ConsentPlugin {
  return (core) => {
    if (typeof document == 'undefined') return;
    const { config } = core;
    let texts: ResolvedTexts;
    const html = document.documentElement.style;
    let view: View = 'none';
    let draft: Record<string, boolean> = {};
    let opener: HTMLElement | null;
    let host: HTMLElement | undefined;
    let box: HTMLElement | undefined;
    let pad: [string, string, number] | undefined;
    let ro: ResizeObserver | undefined;
    let dead = false;

    const fail = (e: unknown) => core.reportError('ui', 'Consent widget failed', e);

    /**
     * Keeps focused page elements clear of the banner, or the re-open button, while it shows (WCAG
     * 2.4.11): scroll padding as tall as the space it takes at the bottom, and as much room after the
     * page's end, so that its last links (a footer's own privacy links) can scroll clear too; never
     * less than the page's own (kept for a sticky footer of its own). A page that does not scroll
     * gets no room (a scrollbar appearing would shift it), nor does a positioned <html>. What shows
     * is also watched for leaving the page (its size drops to 0): when navigation that swaps the body
     * or its content (Turbo, htmx, pjax; Back on such a site) took the widget away, it starts over in
     * the new body: the banner while undecided, else the re-open button if any.
     * The banner is `measure`d only when the observer reports its size (after the browser's own
     * layout, before the frame is painted): read as it is drawn, its box would force the layout of the
     * whole page into the same task.
     */
    const fit = (measure?: 1) => {
      const b = box?.querySelector<HTMLElement>('section,.ro,dialog');
      if (b) (ro ??= new ResizeObserver(() => (host!.isConnected ? fit(1) : ((view = 'none'), ask())))).observe(b);
      if (b && view != 'preferences') {
        if (measure) {
          const root = document.documentElement;
          const own = getComputedStyle(root);
          pad ??= [html.scrollPaddingBottom, html.paddingBottom, parseFloat(own.scrollPaddingBottom) || 0];
          // Its top as laid out: mid-slide (the first report comes as it starts) it is still lower.
          html.scrollPaddingBottom = Math.max(innerHeight - b.offsetTop, pad[2]) + 'px';
          // A footer held at the bottom of a positioned <html> would move down with the room.
          if (root.scrollHeight > root.clientHeight && own.position == 'static') html.paddingBottom = html.scrollPaddingBottom;
        }
      } else if (pad) {
        [html.scrollPaddingBottom, html.paddingBottom] = pad;
        pad = undefined;
      }
    };

    const paint = () => {
      try {
        const vnode = draw();
        if (dead || !(host || vnode)) return;
        if (!document.body) return void document.addEventListener('DOMContentLoaded', paint);
        if (!host) {
          host = document.createElement(HOST_TAG);
          host.setAttribute('data-nosnippet', '');
          box = shadowBox(host, config.ui.theme, nonce);
        }
        // First in the body, so keyboard users meet the banner first; the re-open button alone (a later
        // visit) last, not before the page's skip link and menu. Fixed positioning keeps CLS at 0.
        if (!host.isConnected) document.body[view == 'none' ? 'append' : 'prepend'](host);
        // Marked at every paint: the language may have changed since the last (see draw).
        box!.lang = texts.language;
        box!.dir = texts.dir;
        render(vnode, box!);
        fit();
      } catch (e) {
        fail(e);
      }
    };

    const show = (next: View) => {
      const prev = view;
      if (next == prev || dead) return;
      if (next == 'preferences') {
        opener = document.activeElement as HTMLElement | null;
        draft = { ...core.getState().purposes };
      }
      view = next;
      if (prev != 'none') core.emit('hide', { view: prev });
      paint();
      if (next != 'none') core.emit('show', { view: next });
      // Back to the opener; when that was ours (Customize, the re-open button) the redraw replaced it.
      if (prev == 'preferences') (opener != host && opener?.isConnected ? opener : box!.querySelector<HTMLElement>('section .s,.ro'))?.focus();
    };

    const decide = (input: DecisionInput, method: 'banner' | 'preferences') => {
      const prev = view;
      show('none');
      core.decide(input, method).catch((e: unknown) => (fail(e), show(prev)));
    };
    const close = () => show(core.getState().status == 'pending' ? 'banner' : 'none');
    const open = () => core.showPreferences();

    const draw = () => {
      // The core's language at every paint: a page that switches `<html lang>` (a single-page app)
      // gets the widget in the language the receipt of a decision records (and hashes).
      const { ui, purposes } = (texts = resolveTexts(config, core.language));
      const state = core.getState();
      // Set exactly when the state is decided.
      const at = state.decidedAt;
      const btn = (cls: string, label: string, onClick: () => unknown) => (
        <button class={'b ' + cls} onClick={onClick}>
          {label}
        </button>
      );
      // Accept and Reject: the same element, class and size, so neither is favoured.
      const acts = (method: 'banner' | 'preferences', last: ComponentChild) => (
        <div class="acts">
          {btn('p', ui.rejectAll, () => decide('reject-all', method))}
          {btn('p', ui.acceptAll, () => decide('accept-all', method))}
          {last}
        </div>
      );
      const intro = (text: string) => (
        <p>
          {rich(text)} {link(config.policyUrl, ui.policyLink)}
        </p>
      );
      const line = (label: string, value: ComponentChild) => (
        <p>
          {label}: {value}
        </p>
      );
      const list = (label: string, items: string[]) => items[0] && line(label, items.join(', '));

      return view == 'banner' ? (
        <section class={config.ui.layout} aria-label={ui.bannerTitle}>
          <div class="tx">
            <h2>{ui.bannerTitle}</h2>
            {intro(ui.bannerText)}
          </div>
          {acts('banner', btn('s', ui.customize, open))}
        </section>
      ) : view == 'preferences' ? (
        <dialog
          // Opened as a modal once it is in the document: the page behind becomes inert.
          ref={(d) => {
            if (d && !d.open) d.showModal();
          }}
          aria-label={ui.preferencesTitle}
          // Escape closes it (the browser does, with or without a cancel event first); the widget follows.
          onClose={close}
          onKeyDown={trapTab}
        >
          <div class="hd">
            <h2>{ui.preferencesTitle}</h2>
            <button class="x" aria-label={ui.close} onClick={close}>
              ×
            </button>
          </div>
          <div class="bd">
            {intro(ui.preferencesText)}
            {core.env.gpc && config.gpc && (
              <p class="rec" role="status">
                {ui.gpcHonored}
              </p>
            )}
            <ul>
              {config.purposes.map(({ id, required, services = [] }) => (
                <li>
                  <div class="rw">
                    <label for={'p-' + id}>{purposes[id]!.title}</label>
                    {required && <em>{ui.requiredLabel}</em>}
                    <input
                      id={'p-' + id}
                      type="checkbox"
                      role="switch"
                      // The draft starts as the state's purposes: every id, required ones on.
                      checked={draft[id]}
                      disabled={required}
                      aria-describedby={'d-' + id}
                      onChange={(e) => (draft[id] = e.currentTarget.checked)}
                    />
                  </div>
                  <p id={'d-' + id}>
                    {rich(purposes[id]!.description)}
                    {required && ' ' + ui.requiredReason}
                  </p>
                  {list(ui.servicesLabel, services.map((s) => s.name ?? s.id))}
                  {list(ui.cookiesLabel, services.flatMap((s) => s.cookies ?? []))}
                </li>
              ))}
            </ul>
            {at && (
              <div class="rec">
                {line(ui.consentIdLabel, state.subjectId)}
                {line(ui.recordedAtLabel, <time dateTime={at}>{new Date(at).toLocaleString()}</time>)}
                {btn('s', ui.downloadReceipts, () => downloadReceipts(state).catch(fail))}
              </div>
            )}
          </div>
          {acts('preferences', btn('s', ui.save, () => decide(draft, 'preferences')))}
        </dialog>
      ) : (
        config.ui.reopenButton && at && btn('s ro', ui.reopen, open)
      );
    };

    // The core's `view` events drive the widget (they end with the core: destroy clears them).
    core.on('view', (e) => show(e.view));
    core.store.subscribe((s) => (s.status == 'decided' && view == 'banner' ? show('none') : paint()));
    // Never before DOMContentLoaded (IndexedDB may answer while the parser waits for a later script):
    // the page's own scripts get to subscribe to `show` first, and there is no body to show it in
    // before then anyway. The same listener added twice is called once.
    const ask = (): void =>
      document.readyState == 'loading'
        ? document.addEventListener('DOMContentLoaded', ask)
        : core.getState().status == 'pending' && view == 'none' ? show('banner') : paint();
    // With cookies on, the cookie mirrors every stored decision, so an undecided state needs no
    // wait for IndexedDB; should it still hold a newer decision, the store update above hides the banner.
    if (navigator.cookieEnabled) queueMicrotask(ask);
    core.ready.then(ask, fail);
    // The core follows a single-page app's switch of `<html lang>` (`language: "auto"`): repaint in it.
    core.on('language', paint);

    return () => {
      dead = true;
      // With nothing left to fit, the page gets its own paddings back.
      box = undefined;
      fit();
      ro?.disconnect();
      host?.remove();
    };
  };
}
