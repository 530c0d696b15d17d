/**
 * Tiny DOM builders for the audit console. Every string child becomes a text node and attributes go
 * through setAttribute, so nothing read from a receipt is ever parsed as HTML; event handler attributes
 * are refused outright (listeners are added with addEventListener, which the CSP allows).
 */
export type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | undefined> | null;

const SVG_NS = 'http://www.w3.org/2000/svg';

function fill<E extends Element>(e: E, attrs: Attrs, children: Child[]): E {
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (/^on/i.test(k) || v === undefined || v === false) continue;
      e.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return e;
}

/** An HTML element with attributes and children (strings as text). */
export const h = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = null, ...children: Child[]): HTMLElementTagNameMap[K] =>
  fill(document.createElement(tag), attrs, children);

/** An SVG element (created with createElementNS) with attributes and children. */
export const s = <K extends keyof SVGElementTagNameMap>(tag: K, attrs: Attrs = null, ...children: Child[]): SVGElementTagNameMap[K] =>
  fill(document.createElementNS(SVG_NS, tag), attrs, children);

/** Replaces every child of `parent` with `children`. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  fill(parent, null, children);
}

/** `0.4567` → `45.7%`; `—` when there is nothing to divide. */
export const pct = (part: number, whole: number): string => (whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : '—');

/** Thousands separators, always in English so tests and exports read the same everywhere. */
export const num = (n: number): string => n.toLocaleString('en-US');
