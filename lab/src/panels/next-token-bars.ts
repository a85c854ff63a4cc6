// The Next-token panel's bar chart: one column per token, most likely first. The bar is the
// probability sampling draws from (after temperature and the filters); a faint bar behind it is the
// model's own probability (temperature 1, no filter), and a token a filter removed is greyed, with
// the filter's name under it. Plain DOM, so each bar has its own colour, label and tooltip.

import type { NextTokenView } from '../worker/next-token.js';

/** A token's text made visible: spaces, newlines and tabs get a symbol. */
export function showPiece(piece: string): string {
  return piece.replace(/ /g, '\u2423').replace(/\n/g, '\u23ce').replace(/\t/g, '\u21e5');
}

function pct(p: number): string {
  return p === 0
    ? '0'
    : p >= 0.995
      ? '100%'
      : p >= 0.01
        ? `${(100 * p).toFixed(1)}%`
        : `${(100 * p).toFixed(2)}%`;
}

/** Draws `v` into `root` (replacing what was there). */
export function drawBars(root: HTMLElement, v: NextTokenView): void {
  const top = Math.max(...v.probs, ...v.raw, 1e-9);
  root.textContent = '';
  v.ids.forEach((id, i) => {
    const col = document.createElement('div');
    col.className = 'nt-col';
    const removed = v.removedBy[i];
    if (removed) col.classList.add('nt-removed');
    col.dataset.id = String(id);
    col.title =
      `token ${id} ${JSON.stringify(v.pieces[i])}: p = ${v.probs[i].toPrecision(4)} after the settings, ` +
      `${v.raw[i].toPrecision(4)} under the model` +
      (removed ? `; removed by ${removed}` : '');
    const value = document.createElement('span');
    value.className = 'nt-value';
    value.textContent = pct(v.probs[i]);
    const area = document.createElement('div');
    area.className = 'nt-area';
    const ghost = document.createElement('div');
    ghost.className = 'nt-ghost';
    ghost.style.height = `${(100 * v.raw[i]) / top}%`;
    const bar = document.createElement('div');
    bar.className = 'nt-bar';
    bar.style.height = `${(100 * v.probs[i]) / top}%`;
    area.append(ghost, bar);
    const label = document.createElement('span');
    label.className = 'nt-token';
    label.textContent = showPiece(v.pieces[i]);
    const why = document.createElement('span');
    why.className = 'nt-why';
    why.textContent = removed ?? '';
    col.append(value, area, label, why);
    root.append(col);
  });
}
