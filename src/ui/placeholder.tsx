/** @jsxRuntime classic */
/** @jsx h */
/**
 * The placeholder a blocked embed shows (UI builds only): which purpose it needs, an Allow button
 * that grants just that purpose, and a link to open the content elsewhere. Text only, in a small
 * open shadow root in the widget's own look: its stylesheet, themed by the same `--cs-*` custom
 * properties.
 */
import { h, render } from 'preact';
import type { ConsentPlugin } from '../core/plugin';
import { dataSrc, usePlaceholders, type PlaceholderRenderer } from '../gating/index';
import { format, resolveTexts } from '../i18n';
import { isDark, shadowBox } from './mount';

/** Inserts the placeholder before `el` and hides `el`; the returned function undoes both. */
export const renderPlaceholder: PlaceholderRenderer = (core, el, ids) => {
  const { language, dir, ui, purposes } = resolveTexts(core.config, core.language);
  const host = document.createElement('div');
  const url = dataSrc(el);
  const hidden = el.hidden;
  host.className = 'consentseal-placeholder';
  render(
    <div class={isDark(core.config.ui.theme) ? 'r ph dk' : 'r ph'} lang={language} dir={dir}>
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
    shadowBox(host),
  );
  el.hidden = true;
  el.before(host);
  return () => {
    host.remove();
    el.hidden = hidden;
  };
};

/** Adds placeholders to the gating plugin's blocked embeds (the UI builds install it; headless does not). */
export const placeholderPlugin: ConsentPlugin = (core) => usePlaceholders(core, renderPlaceholder);
