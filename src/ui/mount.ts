import css from './styles.css';

/** Tag of the element that hosts the widget; neutral, so cosmetic ad-block filters leave it alone. */
export const HOST_TAG = 'cs-layer';

/** Whether a `ui.theme` renders dark now: `dark`, or `auto` on a dark system. */
export const isDark = (theme: string): boolean => theme == 'dark' || (theme == 'auto' && matchMedia('(prefers-color-scheme: dark)').matches);

/**
 * Gives `host` an open shadow root styled without any inline style: a constructable stylesheet
 * where supported (so `style-src 'self'` needs no exception), otherwise a `<style>` carrying the
 * page's nonce. Returns the box to render into: Preact would treat a fallback `<style>` beside
 * its output as stale DOM.
 */
export function shadowBox(host: HTMLElement, nonce?: string): HTMLElement {
  const root = host.attachShadow({ mode: 'open' });
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } catch {
    const style = root.appendChild(document.createElement('style'));
    if (nonce) style.nonce = nonce;
    style.textContent = css;
  }
  return root.appendChild(document.createElement('div'));
}

/** Creates the widget's host, first in the body so keyboard users meet the banner first (fixed positioning keeps CLS at 0). */
export function mountHost(nonce?: string): { host: HTMLElement; box: HTMLElement } {
  const host = document.createElement(HOST_TAG);
  host.setAttribute('data-nosnippet', '');
  document.body.prepend(host);
  return { host, box: shadowBox(host, nonce) };
}
