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
import type { UiOptions } from './widget';
import { dataSrc, usePlaceholders, type PlaceholderRenderer } from '../gating/index';
import { format, resolveTexts } from '../i18n';
import { shadowBox } from './mount';

/**
 * The placeholder renderer: inserts the placeholder before `el` and hides `el`; the returned function
 * undoes both. It shows the core's language, and follows it when the page switches `<html lang>`
 * (`language: "auto"`). `nonce`: the widget's, for the `<style>` that stands in where constructable
 * stylesheets are missing (a strict CSP refuses it without).
 */
export const renderPlaceholder =
  (nonce?: string): PlaceholderRenderer =>
  (core, el, ids) => {
    const host = document.createElement('div');
    // The box itself is the placeholder's card (`ph`).
    const box = shadowBox(host, 'ph ' + core.config.ui.theme, nonce);
    const url = dataSrc(el);
    // A copy of the page taken while the embed was blocked (Turbo's cache, htmx's history) holds it
    // hidden by us, after a copy of our placeholder that lost its shadow root: that `hidden` is ours.
    const copy = el.previousElementSibling;
    if (copy?.className == 'consentseal-placeholder' && !copy.shadowRoot) copy.remove(), (el.hidden = false);
    const hidden = el.hidden;
    // Only these purposes: a decision keeps every choice it does not name.
    const allow = () => core.decide(Object.fromEntries(ids.map((id) => [id, true])), 'preferences').catch((e) => core.reportError('ui', 'Consent widget failed', e));
    // Redrawn in place for a new language: the same button stays, keeping keyboard focus.
    const draw = () => {
      const texts = resolveTexts(core.config, core.language);
      const { ui, purposes } = texts;
      box.lang = texts.language;
      box.dir = texts.dir;
      render(
        [
          // The embed's title (an iframe's accessible name), hidden with it: each placeholder says what it stands for.
          <p id="m">
            {el.title && el.title + ': '}
            {format(ui.placeholderText, { purpose: ids.map((id) => purposes[id]?.title ?? id).join(', ') })}
          </p>,
          <button class="b p" aria-describedby="m" onClick={allow}>
            {ui.placeholderAllow}
          </button>,
          url && (
            <a href={url} target="_blank" rel="noopener noreferrer">
              {ui.placeholderOpen}
            </a>
          ),
        ],
        box,
      );
    };
    const off = core.on('language', draw);
    draw();
    host.className = 'consentseal-placeholder';
    el.hidden = true;
    el.before(host);
    return () => {
      off();
      // Allowed from its own button: keyboard focus moves on to the content, not back to the page's start.
      const focused = document.activeElement == host;
      host.remove();
      el.hidden = hidden;
      if (focused) el.focus();
    };
  };

/** Adds placeholders to the gating plugin's blocked embeds (the UI builds install it; headless does not). */
export const placeholderPlugin =
  ({ nonce }: UiOptions = {}): ConsentPlugin =>
  (core) =>
    usePlaceholders(core, renderPlaceholder(nonce));
