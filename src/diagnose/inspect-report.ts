// The `llmfs inspect` report: what each head is (a table and a layers x heads grid per score),
// what it looks at (one heatmap per head, queries down, keys across, labelled with the prompt's
// tokens), the most induction-like head on the repeated random sequence, and the logit lens
// (a layers x positions table of top-1 predictions and a heatmap of each layer's KL to the final
// distribution). Portable: builds a Report (src/report/), writes nothing.

import { heatmapSvg } from '../report/heatmap.js';
import type { Report, ReportItem } from '../report/html.js';
import { CLASS_THRESHOLD, LOCAL_THRESHOLD, type HeadScoreSet } from './head-scores.js';
import { LOCAL_WINDOW } from './attention-stats.js';
import type { HeadReport, InspectData } from './inspect.js';

export interface ReportSelection {
  /** Only this layer's heads get a heatmap (all layers when omitted). */
  layer?: number;
  /** Only this head (in every selected layer). */
  head?: number;
  /** The lens table shows at most this many positions, the last ones (default 24). */
  lensPositions?: number;
}

/** NaN above the diagonal, where the causal mask blocks the key (drawn grey). */
/** A grid budget that keeps 10-pixel cells, so token labels stay readable, up to 128 tokens. */
const labelledSize = (n: number): number => Math.min(1280, Math.max(560, 10 * n));

function masked(A: readonly (readonly number[])[]): number[][] {
  return A.map((row, i) => row.map((v, j) => (j > i ? NaN : v)));
}

/**
 * The top of a pattern's colour scale: its largest weight outside query 0 (which always puts 1 on
 * key 0 and would wash a diffuse head out), at least 0.05.
 */
function colourTop(A: readonly (readonly number[])[]): number {
  let m = 0.05;
  for (let i = 1; i < A.length; i++) for (let j = 0; j <= i; j++) m = Math.max(m, A[i][j]);
  return m;
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '-');
export const headName = (h: { layer: number; head: number }) => `${h.layer}.${h.head}`;

/** One finding per class that occurs, naming its heads with their score. */
export function headFindings(heads: readonly HeadReport[], uniform: HeadScoreSet): string[] {
  const out: string[] = [];
  const score = (h: HeadReport) =>
    h.class === 'induction'
      ? h.induction
      : h.class === 'previous-token'
        ? h.previous
        : h.class === 'sink'
          ? h.sink
          : h.local;
  for (const cls of ['previous-token', 'induction', 'sink', 'local'] as const) {
    const hs = heads.filter((h) => h.class === cls);
    if (hs.length > 0)
      out.push(
        `${cls} heads (layer.head, score): ${hs.map((h) => `${headName(h)} ${f3(score(h))}`).join(', ')}`,
      );
  }
  const best = heads.reduce((a, b) => (b.induction > a.induction ? b : a));
  out.push(
    `highest induction score: head ${headName(best)}, ${f3(best.induction)} ` +
      `(uniform attention would score ${f3(uniform.induction)})`,
  );
  if (heads.every((h) => h.class === 'mixed'))
    out.push(
      `no head is specialised yet: uniform attention would score previous-token ` +
        `${f3(uniform.previous)}, sink ${f3(uniform.sink)}, local ${f3(uniform.local)} on this prompt; ` +
        `compare the table (heads look like this at random init and early in training)`,
    );
  return out;
}

function headSection(d: InspectData): ReportItem[] {
  const grid = (key: 'previous' | 'sink' | 'local' | 'induction' | 'entropyNormalised', title: string) => {
    const values = Array.from({ length: d.nLayer }, (_, l) =>
      Array.from({ length: d.nHead }, (_, h) => d.heads[l * d.nHead + h][key]),
    );
    const svg = heatmapSvg({
      values,
      rowLabels: values.map((_, l) => `layer ${l}`),
      colLabels: Array.from({ length: d.nHead }, (_, h) => `head ${h}`),
      title,
      vmin: 0,
      vmax: 1,
      showValues: true,
    });
    return { kind: 'figure', svg, caption: `${title}: rows are layers, columns heads` } as const;
  };
  return [
    {
      kind: 'text',
      text:
        `A head's class is its highest specific score (induction, previous-token, sink) if it is at least ` +
        `${CLASS_THRESHOLD}; else 'local' if at least ${LOCAL_THRESHOLD} of its attention falls on the ` +
        `query's own token and the ${LOCAL_WINDOW} before it; else 'mixed'. Entropy is in nats, ` +
        `averaged over queries 1..T-1; the normalised entropy divides each query's by log(keys it sees).`,
    },
    {
      kind: 'table',
      columns: ['head', 'class', 'entropy', 'entropy (norm.)', 'previous', 'sink', 'local', 'induction'],
      rows: d.heads.map((h) => [
        headName(h),
        h.class,
        f3(h.entropy),
        f3(h.entropyNormalised),
        f3(h.previous),
        f3(h.sink),
        f3(h.local),
        f3(h.induction),
      ]),
    },
    grid('previous', 'previous-token score'),
    grid('induction', `induction score (R = ${d.induction.R} random tokens, repeated)`),
    grid('sink', 'first-token (sink) score'),
    grid('local', `local score (keys i-${LOCAL_WINDOW}..i)`),
    grid('entropyNormalised', 'normalised attention entropy'),
  ];
}

