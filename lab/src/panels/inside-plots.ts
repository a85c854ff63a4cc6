// The "Look inside" panel's other three views: the token embedding in 2-D (pca2d, a labelled
// scatter on a canvas), the logit lens (nostalgebraist, 2020; a table, rows = layers, columns =
// probe positions, each cell the layer's top next token shaded by its probability) and the last
// step's gradient norm per layer group (a uPlot bar chart).

import uPlot from 'uplot';
import type { InsideView } from '../worker/inside.js';
import { showToken } from './inside-attention.js';

const PCA_W = 420;
const PCA_H = 300;
const PAD = 28;
/** Points labelled with their token (a large vocabulary's points come most frequent first). */
const LABELS = 80;

/** The embedding scatter: each token of the vocabulary at its two principal coordinates. */
export function drawPca(canvas: HTMLCanvasElement, caption: HTMLElement, view: InsideView): void {
  const { points, tokens, explained } = view.pca;
  canvas.width = PCA_W;
  canvas.height = PCA_H;
  const g = canvas.getContext('2d')!;
  g.fillStyle = '#fff';
  g.fillRect(0, 0, PCA_W, PCA_H);
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  // One scale for both axes, so distances on the page are distances in the plane.
  const span = Math.max(...xs.map(Math.abs), ...ys.map(Math.abs), 1e-12);
  const k = Math.min(PCA_W - 2 * PAD, PCA_H - 2 * PAD) / (2 * span);
  const X = (x: number) => PCA_W / 2 + x * k;
  const Y = (y: number) => PCA_H / 2 - y * k;
  g.strokeStyle = '#d5d9e2';
  g.beginPath();
  g.moveTo(PAD / 2, PCA_H / 2);
  g.lineTo(PCA_W - PAD / 2, PCA_H / 2);
  g.moveTo(PCA_W / 2, PAD / 2);
  g.lineTo(PCA_W / 2, PCA_H - PAD / 2);
  g.stroke();
  g.font = '12px ui-monospace, monospace';
  g.textBaseline = 'middle';
  points.forEach(([x, y], i) => {
    g.fillStyle = '#3b6fd8';
    g.beginPath();
    g.arc(X(x), Y(y), 3, 0, 2 * Math.PI);
    g.fill();
    g.fillStyle = '#1d2330';
    if (i < LABELS) g.fillText(showToken(tokens[i]), X(x) + 5, Y(y));
  });
  g.fillStyle = '#6a7283';
  g.font = '11px sans-serif';
  g.fillText(`PC1 → ${(100 * explained[0]).toFixed(1)}% of the variance`, PAD / 2, PCA_H - 8);
  g.save();
  g.translate(10, PCA_H - PAD);
  g.rotate(-Math.PI / 2);
  g.fillText(`PC2 → ${(100 * explained[1]).toFixed(1)}%`, 0, 0);
  g.restore();
  const which =
    tokens.length === view.pca.vocabSize
      ? `the ${tokens.length} rows`
      : `the ${tokens.length} most frequent tokens' rows (of ${view.pca.vocabSize}; the first ${LABELS} labelled)`;
  caption.textContent =
    `${which} of the token embedding wte at step ${view.step}, centred and projected ` +
    `on their two principal directions (together ${(100 * (explained[0] + explained[1])).toFixed(1)}% ` +
    'of the variance): tokens the model treats alike drift together';
}

/** The logit lens table: a row per layer, a column per probe position. */
export function drawLens(table: HTMLTableElement, view: InsideView): void {
  const head = document.createElement('tr');
  head.append(cell('th', 'input →'));
  for (const t of view.tokens) head.append(cell('th', showToken(t)));
  const rows = view.lens.names.map((name, l) => {
    const tr = document.createElement('tr');
    tr.append(cell('th', name));
    for (const top of view.lens.top[l]) {
      const td = cell('td', showToken(top[0].token));
      const p = top[0].prob;
      td.style.background = `rgba(59, 111, 216, ${p.toFixed(3)})`;
      td.style.color = p > 0.55 ? '#fff' : '#1d2330';
      td.title = top.map((c) => `'${showToken(c.token)}' ${c.prob.toFixed(3)}`).join(' · ');
      tr.append(td);
    }
    return tr;
  });
  table.replaceChildren(head, ...rows);
}

function cell(tag: 'td' | 'th', text: string): HTMLTableCellElement {
  const el = document.createElement(tag);
  el.textContent = text;
  return el;
}

/** The gradient-norm bar chart (uPlot, bars): x = group index, y = ||grad|| before clipping. */
export class GradBars {
  private names: string[] = [];
  private readonly chart: uPlot;

  constructor(
    root: HTMLElement,
    private readonly caption: HTMLElement,
  ) {
    const bars = uPlot.paths.bars!({ size: [0.6, 48] });
    this.chart = new uPlot(
      {
        width: 420,
        height: 220,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] } },
        axes: [
          { values: (_u, splits) => splits.map((i) => this.names[i] ?? ''), space: 30 },
          { label: '‖gradient‖', size: 60 },
        ],
        series: [
          {},
          {
            label: 'gradient norm',
            fill: '#3b6fd8',
            stroke: '#3b6fd8',
            paths: bars,
            points: { show: false },
          },
        ],
      },
      [[], []],
      root,
    );
  }

  draw(view: InsideView): void {
    const g = view.grads;
    if (!g) {
      this.names = [];
      this.chart.setData([[], []]);
      this.caption.textContent = 'no gradients yet: take a step';
      return;
    }
    this.names = g.names;
    this.chart.setData([g.names.map((_, i) => i), g.norms]);
    this.caption.textContent =
      `step ${view.step}: the norm of each group's gradient before clipping (total ${g.total.toFixed(3)}); ` +
      'embeddings = wte and wpe, h.N = block N, head = the final norm (and an untied output layer)';
  }
}
