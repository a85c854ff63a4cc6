// A heatmap as a self-contained SVG: a matrix of values as coloured cells with row and column
// labels, e.g. an attention pattern (rows = queries, columns = keys, both labelled with tokens)
// or a grid of head scores (rows = layers, columns = heads). NaN cells (a causal mask's blocked
// upper triangle) are drawn light grey. The colour runs from white (vmin) to dark blue (vmax).

import { esc, fmtNum } from './svg-common.js';

export interface HeatmapOptions {
  /** values[r][c]; NaN = not applicable (drawn grey). */
  values: readonly (readonly number[])[];
  rowLabels?: readonly string[];
  colLabels?: readonly string[];
  title?: string;
  /** Colour range; the values' own min and max by default. */
  vmin?: number;
  vmax?: number;
  /** Largest side of one cell in pixels (cells shrink to fit `size`). */
  maxCell?: number;
  /** The pixels the grid's longer side may take (default 560); labels show while cells are >= 9 px. */
  size?: number;
  /** Print each value inside its cell (small grids such as head scores). */
  showValues?: boolean;
}

/** White -> dark blue, t in [0, 1]. */
function blue(t: number): string {
  const u = Math.min(1, Math.max(0, t));
  const r = Math.round(255 - u * (255 - 8));
  const g = Math.round(255 - u * (255 - 48));
  const b = Math.round(255 - u * (255 - 107));
  return `rgb(${r},${g},${b})`;
}

/** Labels longer than 10 characters are cut; newlines and a token's edge spaces are made visible. */
function label(s: string): string {
  const shown = s.replace(/\n/g, '⏎').replace(/^ +| +$/g, (m) => '·'.repeat(m.length));
  return shown.length > 10 ? shown.slice(0, 9) + '…' : shown;
}

export function heatmapSvg(o: HeatmapOptions): string {
  const rows = o.values.length;
  const cols = rows > 0 ? o.values[0].length : 0;
  const finite = o.values.flatMap((r) => r.filter((v) => Number.isFinite(v)));
  const lo = o.vmin ?? (finite.length ? Math.min(...finite) : 0);
  const hiRaw = o.vmax ?? (finite.length ? Math.max(...finite) : 1);
  const hi = hiRaw > lo ? hiRaw : lo + 1;
  const cell = Math.max(4, Math.min(o.maxCell ?? 28, Math.floor((o.size ?? 560) / Math.max(rows, cols, 1))));
  const labelled = cell >= 9;
  const left = o.rowLabels && labelled ? 78 : 8;
  const top = (o.title ? 26 : 6) + (o.colLabels && labelled ? 64 : 0);
  const W = Math.max(left + cols * cell + 70, o.title ? left + 7 * o.title.length : 0);
  const H = top + rows * cell + 12;
  const fs = Math.min(11, Math.max(7, cell - 3));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" width="${W}" height="${H}" ` +
      `viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="${fs}" ` +
      `data-rows="${rows}" data-cols="${cols}">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
  ];
  if (o.title) out.push(`<text x="${left}" y="16" font-size="13">${esc(o.title)}</text>`);
  const tooltips = rows * cols <= 4096;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = o.values[r][c];
      const fill = Number.isFinite(v) ? blue((v - lo) / (hi - lo)) : '#eeeeee';
      const x = left + c * cell;
      const y = top + r * cell;
      const tip = tooltips
        ? `<title>${esc(`${o.rowLabels?.[r] ?? r} → ${o.colLabels?.[c] ?? c}: ${fmtNum(v)}`)}</title>`
        : '';
      out.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}">${tip}</rect>`);
      if (o.showValues && Number.isFinite(v) && cell >= 22) {
        const dark = (v - lo) / (hi - lo) > 0.55;
        out.push(
          `<text x="${x + cell / 2}" y="${y + cell / 2 + 3}" text-anchor="middle" font-size="8" ` +
            `fill="${dark ? 'white' : 'black'}">${fmtNum(v, 2)}</text>`,
        );
      }
    }
  }
  if (labelled && o.rowLabels) {
    o.rowLabels.forEach((s, r) =>
      out.push(
        `<text x="${left - 4}" y="${top + r * cell + cell / 2 + fs / 3}" text-anchor="end">` +
          `${esc(label(s))}</text>`,
      ),
    );
  }
  if (labelled && o.colLabels) {
    o.colLabels.forEach((s, c) => {
      const x = left + c * cell + cell / 2 + fs / 3;
      out.push(
        `<text x="${x}" y="${top - 4}" transform="rotate(-60 ${x} ${top - 4})">${esc(label(s))}</text>`,
      );
    });
  }
  // The colour bar: vmin at the bottom, vmax at the top.
  const bx = left + cols * cell + 14;
  const bh = Math.max(40, Math.min(rows * cell, 160));
  for (let i = 0; i < 20; i++) {
    out.push(
      `<rect x="${bx}" y="${top + (bh * i) / 20}" width="10" height="${bh / 20 + 0.5}" ` +
        `fill="${blue(1 - i / 19)}"/>`,
    );
  }
  out.push(`<text x="${bx + 13}" y="${top + 8}" font-size="9">${fmtNum(hi)}</text>`);
  out.push(`<text x="${bx + 13}" y="${top + bh}" font-size="9">${fmtNum(lo)}</text>`);
  out.push('</svg>');
  return out.join('');
}
