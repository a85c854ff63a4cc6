// The loss curve as a self-contained SVG picture: training loss per step (thin line) and
// evaluated train/validation losses (points joined by lines), with labelled axes.

import { esc, niceTicks } from '../report/svg-common.js';

export interface CurvePoint {
  step: number;
  loss: number;
}

export interface CurveSeries {
  name: string;
  color: string;
  points: CurvePoint[];
  width?: number;
}

/** Series of (step, value) points as a line chart; `yLabel` names the vertical axis. */
export function lossCurveSvg(series: CurveSeries[], title = 'loss', yLabel = 'loss (nats/token)'): string {
  const W = 720,
    H = 420,
    L = 60,
    R = 20,
    Tp = 40,
    B = 50;
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.loss));
  const xMax = Math.max(1, ...all.map((p) => p.step));
  const yMin = Math.min(...all.map((p) => p.loss), Infinity);
  const yMax = Math.max(...all.map((p) => p.loss), -Infinity);
  const lo = Number.isFinite(yMin) ? yMin : 0;
  const hi = Number.isFinite(yMax) && yMax > lo ? yMax : lo + 1;
  const x = (s: number) => L + ((W - L - R) * s) / xMax;
  const y = (v: number) => Tp + ((H - Tp - B) * (hi - v)) / (hi - lo);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
      `font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`,
  ];
  for (const t of niceTicks(lo, hi, 6)) {
    parts.push(
      `<line x1="${L}" x2="${W - R}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#eee"/>`,
    );
    parts.push(`<text x="${L - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${t}</text>`);
  }
  for (const t of niceTicks(0, xMax, 8)) {
    parts.push(`<text x="${x(t).toFixed(1)}" y="${H - B + 18}" text-anchor="middle">${t}</text>`);
  }
  parts.push(
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/><line x1="${L}" y1="${Tp}" ` +
      `x2="${L}" y2="${H - B}" stroke="black"/>`,
  );
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">step</text>`);
  parts.push(
    `<text x="16" y="${(Tp + H - B) / 2}" text-anchor="middle" transform="rotate(-90 16 ` +
      `${(Tp + H - B) / 2})">${esc(yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => Number.isFinite(p.loss));
    if (pts.length > 0) {
      const d = pts
        .map((p, k) => `${k === 0 ? 'M' : 'L'}${x(p.step).toFixed(1)},${y(p.loss).toFixed(1)}`)
        .join('');
      parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 1.5}"/>`);
    }
    parts.push(
      `<rect x="${W - R - 150}" y="${Tp + 6 + i * 18}" width="12" height="3" fill="${s.color}"/><text ` +
        `x="${W - R - 132}" y="${Tp + 11 + i * 18}">${esc(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
