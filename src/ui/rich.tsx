/** @jsxRuntime classic */
/** @jsx h */
import { h, type ComponentChildren } from 'preact';
import { isSafeLinkUrl } from '../core/config';

/** A link that opens in a new tab without giving it a handle on this page. */
export const link = (href: string, label: string) => (
  <a href={href} target="_blank" rel="noopener">
    {label}
  </a>
);

/**
 * Site text with `[label](https://…)` links (or same-site paths) as real links. Nothing else is
 * interpreted: anything that looks like HTML stays text, because Preact escapes every string
 * child, and links to any other scheme (`javascript:`, `data:`) stay text too.
 */
export function rich(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  let at = 0;
  for (const m of text.matchAll(/\[([^\]\n]+)\]\(([^\s()<>"]+)\)/g)) {
    if (isSafeLinkUrl(m[2]!)) {
      out.push(text.slice(at, m.index), link(m[2]!, m[1]!));
      at = m.index + m[0].length;
    }
  }
  out.push(text.slice(at));
  return out;
}
