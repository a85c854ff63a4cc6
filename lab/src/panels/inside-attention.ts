// The "Look inside" panel's attention heatmaps: one <canvas> per layer and head, each the causal
// (T, T) pattern of the probe (row i = query at position i, column j = key j <= i; Vaswani et al.,
// 2017, eq. 1, softmax(QKᵀ/√d)), white (0) to dark blue (1), the masked upper triangle grey.
// Hovering names the query, key and weight; clicking a head enlarges it with the tokens on its axes.

import type { InsideView } from '../worker/inside.js';

/** A token as a label: newline and space made visible. */
export function showToken(t: string): string {
  return t === '\n' ? '⏎' : t === ' ' ? '␣' : t;
}

/** Side of a small heatmap in pixels (about). */
const SMALL = 132;
/** Side of the enlarged heatmap's grid, and the margin its token labels take. */
const LARGE = 384;
const MARGIN = 22;

/** The colour of weight w in [0, 1]: white to dark blue (#1f3f8f). */
function shade(w: number): string {
  const t = Math.min(1, Math.max(0, w));
  const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgb(${mix(255, 31)},${mix(255, 63)},${mix(255, 143)})`;
}

/** Draws pattern A (T, T) with cells of `cell` px, from (x0, y0). */
function paint(g: CanvasRenderingContext2D, A: number[][], cell: number, x0: number, y0: number): void {
  const T = A.length;
  for (let i = 0; i < T; i++)
    for (let j = 0; j < T; j++) {
      g.fillStyle = j > i ? '#e4e6eb' : shade(A[i][j]); // j > i: a future key, masked
      g.fillRect(x0 + j * cell, y0 + i * cell, cell, cell);
    }
}

/** The grid of heatmaps, its hover line and its enlarged view; draw() repaints them with a new view. */
export class AttentionGrid {
  private readonly grid = document.createElement('div');
  private readonly hover = document.createElement('p');
  private readonly zoom = document.createElement('div');
  private readonly zoomCaption = document.createElement('p');
  private readonly zoomCanvas = document.createElement('canvas');
  private view: InsideView | null = null;
  private selected: { layer: number; head: number } | null = null;

  constructor(root: HTMLElement) {
    this.grid.className = 'inside-grid';
    this.hover.className = 'inside-hover';
    this.hover.textContent = 'hover a cell: the query (row), the key (column) and its weight';
    this.zoom.className = 'inside-zoom';
    this.zoom.hidden = true;
    this.zoomCaption.className = 'inside-caption';
    const close = document.createElement('button');
    close.type = 'button';
    close.textContent = 'close';
    close.addEventListener('click', () => this.select(null));
    this.zoom.append(this.zoomCaption, this.zoomCanvas, close);
    root.append(this.grid, this.hover, this.zoom);
    this.zoomCanvas.addEventListener('mousemove', (e) => {
      const s = this.selected;
      const cell = this.zoomCell();
      if (s) this.point(s.layer, s.head, (e.offsetY - MARGIN) / cell, (e.offsetX - MARGIN) / cell);
    });
  }

  /** Every small heatmap canvas, layer-major (read by the tests and the screenshot). */
  canvases(): HTMLCanvasElement[] {
    return [...this.grid.querySelectorAll('canvas')];
  }

  draw(view: InsideView): void {
    this.view = view;
    const T = view.tokens.length;
    const cell = Math.max(3, Math.floor(SMALL / T));
    const same = this.grid.dataset.shape === `${view.nLayer}x${view.nHead}x${T}`;
    if (!same) this.build(view, cell * T);
    view.attention.forEach((heads, l) =>
      heads.forEach((A, h) => {
        const canvas = this.grid.querySelector<HTMLCanvasElement>(`canvas[data-head="${l}.${h}"]`)!;
        paint(canvas.getContext('2d')!, A, cell, 0, 0);
        canvas.title = `layer ${l}, head ${h}: ${view.headKinds[l * view.nHead + h]} (click to enlarge)`;
      }),
    );
    const s = this.selected;
    if (s && (s.layer >= view.nLayer || s.head >= view.nHead)) this.select(null);
    else this.drawZoom();
  }

  /** One row per layer: its name, then a captioned canvas per head. */
  private build(view: InsideView, side: number): void {
    this.grid.replaceChildren();
    this.grid.dataset.shape = `${view.nLayer}x${view.nHead}x${view.tokens.length}`;
    for (let l = 0; l < view.nLayer; l++) {
      const row = document.createElement('div');
      row.className = 'inside-layer';
      const name = document.createElement('span');
      name.className = 'inside-layer-name';
      name.textContent = `layer ${l}`;
      row.append(name);
      for (let h = 0; h < view.nHead; h++) {
        const fig = document.createElement('figure');
        const canvas = document.createElement('canvas');
        canvas.width = canvas.height = side;
        canvas.dataset.head = `${l}.${h}`;
        const cell = side / view.tokens.length;
        canvas.addEventListener('mousemove', (e) => this.point(l, h, e.offsetY / cell, e.offsetX / cell));
        canvas.addEventListener('click', () => this.select({ layer: l, head: h }));
        const cap = document.createElement('figcaption');
        cap.textContent = `head ${h}`;
        fig.append(canvas, cap);
        row.append(fig);
      }
      this.grid.append(row);
    }
  }

  private select(s: { layer: number; head: number } | null): void {
    this.selected = s;
    this.zoom.hidden = s === null;
    for (const c of this.canvases())
      c.classList.toggle('inside-selected', c.dataset.head === `${s?.layer}.${s?.head}`);
    this.drawZoom();
  }

  private zoomCell(): number {
    return Math.max(8, Math.floor(LARGE / (this.view?.tokens.length ?? 1)));
  }

  /** The enlarged head: its grid, the keys' tokens along the top and the queries' down the left. */
  private drawZoom(): void {
    const v = this.view;
    const s = this.selected;
    if (!v || !s) return;
    const T = v.tokens.length;
    const cell = this.zoomCell();
    const c = this.zoomCanvas;
    c.width = c.height = MARGIN + cell * T;
    const g = c.getContext('2d')!;
    g.fillStyle = '#fff';
    g.fillRect(0, 0, c.width, c.height);
    paint(g, v.attention[s.layer][s.head], cell, MARGIN, MARGIN);
    g.fillStyle = '#1d2330';
    g.font = `${Math.min(13, cell)}px ui-monospace, monospace`;
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    v.tokens.forEach((t, k) => {
      g.fillText(showToken(t), MARGIN + (k + 0.5) * cell, MARGIN / 2); // key k
      g.fillText(showToken(t), MARGIN / 2, MARGIN + (k + 0.5) * cell); // query k
    });
    const kind = v.headKinds[s.layer * v.nHead + s.head];
    this.zoomCaption.textContent =
      `layer ${s.layer}, head ${s.head} (${kind}) at step ${v.step}: row = query, column = key; ` +
      'each row sums to 1 over the keys at or before the query';
  }

  /** The hover line for query row i, key column j (fractional cell coordinates). */
  private point(layer: number, head: number, fi: number, fj: number): void {
    const v = this.view;
    if (!v) return;
    const [i, j] = [Math.floor(fi), Math.floor(fj)];
    const T = v.tokens.length;
    if (i < 0 || j < 0 || i >= T || j >= T) return;
    const q = `query ${i} '${showToken(v.tokens[i])}'`;
    const k = `key ${j} '${showToken(v.tokens[j])}'`;
    this.hover.textContent =
      j > i
        ? `layer ${layer}, head ${head}: ${q} cannot see ${k} (a later token: masked)`
        : `layer ${layer}, head ${head}: ${q} → ${k}: ${v.attention[layer][head][i][j].toFixed(3)}`;
  }
}
