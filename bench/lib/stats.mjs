// Summaries and formatting for the banner benchmark.

/** Median, min and max of the finite numbers in `xs` (null when there are none). */
export function summarize(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return { median: v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2, min: v[0], max: v[v.length - 1], n: v.length };
}

const fixed = (x, digits) => (Number.isInteger(x) && digits < 3 ? String(x) : x.toFixed(digits));

/** "median [min–max]", or just the value when every run gave the same. */
export function cell(s, digits = 1) {
  if (!s) return '–';
  const f = (x) => fixed(x, digits);
  return s.min === s.max ? f(s.median) : `${f(s.median)} [${f(s.min)}–${f(s.max)}]`;
}

/** ConsentSeal's median divided by another banner's, as "0.42×"; '–' when undefined. */
export function ratio(a, b) {
  if (!a || !b || b.median === 0) return '–';
  const r = a.median / b.median;
  return `${r < 0.1 ? r.toFixed(3) : r.toFixed(2)}×`;
}

/** A Markdown table from a header row and body rows. `align` is 'l' or 'r' per column. */
export function mdTable(head, rows, align) {
  const sep = align.map((a) => (a === 'r' ? '--:' : '---'));
  return [head, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}
