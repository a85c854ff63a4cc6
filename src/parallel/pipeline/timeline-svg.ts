// A pipeline step drawn as a timeline (GPipe, Huang et al., 2019, figure 2): one row per stage,
// a box per micro-batch's forward (F1..FM) and backward (B1..BM) where it really ran, the gaps
// between them the bubble. Plain SVG text, no dependency: the same in Node and the browser.

import { gpipeBubble, measuredBubble, stepSpan, type StageEvent } from './bubble.js';

export interface TimelineOptions {
  /** Overrides the first title line (default: "GPipe, N stages, M micro-batches"). */
  title?: string;
  /** A second line under the title (the model, the machine). */
  subtitle?: string;
  width?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number) => (Math.round(v * 10) / 10).toString();
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/** Round tick spacing (1, 2 or 5 times a power of ten) giving about `n` ticks over `span`. */
function tickStep(span: number, n: number): number {
  const raw = span / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((k) => k * p).find((s) => s >= raw) ?? 10 * p;
}

/** events[stage]: that stage's forwards and backwards in one step (wall-clock ms). */
export function timelineSvg(events: StageEvent[][], o: TimelineOptions = {}): string {
  const N = events.length;
  const M = Math.max(0, ...events.flat().map((e) => e.micro + 1));
  const [t0, t1] = stepSpan(events);
  const span = Math.max(t1 - t0, 1e-9);
  const W = o.width ?? 760;
  const left = 80;
  const right = 20;
  const top = o.subtitle ? 64 : 48;
  const rowH = 36;
  const gap = 10;
  const H = top + N * (rowH + gap) + 56;
  const x = (t: number) => left + ((t - t0) / span) * (W - left - right);
  const measured = measuredBubble(events);
  const title = o.title ?? `GPipe, ${N} stages, ${M} micro-batch${M === 1 ? '' : 'es'}: one training step`;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
      'font-family="sans-serif" font-size="11">',
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14">${esc(title)}</text>`,
    `<text x="${left}" y="38" font-size="12">bubble (idle share): ${pct(measured)} measured, ` +
      `${pct(gpipeBubble(N, M))} predicted by (N-1)/(M+N-1)</text>`,
  ];
  if (o.subtitle) out.push(`<text x="${left}" y="54" fill="#555">${esc(o.subtitle)}</text>`);
  for (let s = 0; s < N; s++) {
    const y = top + s * (rowH + gap);
    out.push(`<text x="${left - 8}" y="${y + rowH / 2 + 4}" text-anchor="end">stage ${s}</text>`);
    // The row's background shows through wherever the stage is idle.
    out.push(
      `<rect x="${left}" y="${y}" width="${W - left - right}" height="${rowH}" ` +
        'fill="#f1f1f1" stroke="#ccc"/>',
    );
    for (const e of events[s]) {
      const x0 = x(e.start);
      const w = Math.max(0.5, x(e.end) - x0);
      const fill = e.kind === 'F' ? '#4e79a7' : '#f28e2b';
      const label = `${e.kind}${e.micro + 1}`;
      out.push(
        `<rect x="${fmt(x0)}" y="${y}" width="${fmt(w)}" height="${rowH}" fill="${fill}" stroke="white">` +
          `<title>stage ${s} ${label}: ${fmt(e.end - e.start)} ms</title></rect>`,
      );
      if (w >= 18)
        out.push(
          `<text x="${fmt(x0 + w / 2)}" y="${y + rowH / 2 + 4}" text-anchor="middle" ` +
            `fill="white">${label}</text>`,
        );
    }
  }
  const axisY = top + N * (rowH + gap) + 4;
  out.push(`<line x1="${left}" x2="${W - right}" y1="${axisY}" y2="${axisY}" stroke="#888"/>`);
  const step = tickStep(span, 8);
  for (let t = 0; t <= span + 1e-9; t += step) {
    out.push(
      `<line x1="${fmt(x(t0 + t))}" x2="${fmt(x(t0 + t))}" y1="${axisY}" y2="${axisY + 4}" stroke="#888"/>`,
    );
    out.push(`<text x="${fmt(x(t0 + t))}" y="${axisY + 16}" text-anchor="middle">${fmt(t)}</text>`);
  }
  out.push(
    `<text x="${W - right}" y="${axisY + 32}" text-anchor="end">ms since the step's first forward</text>`,
  );
  const ly = axisY + 28;
  out.push(`<rect x="${left}" y="${ly - 9}" width="12" height="12" fill="#4e79a7"/>`);
  out.push(`<text x="${left + 16}" y="${ly + 1}">forward Fm</text>`);
  out.push(`<rect x="${left + 100}" y="${ly - 9}" width="12" height="12" fill="#f28e2b"/>`);
  out.push(`<text x="${left + 116}" y="${ly + 1}">backward Bm</text>`);
  out.push(`<rect x="${left + 210}" y="${ly - 9}" width="12" height="12" fill="#f1f1f1" stroke="#ccc"/>`);
  out.push(`<text x="${left + 226}" y="${ly + 1}">idle (the bubble)</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