function patternSection(d: InspectData, s: ReportSelection): ReportItem[] {
  const items: ReportItem[] = [];
  for (let l = 0; l < d.nLayer; l++) {
    if (s.layer !== undefined && l !== s.layer) continue;
    for (let h = 0; h < d.nHead; h++) {
      if (s.head !== undefined && h !== s.head) continue;
      const info = d.heads[l * d.nHead + h];
      const svg = heatmapSvg({
        values: masked(d.patterns[l][h]),
        rowLabels: d.tokens,
        colLabels: d.tokens,
        title: `layer ${l}, head ${h} (${info.class})`,
        vmin: 0,
        vmax: colourTop(d.patterns[l][h]),
        size: labelledSize(d.tokens.length),
      });
      items.push({
        kind: 'figure',
        svg,
        caption: `queries down, keys across; ${info.class}; the colour scale tops at the largest weight`,
      });
    }
  }
  return items;
}

function lensSection(d: InspectData, s: ReportSelection): ReportItem[] {
  const T = d.tokens.length;
  const n = Math.min(T, s.lensPositions ?? 24);
  const from = T - n;
  const cols = d.tokens.slice(from).map((t, k) => `${from + k}: ${JSON.stringify(t)}`);
  const rows = d.lens.names.map((name, l) => [
    name,
    ...d.lens.top[l].slice(from).map((ps) => `${JSON.stringify(ps[0].token)} ${ps[0].prob.toFixed(2)}`),
  ]);
  const kl = heatmapSvg({
    values: d.lens.kl,
    rowLabels: d.lens.names,
    colLabels: d.tokens,
    title: 'KL(final || layer) in nats, per position',
    vmin: 0,
    size: labelledSize(d.tokens.length),
  });
  return [
    {
      kind: 'text',
      text:
        `Each layer's residual stream read through ln_f and the output head: the next token it would ` +
        `predict at each position (with its probability). The last row is the model's own prediction.`,
    },
    {
      kind: 'table',
      caption: n < T ? `the last ${n} of ${T} positions` : undefined,
      columns: ['layer', ...cols],
      rows,
    },
    { kind: 'figure', svg: kl, caption: 'how far each layer is from the final distribution (0 = there)' },
  ];
}

export function inspectReport(d: InspectData, s: ReportSelection = {}): Report {
  const ind = d.induction;
  const b = ind.best;
  const which =
    s.layer === undefined && s.head === undefined
      ? 'every head'
      : `layer ${s.layer ?? 'any'}, head ${s.head ?? 'any'}`;
  return {
    title: 'Inside the model: attention heads and the logit lens',
    subtitle: `${d.tokens.length} prompt tokens, ${d.nLayer} layers x ${d.nHead} heads`,
    findings: headFindings(d.heads, d.uniform),
    sections: [
      { title: 'Heads by score', items: headSection(d) },
      { title: `Attention patterns on the prompt (${which})`, items: patternSection(d, s) },
      {
        title: 'Induction: the most induction-like head on a repeated random sequence',
        items: [
          {
            kind: 'figure',
            svg: heatmapSvg({
              values: masked(b.pattern),
              rowLabels: ind.tokens,
              colLabels: ind.tokens,
              title: `layer ${b.layer}, head ${b.head}: induction score ${b.score.toFixed(3)}`,
              vmin: 0,
              vmax: 1,
              size: labelledSize(ind.tokens.length),
            }),
            caption:
              `${ind.R} random tokens (seed ${ind.seed}) repeated twice; an induction head lights the ` +
              `off-diagonal stripe i -> i - ${ind.R} + 1 in the second half.`,
          },
        ],
      },
      { title: 'Logit lens', items: lensSection(d, s) },
    ],
  };
}
