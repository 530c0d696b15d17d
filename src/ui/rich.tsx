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
export const rich = (text: string): ComponentChildren[] =>
  // Split with two capture groups: text, label, url, text, label, url, …, text.
  text
    .split(/\[([^\]\n]+)\]\(([^\s()<>"]+)\)/)
    .map((part, i, all) =>
      i % 3 == 0 ? part : i % 3 == 2 ? '' : isSafeLinkUrl(all[i + 1]!) ? link(all[i + 1]!, part) : `[${part}](${all[i + 1]})`,
    );
