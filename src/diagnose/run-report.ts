// The training run's health as a Report (src/report/): the loss curve with its spikes marked,
// per-layer gradient norms and update/weight ratios over the run (log scale, with the ~1e-3 rule
// of thumb drawn in), the residual stream's std through the layers, dead MLP units and attention
// entropy per layer, the findings of run-findings.ts first, and a table of the last measurement.

import type { Report, ReportItem, ReportSection } from '../report/html.js';
import { lineChartSvg, type LineSeries } from '../report/line-chart.js';
import { fmtNum } from '../report/svg-common.js';
import { HEALTHY_UPDATE_RATIO, type RunAnalysis, type RunData } from './run-findings.js';
import type { HealthRecord } from './training-health.js';

/** One line per finding, as the findings box and the terminal show it. */
export function findingLine(f: { severity: string; what: string; fix: string }): string {
  return f.severity === 'info' && f.fix === 'none needed'
    ? f.what
    : `${f.severity}: ${f.what}. Fix: ${f.fix}`;
}

/** A series per health group or layer, over the measured steps. */
function perName(
  health: readonly HealthRecord[],
  names: readonly string[],
  value: (r: HealthRecord, i: number) => number,
): LineSeries[] {
  return names.map((name, i) => ({
    name,
    points: health.map((r) => [r.step, value(r, i)] as const),
    dots: true,
  }));
}

/** At most `n` records spread over the run (always the first and the last). */
function spread<T>(xs: readonly T[], n: number): T[] {
  if (xs.length <= n) return [...xs];
  return Array.from({ length: n }, (_, i) => xs[Math.round((i * (xs.length - 1)) / (n - 1))]);
}

function lossSection(run: RunData, a: RunAnalysis): ReportSection {
  const steps = run.steps.filter((s) => Number.isFinite(s.loss));
  const series: LineSeries[] = [
    { name: 'loss (step)', points: steps.map((s) => [s.step, s.loss] as const), width: 1 },
    { name: 'running median', points: a.smoothed.map((p) => [p.step, p.value] as const), width: 2 },
    { name: 'train (eval)', points: run.evals.map((e) => [e.step, e.trainLoss] as const), dots: true },
    { name: 'val (eval)', points: run.evals.map((e) => [e.step, e.valLoss] as const), dots: true },
  ];
  const markers = [
    ...a.lossSpikes.spikes.map((s) => ({ x: s.step, label: 'spike' })),
    ...a.lossSpikes.nonFinite.map((x) => ({ x, label: 'NaN' })),
  ];
  const items: ReportItem[] = [
    {
      kind: 'figure',
      svg: lineChartSvg({ series, markers, title: 'loss', xLabel: 'step', yLabel: 'loss (nats)' }),
      caption: 'Per-step training loss, its running median and the evaluations; spikes are marked.',
    },
  ];
  if (a.lossSpikes.spikes.length > 0)
    items.push({
      kind: 'table',
      caption: 'Loss spikes: above the median of the 25 steps before by more than 6 robust std and 10%',
      columns: ['step', 'loss', 'baseline (median)', 'threshold'],
      rows: a.lossSpikes.spikes.map((s) => [
        s.step,
        fmtNum(s.value),
        fmtNum(s.baseline),
        fmtNum(s.threshold),
      ]),
    });
  const grads = run.steps.filter((s) => s.gradNorm !== undefined && Number.isFinite(s.gradNorm));
  if (grads.length > 0) {
    const g: LineSeries = {
      name: 'global grad norm',
      points: grads.map((s) => [s.step, s.gradNorm!] as const),
    };
    const gm = a.gradSpikes.spikes.map((s) => ({ x: s.step, label: 'spike' }));
    items.push({
      kind: 'figure',
      svg: lineChartSvg({
        series: [g],
        markers: gm,
        logY: true,
        title: 'gradient norm (before clipping)',
        xLabel: 'step',
      }),
      caption:
        `Clipping at ${run.config.gradClip || 'off'}; ` +
        'spikes (at least twice the recent median) are marked.',
    });
  }
  return { title: 'Loss and gradient norm', items };
}

