import type { ComponentChildren } from 'preact';

const LINK = /\[([^\]\n]+)\]\((https?:\/\/[^\s()<>"]+)\)/g;

/**
 * Renders site text with `[label](https://…)` links as real links. Nothing else is interpreted:
 * anything that looks like HTML stays text, because Preact escapes every string child.
 */
export function Rich({ text }: { text: string }) {
  const out: ComponentChildren[] = [];
  let at = 0;
  for (const m of text.matchAll(LINK)) {
    out.push(text.slice(at, m.index), <a href={m[2]} target="_blank" rel="noopener">{m[1]}</a>);
    at = m.index + m[0].length;
  }
  out.push(text.slice(at));
  return <>{out}</>;
}
