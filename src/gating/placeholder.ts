/**
 * The placeholder a blocked embed shows (UI builds only): which purpose it needs, an Allow button
 * that grants just that purpose, and a link to open the content elsewhere. Plain DOM, text only,
 * in a small open shadow root styled by a constructable stylesheet (no inline styles, CSP-safe)
 * in the widget's look.
 */
import type { ConsentPlugin } from '../core/plugin';
import { format, resolveTexts } from '../i18n';
import { dataSrc, usePlaceholders, type PlaceholderRenderer } from './index';
import css from './placeholder.css';

let sheet: CSSStyleSheet | undefined;

/** Inserts the placeholder before `el` and hides `el`; the returned function undoes both. */
export const renderPlaceholder: PlaceholderRenderer = (core, el, ids) => {
  const { language, dir, ui, purposes } = resolveTexts(core.config, core.language);
  const { theme } = core.config.ui;
  const host = document.createElement('div');
  const root = host.attachShadow({ mode: 'open' });
  const box = root.appendChild(document.createElement('div'));
  const add = <K extends keyof HTMLElementTagNameMap>(tag: K, text: string): HTMLElementTagNameMap[K] => {
    const e = box.appendChild(document.createElement(tag));
    e.textContent = text;
    return e;
  };
  host.className = 'consentseal-placeholder';
  box.lang = language;
  box.dir = dir;
  // Dark like the widget: the `dark` theme, or `auto` on a dark system.
  if (theme == 'dark' || (theme == 'auto' && matchMedia('(prefers-color-scheme: dark)').matches)) box.className = 'dk';
  try {
    if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } catch {
    // No constructable stylesheets (old browser): the placeholder still works, unstyled.
  }
  add('p', format(ui.placeholderText, { purpose: ids.map((id) => purposes[id]?.title ?? id).join(', ') })).id = 'm';
  const allow = add('button', ui.placeholderAllow);
  allow.setAttribute('aria-describedby', 'm');
  allow.onclick = () =>
    core
      .decide({ ...core.getState().purposes, ...Object.fromEntries(ids.map((id) => [id, true])) }, 'preferences')
      .catch((e) => core.reportError('gating', 'Could not allow ' + ids, e));
  const url = dataSrc(el);
  if (url) {
    const a = add('a', ui.placeholderOpen);
    a.href = url;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
  }
  const hidden = el.hidden;
  el.hidden = true;
  el.before(host);
  return () => {
    host.remove();
    el.hidden = hidden;
  };
};

/** Adds placeholders to the gating plugin's blocked embeds (the UI builds install it; headless does not). */
export const placeholderPlugin: ConsentPlugin = (core) => usePlaceholders(core, renderPlaceholder);