function healthSections(health: readonly HealthRecord[]): ReportSection[] {
  const groups = health[0].groups.map((g) => g.name);
  const layers = health[0].layers.map((_, i) => `h.${i}`);
  const ratio = perName(health, groups, (r, i) => r.groups[i]?.updateRatio ?? NaN);
  const steps = health.map((r) => r.step);
  ratio.push({
    name: '1e-3 (rule of thumb)',
    points: [
      [Math.min(...steps), HEALTHY_UPDATE_RATIO],
      [Math.max(...steps), HEALTHY_UPDATE_RATIO],
    ],
    dashed: true,
    color: '#888',
  });
  const chart = (series: LineSeries[], title: string, yLabel: string, logY = false) =>
    lineChartSvg({ series, title, xLabel: 'step', yLabel, logY });
  const residualNames = ['embeddings', ...layers];
  // A few steps spread over the run, and the one where the stream was widest.
  const widest = health.reduce((a, r) =>
    Math.max(...r.residual.map((x) => x.std)) > Math.max(...a.residual.map((x) => x.std)) ? r : a,
  );
  const picks = [...new Set([...spread(health, 5), widest])].sort((a, b) => a.step - b.step);
  const depth = picks.map((r) => ({
    name: `step ${r.step}`,
    points: r.residual.map((s, i) => [i, s.std] as const),
    dots: true,
  }));
  const last = health[health.length - 1];
  return [
    {
      title: 'Per-layer gradients and updates',
      items: [
        {
          kind: 'figure',
          svg: chart(
            perName(health, groups, (r, i) => r.groups[i]?.gradNorm ?? NaN),
            'gradient norm per group',
            '||g||',
            true,
          ),
          caption: 'Gradient norm of each group before clipping, at step 1 and each evaluation.',
        },
        {
          kind: 'figure',
          svg: chart(ratio, 'update / weight ratio', '||ΔW|| / ||W||', true),
          caption: 'How far one step moves each group, relative to its size; ~1e-3 is healthy.',
        },
      ],
    },
    {
      title: 'Activations',
      items: [
        {
          kind: 'figure',
          svg: chart(
            perName(health, residualNames, (r, i) => r.residual[i]?.std ?? NaN),
            'residual stream std over training',
            'std',
            true,
          ),
          caption: 'Std of the residual stream at each depth on the probe batch: pre-norm keeps it ~1.',
        },
        {
          kind: 'figure',
          svg: lineChartSvg({
            series: depth,
            title: 'residual stream std through the layers',
            xLabel: 'depth (0 = embeddings, i = after block h.i-1)',
            yLabel: 'std',
          }),
          caption: 'Std of the residual stream entering block 0 and leaving each block (probe batch).',
        },
        {
          kind: 'figure',
          svg: chart(
            perName(health, layers, (r, i) => r.layers[i].dead),
            'dead MLP units',
            'share of units',
          ),
          caption: 'Units whose output stays within ±1e-3 at every probe position: they pass on nothing.',
        },
        {
          kind: 'figure',
          svg: chart(
            perName(health, layers, (r, i) => r.layers[i].attnEntropy),
            'attention entropy',
            'nats',
          ),
          caption: 'Mean entropy of the attention weights: falls as heads learn to look somewhere.',
        },
      ],
    },
    {
      title: `Last diagnostics (step ${last.step})`,
      items: [
        {
          kind: 'table',
          columns: ['group', 'grad norm', 'update/weight', 'weight norm'],
          rows: last.groups.map((g) => [
            g.name,
            fmtNum(g.gradNorm),
            g.updateRatio.toExponential(2),
            fmtNum(g.weightNorm),
          ]),
        },
        {
          kind: 'table',
          columns: ['residual', 'mean', 'std', 'dead MLP units', 'flat activations', 'attention entropy'],
          rows: last.residual.map((s, i) => {
            const l = i > 0 ? last.layers[i - 1] : null;
            const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
            return [
              residualNames[i],
              fmtNum(s.mean),
              fmtNum(s.std),
              l ? pct(l.dead) : '',
              l ? pct(l.flat) : '',
              l ? fmtNum(l.attnEntropy) : '',
            ];
          }),
        },
      ],
    },
  ];
}

export function runReport(dir: string, run: RunData, a: RunAnalysis): Report {
  const c = run.config;
  const sections = [lossSection(run, a)];
  if (run.health && run.health.length > 0) sections.push(...healthSections(run.health));
  else
    sections.push({
      title: 'Per-layer diagnostics',
      items: [
        {
          kind: 'text',
          text:
            'This run was trained without --diagnostics. With it, llmfs train logs per layer, at step 1 ' +
            'and each evaluation: gradient norms, update/weight ratios, residual mean/std, dead MLP ' +
            'units and attention entropy, and this report draws them.',
        },
      ],
    });
  return {
    title: 'Training run health',
    subtitle: `${dir}: ${c.steps} steps, lr ${c.lr}, warm-up ${c.warmupSteps}, clip ${c.gradClip || 'off'}`,
    findings: a.findings.map(findingLine),
    sections,
  };
}
