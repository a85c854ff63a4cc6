// A line chart as a self-contained SVG: several series of (x, y) points over shared axes, with
// labelled ticks, a legend, optional logarithmic y axis, and vertical markers (e.g. where a loss
// spike was detected). Loss curves, per-layer gradient norms and update ratios are drawn with it.

import { esc, fmtNum, niceTicks, PALETTE } from './svg-common.js';

export interface LineSeries {
  name: string;
  points: readonly (readonly [number, number])[];
  color?: string;
  /** Stroke width; 1.5 by default. */
  width?: number;
  dashed?: boolean;
  /** Draw a dot at each point (sparse series such as evaluations). */
  dots?: boolean;
}

export interface LineChartOptions {
  series: readonly LineSeries[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Logarithmic y axis (non-positive values are left out). */
  logY?: boolean;
  /** Vertical lines at these x values, each with a short label. */
  markers?: readonly { x: number; label: string }[];
  width?: number;
  height?: number;
}

export function lineChartSvg(o: LineChartOptions): string {
  const W = o.width ?? 720;
  const H = o.height ?? 400;
  const L = 64,
    R = 170,
    T = 36,
    B = 46;
  const ok = (y: number) => Number.isFinite(y) && (!o.logY || y > 0);
  const ty = (y: number) => (o.logY ? Math.log10(y) : y);
  const pts = o.series.flatMap((s) => s.points.filter((p) => Number.isFinite(p[0]) && ok(p[1])));
  const xs = pts.map((p) => p[0]).concat((o.markers ?? []).map((m) => m.x));
  const ys = pts.map((p) => ty(p[1]));
  let x0 = xs.length ? Math.min(...xs) : 0;
  let x1 = xs.length ? Math.max(...xs) : 1;
  if (x1 <= x0) x1 = x0 + 1;
  let y0 = ys.length ? Math.min(...ys) : 0;
  let y1 = ys.length ? Math.max(...ys) : 1;
  if (y1 <= y0) {
    y0 -= 0.5;
    y1 += 0.5;
  }
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  if (x0 > 0 && x0 < (x1 - x0) * 0.2) x0 = 0;
  const px = (x: number) => L + ((W - L - R) * (x - x0)) / (x1 - x0);
  const py = (y: number) => T + ((H - T - B) * (y1 - ty(y))) / (y1 - y0);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="line-chart" width="${W}" height="${H}" ` +
      `viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  if (o.title) out.push(`<text x="${L}" y="20" font-size="14">${esc(o.title)}</text>`);
  const yTicks = o.logY
    ? niceTicks(y0, y1, 6)
        .filter((t) => Number.isInteger(t))
        .map((t) => 10 ** t)
    : niceTicks(y0, y1, 6);
  for (const t of yTicks) {
    const y = py(t).toFixed(1);
    out.push(`<line x1="${L}" x2="${W - R}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    out.push(`<text x="${L - 6}" y="${Number(y) + 4}" text-anchor="end">${fmtNum(t)}</text>`);
  }
  for (const t of niceTicks(x0, x1, 8)) {
    out.push(`<text x="${px(t).toFixed(1)}" y="${H - B + 16}" text-anchor="middle">${fmtNum(t)}</text>`);
  }
  out.push(
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/>` +
      `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>`,
  );
  if (o.xLabel)
    out.push(`<text x="${(L + W - R) / 2}" y="${H - 10}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  if (o.yLabel) {
    const cy = (T + H - B) / 2;
    out.push(
      `<text x="14" y="${cy}" text-anchor="middle" transform="rotate(-90 14 ${cy})">${esc(o.yLabel)}</text>`,
    );
  }
  for (const m of o.markers ?? []) {
    const x = px(m.x).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${T}" y2="${H - B}" stroke="#d62728" stroke-dasharray="3,3"/>`);
    out.push(`<text x="${Number(x) + 3}" y="${T + 10}" fill="#d62728" font-size="10">${esc(m.label)}</text>`);
  }
  o.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const p = s.points.filter((q) => Number.isFinite(q[0]) && ok(q[1]));
    if (p.length > 0) {
      const d = p.map((q, k) => `${k ? 'L' : 'M'}${px(q[0]).toFixed(1)},${py(q[1]).toFixed(1)}`).join('');
      const dash = s.dashed ? ' stroke-dasharray="5,3"' : '';
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="${s.width ?? 1.5}"${dash}/>`);
      if (s.dots) {
        for (const q of p)
          out.push(
            `<circle cx="${px(q[0]).toFixed(1)}" cy="${py(q[1]).toFixed(1)}" r="2.5" fill="${color}"/>`,
          );
      }
    }
    const ly = T + 6 + i * 16;
    out.push(
      `<rect x="${W - R + 12}" y="${ly}" width="14" height="3" fill="${color}"/>` +
        `<text x="${W - R + 30}" y="${ly + 5}">${esc(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('');
}
