import { h, num, s } from './dom';

const W = 900;
const H = 240;
const PAD = { l: 48, r: 12, t: 12, b: 28 };
const plotW = W - PAD.l - PAD.r;
const plotH = H - PAD.t - PAD.b;

const frame = (label: string, testId: string): SVGSVGElement =>
  s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': label, 'data-testid': testId }, s('title', null, label));

const xLabels = (svg: SVGSVGElement, days: string[]): void => {
  if (!days.length) return;
  const y = H - 8;
  svg.append(s('text', { x: PAD.l, y }, days[0]!));
  if (days.length > 1) svg.append(s('text', { x: W - PAD.r, y, 'text-anchor': 'end' }, days[days.length - 1]!));
};

/** Receipts per day as bars; each bar's tooltip names its day and count. */
export function barChart(days: string[], values: number[], label: string, testId: string): SVGSVGElement {
  const svg = frame(label, testId);
  const max = Math.max(1, ...values);
  const step = plotW / Math.max(1, values.length);
  const bw = Math.max(1, step * 0.8);
  svg.append(
    s('line', { class: 'axis', x1: PAD.l, y1: PAD.t + plotH, x2: W - PAD.r, y2: PAD.t + plotH }),
    s('text', { x: PAD.l - 6, y: PAD.t + 10, 'text-anchor': 'end' }, num(max)),
    s('text', { x: PAD.l - 6, y: PAD.t + plotH, 'text-anchor': 'end' }, '0'),
  );
  values.forEach((v, i) => {
    const bh = (v / max) * plotH;
    svg.append(
      s('rect', { class: 'bar', x: (PAD.l + i * step).toFixed(1), y: (PAD.t + plotH - bh).toFixed(1), width: bw.toFixed(1), height: bh.toFixed(1) },
        s('title', null, `${days[i] ?? ''}: ${num(v)}`)),
    );
  });
  xLabels(svg, days);
  return svg;
}

/** One line per series over the days, y from 0 to 100 % (gaps where a day has no data). */
export function rateChart(days: string[], series: Array<{ name: string; values: Array<number | null> }>, label: string, testId: string): HTMLElement {
  const svg = frame(label, testId);
  for (const f of [0, 0.5, 1]) {
    const y = PAD.t + plotH - f * plotH;
    svg.append(s('line', { class: 'axis', x1: PAD.l, y1: y, x2: W - PAD.r, y2: y }), s('text', { x: PAD.l - 6, y: y + 4, 'text-anchor': 'end' }, `${f * 100}%`));
  }
  const step = days.length > 1 ? plotW / (days.length - 1) : 0;
  series.forEach((ser, k) => {
    let d = '';
    let pen = false;
    ser.values.forEach((v, i) => {
      if (v === null) return void (pen = false);
      const x = (PAD.l + i * step).toFixed(1);
      const y = (PAD.t + plotH - v * plotH).toFixed(1);
      d += `${pen ? 'L' : 'M'}${x} ${y} `;
      pen = true;
    });
    svg.append(s('path', { class: `line c${k % 8}`, d: d.trim() || 'M0 0', 'data-series': ser.name }, s('title', null, ser.name)));
  });
  xLabels(svg, days);
  const legend = h('ul', { class: 'legend' }, ...series.map((ser, k) => h('li', null, h('span', { class: `swatch c${k % 8}`, 'aria-hidden': 'true' }), ser.name)));
  return h('figure', null, svg, legend);
}

/** Shares of a whole as one stacked horizontal bar with a legend. */
export function shareBar(parts: Array<{ name: string; n: number }>, label: string, testId: string): HTMLElement {
  const total = parts.reduce((a, p) => a + p.n, 0);
  const svg = s('svg', { viewBox: `0 0 ${W} 36`, class: 'chart', role: 'img', 'aria-label': label, 'data-testid': testId }, s('title', null, label));
  let x = 0;
  parts.forEach((p, k) => {
    const w = total ? (p.n / total) * W : 0;
    svg.append(s('rect', { class: `c${k % 8}`, x: x.toFixed(1), y: 0, width: w.toFixed(1), height: 36 }, s('title', null, `${p.name}: ${num(p.n)}`)));
    x += w;
  });
  const legend = h('ul', { class: 'legend' }, ...parts.map((p, k) => h('li', null, h('span', { class: `swatch c${k % 8}`, 'aria-hidden': 'true' }), p.name)));
  return h('figure', null, svg, legend);
}
