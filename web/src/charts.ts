// Small SVG charts drawn by hand: no chart library, no inline style (the
// server's CSP forbids it), presentation attributes only.

const NS = 'http://www.w3.org/2000/svg';

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
}

export interface Bar { label: string; value: number; text: string; note?: string; muted?: boolean }

/** Shortens text to about n characters at a word boundary (SVG text does not wrap). */
function clip(text: string, n: number): string {
  if (text.length <= n) return text;
  const cut = text.slice(0, n - 1);
  const sp = cut.lastIndexOf(' ');
  return (sp > n / 2 ? cut.slice(0, sp) : cut) + '…';
}

/**
 * Horizontal bars diverging from zero: one row per factor (label and raw value
 * on the first line, the bar and its multiplier on the second), the bar's
 * length its log contribution, red when it raises the risk, blue when it lowers it.
 */
export function barChart(bars: Bar[], width = 330): SVGSVGElement {
  const rowH = 34, pad = 4;
  const h = bars.length * rowH + pad;
  const svg = el('svg', { viewBox: `0 0 ${width} ${h}`, width: '100%', role: 'img', class: 'chart bars' });
  const maxAbs = Math.max(0.05, ...bars.map((b) => Math.abs(b.value)));
  const textW = 50;
  const plotW = width - textW;
  const zero = plotW / 2;
  el('line', { x1: zero, x2: zero, y1: 14, y2: h, stroke: '#b5b5b5', 'stroke-width': 1 }, svg);
  bars.forEach((b, i) => {
    const y = i * rowH + pad;
    const noteW = b.note ? b.note.length * 6.2 + 8 : 0;
    const t = el('text', { x: 0, y: y + 10, 'font-size': 11.5, fill: b.muted ? '#999' : '#222' }, svg);
    t.textContent = clip(b.label, Math.floor((width - noteW) / 6.3));
    el('title', {}, t).textContent = b.label;
    if (b.note) {
      const n = el('text', { x: width, y: y + 10, 'font-size': 11, 'text-anchor': 'end', fill: '#666' }, svg);
      n.textContent = b.note;
    }
    const len = (Math.abs(b.value) / maxAbs) * (plotW / 2 - 2);
    const x = b.value >= 0 ? zero : zero - len;
    const rect = el('rect', { x, y: y + 15, width: b.value === 0 ? 0 : Math.max(len, 1.5), height: 11, rx: 2,
      fill: b.muted ? '#ccc' : b.value >= 0 ? '#d7301f' : '#2b8cbe' }, svg);
    el('title', {}, rect).textContent = `${b.label}: ${b.text}`;
    const v = el('text', { x: width, y: y + 25, 'font-size': 11.5, 'font-weight': 700, 'text-anchor': 'end',
      fill: b.value > 0 ? '#b2182b' : b.value < 0 ? '#2166ac' : '#666' }, svg);
    v.textContent = b.text;
  });
  return svg;
}

export interface Point { label: string; value: number }

/** A line chart of a short series (a kabupaten's trend), with min/max labels. */
export function lineChart(points: Point[], fmt: (v: number) => string, width = 320, height = 120, color = '#d7301f'): SVGSVGElement {
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', class: 'chart line' });
  if (points.length === 0) return svg;
  const left = 40, right = 8, top = 10, bottom = 22;
  const vals = points.map((p) => p.value);
  let lo = Math.min(...vals), hi = Math.max(...vals);
  if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
  const padV = (hi - lo) * 0.1;
  lo -= padV; hi += padV;
  const x = (i: number) => left + (points.length === 1 ? (width - left - right) / 2 : (i * (width - left - right)) / (points.length - 1));
  const y = (v: number) => top + (1 - (v - lo) / (hi - lo)) * (height - top - bottom);
  for (const v of [lo + padV, hi - padV]) {
    el('line', { x1: left, x2: width - right, y1: y(v), y2: y(v), stroke: '#e3e3e3', 'stroke-width': 1 }, svg);
    const t = el('text', { x: left - 4, y: y(v) + 4, 'font-size': 10, 'text-anchor': 'end', fill: '#666' }, svg);
    t.textContent = fmt(v);
  }
  const d = points.map((p, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  el('path', { d, fill: 'none', stroke: color, 'stroke-width': 2, 'stroke-linejoin': 'round' }, svg);
  points.forEach((p, i) => {
    const c = el('circle', { cx: x(i), cy: y(p.value), r: i === points.length - 1 ? 4 : 2.5, fill: color }, svg);
    el('title', {}, c).textContent = `${p.label}: ${fmt(p.value)}`;
  });
  // First and last period under the axis.
  const first = el('text', { x: x(0), y: height - 6, 'font-size': 10, fill: '#666', 'text-anchor': 'start' }, svg);
  first.textContent = points[0].label;
  if (points.length > 1) {
    const last = el('text', { x: x(points.length - 1), y: height - 6, 'font-size': 10, fill: '#666', 'text-anchor': 'end' }, svg);
    last.textContent = points[points.length - 1].label;
  }
  return svg;
}
