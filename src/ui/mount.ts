import css from './styles.css';

/** Tag of the element that hosts the widget; neutral, so cosmetic ad-block filters leave it alone. */
export const HOST_TAG = 'cs-layer';

/**
 * Creates the host element and its open shadow root, styled without any inline style: a
 * constructable stylesheet where supported (so `style-src 'self'` needs no exception), otherwise
 * a `<style>` carrying the page's nonce.
 */
export function mountHost(nonce?: string): { host: HTMLElement; box: HTMLElement } {
  const host = document.createElement(HOST_TAG);
  host.setAttribute('data-nosnippet', '');
  const root = host.attachShadow({ mode: 'open' });
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } catch {
    const style = document.createElement('style');
    if (nonce) style.nonce = nonce;
    style.textContent = css;
    root.append(style);
  }
  // First in the body so keyboard users meet the banner first; fixed positioning keeps CLS at 0.
  document.body.prepend(host);
  // Preact renders into its own box: it would treat a fallback <style> beside it as stale DOM.
  const box = root.appendChild(document.createElement('div'));
  return { host, box };
}
