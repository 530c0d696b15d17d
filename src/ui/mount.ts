import css from './styles.css';

/** Tag of the element that hosts the widget; neutral, so cosmetic ad-block filters leave it alone. */
export const HOST_TAG = 'cs-layer';

/**
 * Gives `host` an open shadow root styled without any inline style: a constructable stylesheet
 * where supported (so `style-src 'self'` needs no exception), otherwise a `<style>` carrying the
 * page's nonce. Returns the box to render into: the widget's `.r` root with the `theme` classes
 * (`auto` is left to CSS, so it follows the system live). Its `lang` and `dir` are the renderer's to
 * set at each render: a page that switches `<html lang>` gets the next one in its new language.
 * Preact renders into the box: it would treat a fallback `<style>` beside its output as stale DOM.
 */
export function shadowBox(host: HTMLElement, theme: string, nonce?: string): HTMLElement {
  const root = host.attachShadow({ mode: 'open' });
  /** A new `tag` element with `props`, appended to the shadow root. */
  const el = (tag: string, props: object) => root.appendChild(Object.assign(document.createElement(tag), props));
  try {
    (root.adoptedStyleSheets = [new CSSStyleSheet()])[0]!.replaceSync(css);
  } catch {
    el('style', { nonce, textContent: css });
  }
  return el('div', { className: 'r ' + theme });
}
