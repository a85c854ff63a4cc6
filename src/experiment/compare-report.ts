// The results of `llmfs compare`: one row per variant (parameters, final and best validation loss,
// tokens/s, peak memory, time), the table as Markdown, and the HTML report with the loss curves
// of every variant on one chart and the attention cost against context length.

import type { Report } from '../report/html.js';
import { lineChartSvg } from '../report/line-chart.js';
import type { CostCurve } from './attention-cost.js';

export interface VariantResult {
  name: string;
  what: string;
  /** The train flags that made it, beyond the shared ones. */
  flags: string[];
  dir: string;
  parameters: number;
  valLoss: number;
  bestValLoss: number;
  tokensPerSecond: number;
  /** Peak resident memory of the training process (MB). */
  peakMemoryMB: number;
  seconds: number;
  /** Validation (or train, without a split) loss at each evaluation. */
  evals: [number, number][];
}

export interface Comparison {
  /** The flags every variant shared. */
  shared: string[];
  results: VariantResult[];
  cost: CostCurve[];
}

const fmt = (x: number, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : String(x));

/** The table rows (header first) shared by the terminal, the Markdown and the report. */
export function comparisonRows(c: Comparison): string[][] {
  const head = ['variant', 'parameters', 'val loss', 'best val', 'tokens/s', 'peak MB', 'time'];
  const rows = c.results.map((r) => [
    r.name,
    r.parameters.toLocaleString('en-US'),
    fmt(r.valLoss),
    fmt(r.bestValLoss),
    String(Math.round(r.tokensPerSecond)),
    String(Math.round(r.peakMemoryMB)),
    `${r.seconds.toFixed(0)} s`,
  ]);
  return [head, ...rows];
}

export function comparisonMarkdown(c: Comparison): string {
  const [head, ...rows] = comparisonRows(c);
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  if (c.cost.length > 0) {
    const Ts = c.cost[0].points.map((p) => p.T);
    lines.push('', `| forward + backward (ms) | ${Ts.map((T) => `T = ${T}`).join(' | ')} |`);
    lines.push(`|---|${Ts.map(() => '---:').join('|')}|`);
    for (const cv of c.cost)
      lines.push(`| ${cv.variant} | ${cv.points.map((p) => p.ms.toFixed(1)).join(' | ')} |`);
  }
  return lines.join('\n');
}

export function lossCurvesSvg(c: Comparison): string {
  return lineChartSvg({
    series: c.results.map((r) => ({ name: r.name, points: r.evals, dots: true })),
    title: 'validation loss, same data, tokens and seed',
    xLabel: 'step',
    yLabel: 'loss (nats/token)',
  });
}

export function comparisonReport(c: Comparison): Report {
  const [head, ...rows] = comparisonRows(c);
  const best = c.results.reduce((a, b) => (b.bestValLoss < a.bestValLoss ? b : a), c.results[0]);
  const items: Report['sections'][number]['items'] = [
    { kind: 'table', columns: head, rows, highlight: [c.results.indexOf(best)] },
    { kind: 'figure', svg: lossCurvesSvg(c), caption: 'Validation loss at each evaluation, per variant.' },
    {
      kind: 'table',
      columns: ['variant', 'what it changes', 'flags', 'run directory'],
      rows: c.results.map((r) => [r.name, r.what, r.flags.join(' ') || '(none)', r.dir]),
    },
  ];
  const sections: Report['sections'] = [{ title: 'The variants', items }];
  if (c.cost.length > 0) {
    const Ts = c.cost[0].points.map((p) => p.T);
    sections.push({
      title: 'Attention cost against context length',
      items: [
        {
          kind: 'figure',
          svg: lineChartSvg({
            series: c.cost.map((cv) => ({
              name: cv.variant,
              points: cv.points.map((p) => [p.T, p.ms]),
              dots: true,
            })),
            title: 'one block (C = 128, 4 heads), forward + backward, batch 1',
            xLabel: 'context length T',
            yLabel: 'ms',
          }),
          caption: 'Full attention grows as T²; the sparse and linear variants about as T.',
        },
        {
          kind: 'table',
          columns: ['variant', ...Ts.map((T) => `T = ${T} (ms)`)],
          rows: c.cost.map((cv) => [cv.variant, ...cv.points.map((p) => p.ms.toFixed(1))]),
        },
      ],
    });
  }
  return {
    title: 'Architecture comparison',
    subtitle: `shared settings: ${c.shared.join(' ')}`,
    findings: [`Lowest validation loss: ${best.name} (${fmt(best.bestValLoss)}).`],
    sections,
  };
}
