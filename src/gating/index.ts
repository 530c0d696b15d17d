/**
 * Gating: runs `<script type="text/plain" data-consent>` once their purposes are granted, fills
 * `data-src` embeds, and on withdrawal deletes the purpose's cookies and (with `reloadOnWithdraw`)
 * reloads the page.
 */
import { isSafeLinkUrl } from '../core/config';
import type { ConsentCore, ConsentPlugin } from '../core/plugin';
import { deleteCookies } from './cookies';

/** Shows what a blocked embed needs (the UI builds); returns what removes it again. */
export type PlaceholderRenderer = (core: ConsentCore, el: HTMLElement, purposes: string[]) => () => void;

/** The purpose ids an element names in `data-consent`; none: `null` or `undefined`. */
export const purposesOf = (el: HTMLElement): string[] | null | undefined => el.dataset.consent?.match(/\S+/g);

/** `data-src` if it is an http(s) URL or a path, else `''`: never `javascript:` or `data:`. */
export const dataSrc = (el: HTMLElement, v = el.dataset.src ?? ''): string => (isSafeLinkUrl(v) ? v : '');

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
  // An empty `data-consent` never runs.
  const granted = (el: HTMLElement) => !!purposesOf(el)?.every(core.isGranted);
  /** Embeds given their `src`. */
  const loaded = new WeakSet<Element>();
  /** Blocked embeds and what removes their placeholder. */
  const placeholders = new Map<HTMLElement, () => void>();
  let render: PlaceholderRenderer | undefined,
    /** An external classic script is loading: the next waits for it to load or fail. */
    waiting: unknown;

  /** Whether the parser is done with `n` (its text complete): something follows it, or parsing ended. */
  const parsed = (n: Node | null): unknown => doc.readyState != 'loading' || (n && (n.nextSibling || parsed(n.parentNode)));

  const scan = () => {
    // Document order: a script that runs loses `data-consent`, and its copy never matches again.
    for (const o of doc.querySelectorAll<HTMLScriptElement>('script[type="text/plain"][data-consent]')) {
      if (!waiting && granted(o) && (o.src || parsed(o))) {
        // Taken back into the page later, the original stays inert.
        delete o.dataset.consent;
        // The script that runs: a new element (a clone of one inserted by `innerHTML` would keep
        // its never-run mark) with every other attribute, `data-type` as its `type`.
        const s = doc.createElement('script');
        try {
          // A page that enforces Trusted Types refuses script text and URLs from strings here. The
          // SDK makes no policy that would let page-supplied text through, so such scripts never run.
          for (const a of o.attributes) s.setAttributeNode(a.cloneNode() as Attr);
          s.text = o.text;
        } catch (e) {
          core.reportError('gating', 'Script not run', e);
          continue;
        }
        s.type = o.dataset.type ?? '';
        delete s.dataset.type;
        // Browsers hide a parsed `nonce` from its attribute; the property keeps it.
        s.nonce = o.nonce!;
        // Inserted scripts are async by default; only an explicit `async` opts out of document order.
        s.async = o.hasAttribute('async');
        // A `nomodule` script, which browsers that run modules never load, fires neither event.
        if (s.src && !s.async && !s.noModule) {
          waiting = true;
          // Listeners, not `onload`/`onerror`: those would replace the page's own handler attributes.
          // Removed by `destroy()` (the controller's signal), so a destroyed instance runs nothing more.
          const next = () => {
            waiting = false;
            scan();
          };
          s.addEventListener('load', next, ac);
          s.addEventListener('error', next, ac);
        }
        o.replaceWith(s);
      }
    }
    // A placeholder goes with its embed, or once the embed is allowed.
    placeholders.forEach((undo, el) => {
      if (!el.isConnected || granted(el)) undo(), placeholders.delete(el);
    });
    for (const el of doc.querySelectorAll<HTMLElement>('[data-consent][data-src]:not(script)')) {
      if (granted(el)) {
        if (!loaded.has(el)) {
          loaded.add(el);
          // An unsafe `data-src` (javascript:, data:) is never loaded.
          const url = dataSrc(el);
          if (url) el.setAttribute('src', url);
        }
      } else {
        // Withdrawn: unloaded in place, never swapped for a copy, as a framework that rendered the
        // element still holds it (and removes it later). Without `src` an iframe goes to about:blank
        // and an image empties; a video or audio also needs `load()`.
        if (loaded.delete(el)) el.removeAttribute('src'), (el as HTMLMediaElement).load?.();
        if (render && !placeholders.has(el)) placeholders.set(el, render(core, el, purposesOf(el) ?? []));
      }
    }
  };

  let reload: ReturnType<typeof setTimeout> | undefined;
  // `destroy()` drops every event listener (these, and the reload's) itself.
  core.on('decision', ({ state, previous }) => {
    const denied = config.purposes.filter((p) => !state.purposes[p.id]);
    if (config.reloadOnWithdraw && denied.some((p) => previous.purposes[p.id])) {
      // The decision is in the cookie already; reload once its receipt is stored (or failed), at most 3 s later.
      const go = () => location.reload();
      core.on('receipt', (r) => r.status == 'signed' && go());
      core.on('error', go);
      reload = setTimeout(go, 3000);
    }
    // Only unusable cookies can make this throw (already reported as a `cookie` error at start-up);
    // the emitter logs it without breaking the decision's other listeners.
    deleteCookies(
      denied.flatMap((p) => p.services ?? []).flatMap((s) => s.cookies ?? []),
      config.cookie.domain,
    );
  });

  const observer = new MutationObserver(scan);
  // The controller is its own listener options: its `signal` member removes its listeners.
  const ac = new AbortController();
  // Also a `data-consent` changed in place: what an element names decides, whenever it is set.
  observer.observe(doc, { childList: true, subtree: true, attributeFilter: ['data-consent'] });
  // Every change of the decision (`destroy()` drops this listener too).
  core.on('change', scan);
  doc.addEventListener('DOMContentLoaded', scan, ac);
  hooks.set(core, (r) => {
    render = r;
    scan();
  });
  scan();
  return () => {
    placeholders.forEach((undo) => undo());
    observer.disconnect();
    ac.abort();
    clearTimeout(reload);
  };
};
