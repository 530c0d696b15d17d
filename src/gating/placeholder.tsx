/**
 * The placeholder a blocked embed shows (UI builds only): which purpose it needs, an Allow button
 * that grants just that purpose, and a link to open the content elsewhere. Rendered as text only
 * in a small open shadow root, in the widget's own look: its stylesheet (constructable, so CSP-safe,
 * themed by the same `--cs-*` custom properties) plus one rule for the placeholder box.
 */
import { render } from 'preact';
import type { ConsentPlugin } from '../core/plugin';
import { format, resolveTexts } from '../i18n';
import css from '../ui/styles.css';
import { dataSrc, usePlaceholders, type PlaceholderRenderer } from './index';

let sheet: CSSStyleSheet | undefined;

/** Inserts the placeholder before `el` and hides `el`; the returned function undoes both. */
export const renderPlaceholder: PlaceholderRenderer = (core, el, ids) => {
  const { language, dir, ui, purposes } = resolveTexts(core.config, core.language);
  const { theme } = core.config.ui;
  const host = document.createElement('div');
  const root = host.attachShadow({ mode: 'open' });
  const url = dataSrc(el);
  host.className = 'consentseal-placeholder';
  try {
    if (!sheet) (sheet = new CSSStyleSheet()).replaceSync(css + '.ph{display:grid;justify-items:center;gap:12px;padding:20px;text-align:center;background:var(--b);border:1px solid var(--l);border-radius:var(--r)}');
    root.adoptedStyleSheets = [sheet];
  } catch {
    // No constructable stylesheets (old browser): the placeholder still works, unstyled.
  }
  render(
    <div class={theme == 'dark' || (theme == 'auto' && matchMedia('(prefers-color-scheme: dark)').matches) ? 'r ph dk' : 'r ph'} lang={language} dir={dir}>
      <p id="m">{format(ui.placeholderText, { purpose: ids.map((id) => purposes[id]?.title ?? id).join(', ') })}</p>
      <button
        class="b p"
        aria-describedby="m"
        onClick={() =>
          core
            .decide({ ...core.getState().purposes, ...Object.fromEntries(ids.map((id) => [id, true])) }, 'preferences')
            .catch((e) => core.reportError('gating', 'Could not allow ' + ids, e))
        }
      >
        {ui.placeholderAllow}
      </button>
      {url && (
        <a href={url} target="_blank" rel="noopener noreferrer">
          {ui.placeholderOpen}
        </a>
      )}
    </div>,
    root,
  );
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
