/**
 * Gating: runs `<script type="text/plain" data-consent>` once their purposes are granted, fills
 * `data-src` embeds, opens the preferences from `data-consent-open` elements, and on withdrawal
 * deletes the purpose's cookies and (with `reloadOnWithdraw`) reloads the page.
 */
import { isSafeLinkUrl } from '../core/config';
import type { ConsentCore, ConsentPlugin } from '../core/plugin';
import { deleteCookies } from './cookies';

/** Shows what a blocked embed needs (the UI builds); returns what removes it again. */
export type PlaceholderRenderer = (core: ConsentCore, el: HTMLElement, purposes: string[]) => () => void;

/** The purpose ids an element names in `data-consent`. */
export const purposesOf = (el: Element): string[] => el.getAttribute('data-consent')?.match(/\S+/g) ?? [];

/** `data-src` if it is an http(s) URL or a path, else `''`: never `javascript:` or `data:`. */
export const dataSrc = (el: Element): string => {
  const v = el.getAttribute('data-src') ?? '';
  return isSafeLinkUrl(v) ? v : '';
};

/** The `<script>` that runs for a blocked one: every attribute but `type`/`data-consent`; `data-type` becomes `type`. */
export function activeCopy(o: HTMLScriptElement): HTMLScriptElement {
  const s = document.createElement('script');
  for (const a of o.attributes) if (!/^(type|data-consent|data-type)$/.test(a.name)) s.setAttribute(a.name, a.value);
  s.type = o.getAttribute('data-type') ?? '';
  // The browser hides `nonce` from attributes; the property keeps it.
  if (o.nonce) s.nonce = o.nonce;
  // Inserted scripts are async by default; only an explicit `async` opts out of document order.
  s.async = o.hasAttribute('async');
  s.text = o.text;
  return s;
}

/** Per instance: what makes its gating draw placeholders with a renderer. */
const hooks = new WeakMap<ConsentCore, (render: PlaceholderRenderer) => void>();

/**
 * Makes `core`'s gating (installed before) show placeholders drawn by `render` for blocked embeds
 * (the UI builds' `placeholderPlugin`).
 */
export const usePlaceholders = (core: ConsentCore, render: PlaceholderRenderer): void => hooks.get(core)?.(render);

/**
 * The gating plugin (every build). Blocked embeds stay empty; with {@link usePlaceholders} they
 * also show a placeholder with an Allow button.
 */
export const gatingPlugin: ConsentPlugin = (core) => {
  // Server-side rendering: no page to gate.
  if (typeof document == 'undefined') return;
  const doc = document;
  const { config } = core;
  const granted = (el: Element) => {
    const ids = purposesOf(el);
    return ids.length > 0 && ids.every((id) => core.isGranted(id));
  };
  /** Scripts queued to run, and embeds given their `src` (the selectors never overlap). */
  const seen = new WeakSet<Element>();
  let render: PlaceholderRenderer | undefined;
  /** Blocked embeds and what removes their placeholder. */
  const placeholders = new Map<Element, () => void>();
  const unblock = (el: Element) => {
    placeholders.get(el)?.();
    placeholders.delete(el);
  };
  const queue: HTMLScriptElement[] = [];
  let waiting = false;

  /** Runs queued scripts in order; an external classic script must load (or fail) before the next. */
  const pump = () => {
    while (!waiting && queue.length) {
      const o = queue.shift()!;
      // Withdrawn while waiting its turn: it may run when granted again.
      if (!granted(o)) seen.delete(o);
      else if (o.parentNode) {
        const s = activeCopy(o);
        if (s.src && !s.async) {
          waiting = true;
          s.onload = s.onerror = () => {
            waiting = false;
            pump();
          };
        }
        o.replaceWith(s);
      }
    }
  };

  /** Whether the parser is done with `n` (its text complete): something follows it, or parsing ended. */
  const parsed = (n: Node | null): boolean => doc.readyState != 'loading' || (!!n && (!!n.nextSibling || parsed(n.parentNode)));

  const scan = () => {
    for (const o of doc.querySelectorAll<HTMLScriptElement>('script[type="text/plain"][data-consent]')) {
      if (!seen.has(o) && granted(o) && (o.src || parsed(o))) queue.push(o) && seen.add(o);
    }
    pump();
    // An embed the page removed takes its placeholder along.
    for (const el of placeholders.keys()) if (!el.isConnected) unblock(el);
    for (const el of doc.querySelectorAll<HTMLElement>('[data-consent][data-src]:not(script)')) {
      if (granted(el)) {
        if (!seen.has(el)) {
          seen.add(el);
          unblock(el);
          // An unsafe `data-src` (javascript:, data:) is never loaded.
          const url = dataSrc(el);
          if (url) el.setAttribute('src', url);
        }
      } else if (seen.has(el)) {
        // Withdrawn: a copy without `src` unloads the content; the observer then blocks the copy.
        const c = el.cloneNode(true) as HTMLElement;
        c.removeAttribute('src');
        el.replaceWith(c);
      } else if (render && !placeholders.has(el)) placeholders.set(el, render(core, el, purposesOf(el)));
    }
  };

  const open = (e: Event) => {
    const t = (e.target as Element).closest?.('[data-consent-open]');
    // Enter already clicks links and buttons.
    if (t && (e.type == 'click' || ((e as KeyboardEvent).key == 'Enter' && !/^(A|BUTTON)$/.test(t.tagName)))) {
      e.preventDefault();
      core.showPreferences();
    }
  };

  let reload: ReturnType<typeof setTimeout> | undefined;
  const offDecision = core.on('decision', ({ state, previous }) => {
    try {
      deleteCookies(
        config.purposes.flatMap((p) => (state.purposes[p.id] ? [] : (p.services ?? []).flatMap((s) => s.cookies ?? []))),
        config.cookie.domain,
      );
    } catch (e) {
      core.reportError('cookie', 'Cookies could not be deleted', e);
    }
    if (config.reloadOnWithdraw && config.purposes.some((p) => previous.purposes[p.id] && !state.purposes[p.id])) {
      // The decision is in the cookie already; reload once its receipt is stored (or failed), at most 3 s later.
      const go = () => location.reload();
      core.on('receipt', (r) => r.status == 'signed' && go());
      core.on('error', go);
      reload = setTimeout(go, 3000);
    }
  });

  const observer = new MutationObserver(scan);
  const ac = new AbortController();
  const on = { signal: ac.signal };
  observer.observe(doc, { childList: true, subtree: true });
  const offStore = core.store.subscribe(scan);
  doc.addEventListener('DOMContentLoaded', scan, on);
  doc.addEventListener('click', open, on);
  doc.addEventListener('keydown', open, on);
  hooks.set(core, (r) => {
    render = r;
    scan();
  });
  scan();
  return () => {
    placeholders.forEach((undo) => undo());
    observer.disconnect();
    ac.abort();
    offStore();
    offDecision();
    clearTimeout(reload);
  };
};
