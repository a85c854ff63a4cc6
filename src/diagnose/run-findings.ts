// What looks wrong in a training run, and the usual fix: rules over its log (per-step loss and
// gradient norm, evaluations), its settings and, with --diagnostics, its health records. Each rule
// below says what it checks and why; the thresholds are rules of thumb, named here so a reader
// can change one and see what fires. (Karpathy, "A Recipe for Training Neural Networks", 2019;
// GPT-2's init, Radford et al., 2019, §2.3; clipping, Pascanu et al., 2013.)

import { detectSpikes, spikeEvents, type SpikeReport } from './loss-spikes.js';
import { lasting, peakOf, peakRatio, smooth } from './run-signals.js';
import type { HealthRecord } from './training-health.js';

/** A healthy update moves a weight matrix by about a thousandth of its norm per step. */
export const HEALTHY_UPDATE_RATIO = 1e-3;
/** Ratios ten times that, sustained after the first step, mean the learning rate is too high. */
export const HIGH_UPDATE_RATIO = 1e-2;
/** The smoothed loss rising this much (relative) above its lowest point: the run is diverging. */
export const RISE = 0.1;
/** A gradient-norm spike must at least double the recent median. */
export const GRAD_SPIKE_RISE = 1;
/** The loss at step 1 further than this (nats) from ln(vocabulary): the init is not neutral. */
export const INIT_LOSS_GAP = 1;
/** Residual std after the last block over the embeddings' std, at step 1: growth with depth. */
export const DEPTH_GROWTH = 4;
/** Residual-stream std (pre-norm: normally O(1)) past which activations have blown up. */
export const RESIDUAL_BLOWUP = 20;
/** A layer whose mean attention entropy falls below this (nats) puts all its weight on one key. */
export const ENTROPY_COLLAPSE = 0.1;
/** Spikes counted as a learning-rate symptom when there are this many, even if each was brief. */
export const MANY_SPIKES = 3;
/** Share of dead MLP units in a layer that counts as a problem. */
export const DEAD_SHARE = 0.1;
/** Validation loss this much (relative) above its best while train still falls: overfitting. */
export const OVERFIT_RISE = 0.02;

export interface RunData {
  /** The training settings (run.json's "train"). */
  config: { steps: number; lr: number; warmupSteps: number; gradClip: number };
  /** The model's vocabulary size, if known (for the initial-loss rule). */
  vocabSize?: number;
  /** Whether the run started from trained weights (--init): the initial-loss rule does not apply. */
  init?: boolean;
  steps: { step: number; loss: number; gradNorm?: number }[];
  evals: { step: number; trainLoss: number; valLoss: number }[];
  /** diagnostics.jsonl's records, or null when the run was trained without --diagnostics. */
  health: HealthRecord[] | null;
}

export interface Finding {
  id:
    | 'nan'
    | 'lr-too-high'
    | 'no-warmup'
    | 'no-clipping'
    | 'bad-init'
    | 'dead-units'
    | 'isolated-spikes'
    | 'overfitting'
    | 'ended-early'
    | 'no-diagnostics'
    | 'healthy';
  severity: 'problem' | 'warning' | 'info';
  /** What was seen, with the numbers. */
  what: string;
  /** The usual fix. */
  fix: string;
}

export interface RunAnalysis {
  findings: Finding[];
  lossSpikes: SpikeReport;
  gradSpikes: SpikeReport;
  /** The loss smoothed by a running median (what the rising rule reads). */
  smoothed: { step: number; value: number }[];
}

/** 3 decimals; whole numbers from 100; 1.5e-3 below 0.01. */
const f3 = (x: number): string =>
  Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 0.01 || x === 0 ? x.toFixed(3) : x.toExponential(1);

export function analyzeRun(run: RunData): RunAnalysis {
  const out: Finding[] = [];
  const { config: c, steps, evals, health } = run;
  const lossSpikes = detectSpikes(steps.map((s) => ({ step: s.step, value: s.loss })));
  const grads = steps.filter((s) => s.gradNorm !== undefined);
  const gradSpikes = detectSpikes(
    grads.map((s) => ({ step: s.step, value: s.gradNorm! })),
    { minRise: GRAD_SPIKE_RISE },
  );
  const smoothed = smooth(steps);
  const events = spikeEvents(lossSpikes.spikes);
  const list = (xs: readonly number[]) =>
    xs.length > 6 ? `${xs.slice(0, 6).join(', ')}, ...` : xs.join(', ');

  // NaN: the trainer stops on a non-finite loss, so it shows as an infinite gradient norm or a
  // health record that is not finite.
  const badGrad = grads.filter((s) => !Number.isFinite(s.gradNorm!)).map((s) => s.step);
  const badHealth = (health ?? [])
    .filter((r) => r.groups.some((g) => !Number.isFinite(g.gradNorm) || !Number.isFinite(g.weightNorm)))
    .map((r) => r.step);
  const nanSteps = [...new Set([...lossSpikes.nonFinite, ...badGrad, ...badHealth])].sort((a, b) => a - b);
  if (nanSteps.length > 0)
    out.push({
      id: 'nan',
      severity: 'problem',
      what: `NaN or infinite values at step ${list(nanSteps)}`,
      fix: 'lower --lr, add --warmup and --grad-clip 1, and resume from the last good checkpoint',
    });

  // Learning rate too high: spikes the loss does not recover from, a loss climbing back up,
  // updates far above 1e-3, activations blowing up, attention collapsing onto one key, units dying.
  const evidence: string[] = [];
  const lastingEvents = events.filter((e) => lasting(e, steps));
  const isolated = events.filter((e) => !lasting(e, steps));
  const spikeEvidence = events.length >= MANY_SPIKES ? events : lastingEvents;
  if (spikeEvidence.length > 0)
    evidence.push(
      `${spikeEvidence.length} loss spike(s) (at step ${list(spikeEvidence.map((e) => e.peak.step))})`,
    );
  if (smoothed.length >= 10) {
    const low = smoothed.reduce((a, p) => (p.value < a.value ? p : a));
    const end = smoothed[smoothed.length - 1];
    if (end.value > low.value * (1 + RISE))
      evidence.push(`the loss rose from ${f3(low.value)} (step ${low.step}) to ${f3(end.value)}`);
  }
  const ratio = health ? peakRatio(health, c.steps) : NaN;
  if (ratio > HIGH_UPDATE_RATIO)
    evidence.push(
      `update/weight ratios around ${f3(ratio)} in the first half, ` +
        `${Math.round(ratio / HEALTHY_UPDATE_RATIO)}× the ~1e-3 rule of thumb`,
    );
  const later = (health ?? []).filter((r) => r.step > 1);
  const blow = peakOf(later, (r) => r.residual.map((x) => x.std));
  if (blow.value > RESIDUAL_BLOWUP)
    evidence.push(`the residual stream's std reached ${f3(blow.value)} (step ${blow.step}; normally ~1)`);
  const collapse = peakOf(later, (r) => r.layers.map((l) => -l.attnEntropy));
  if (-collapse.value < ENTROPY_COLLAPSE)
    evidence.push(
      `attention entropy collapsed to ${f3(-collapse.value)} nats in h.${collapse.layer} ` +
        `(step ${collapse.step})`,
    );
  const deadPeak = peakOf(later, (r) => r.layers.map((l) => l.dead));
  if (deadPeak.value > DEAD_SHARE)
    evidence.push(
      `${(100 * deadPeak.value).toFixed(0)}% of h.${deadPeak.layer}'s MLP units dead ` +
        `at step ${deadPeak.step}`,
    );
  if (evidence.length > 0)
    out.push({
      id: 'lr-too-high',
      severity: evidence.length > 1 ? 'problem' : 'warning',
      what: `the learning rate (${c.lr}) looks too high: ${evidence.join('; ')}`,
      fix: 'lower --lr 3-10×; update/weight ratios near 1e-3 are the usual target',
    });
  if (isolated.length > 0 && spikeEvidence !== events)
    out.push({
      id: 'isolated-spikes',
      severity: 'info',
      what:
        `${isolated.length} brief loss spike(s) at step ${list(isolated.map((e) => e.peak.step))}, ` +
        'from which the loss came straight back: a batch harder than the rest',
      fix: 'none needed',
    });

  // No warm-up: Adam's first steps move every weight by ~lr whatever its gradient, so without a
  // warm-up they are the largest of the run.
  if (c.warmupSteps === 0) {
    const early = Math.max(50, Math.round(c.steps / 10));
    const earlySpikes = events.filter((e) => e.from <= early);
    const first = health?.find((r) => r.step === 1);
    const firstRatio = first ? Math.max(...first.groups.map((g) => g.updateRatio)) : NaN;
    const why: string[] = [];
    if (earlySpikes.length > 0) why.push(`loss spike(s) in the first ${early} steps`);
    if (firstRatio > HIGH_UPDATE_RATIO) why.push(`a step-1 update/weight ratio of ${f3(firstRatio)}`);
    if (why.length > 0)
      out.push({
        id: 'no-warmup',
        severity: 'warning',
        what: `no warm-up (--warmup 0) and ${why.join(' and ')}`,
        fix: `warm the learning rate up first: --warmup ${Math.max(10, Math.round(c.steps / 20))}`,
      });
  }

  // Missing clipping: gradient-norm spikes that nothing held back.
  const gradEvents = spikeEvents(gradSpikes.spikes);
  if (c.gradClip === 0 && gradEvents.length > 0) {
    const peak = gradEvents.reduce((a, e) => (e.peak.value > a.peak.value ? e : a)).peak;
    out.push({
      id: 'no-clipping',
      severity: 'warning',
      what:
        `${gradEvents.length} gradient-norm spike(s) with clipping off (--grad-clip 0); the largest ` +
        `${f3(peak.value)} at step ${peak.step}, ${f3(peak.value / peak.baseline)}× the recent median`,
      fix: 'clip the global gradient norm: --grad-clip 1',
    });
  }

  // Bad init: an untrained model should predict nearly uniformly (loss ≈ ln V), and GPT-2's
  // scaled residual projections keep the residual stream's std from growing with depth.
  const initWhy: string[] = [];
  const first = steps.find((s) => s.step === 1);
  if (!run.init && run.vocabSize && first && Number.isFinite(first.loss)) {
    const lnV = Math.log(run.vocabSize);
    if (Math.abs(first.loss - lnV) > INIT_LOSS_GAP)
      initWhy.push(`the loss at step 1 is ${f3(first.loss)}, far from ln(${run.vocabSize}) = ${f3(lnV)}`);
  }
  const h1 = health?.find((r) => r.step === 1);
  if (!run.init && h1 && h1.residual.length > 1) {
    const growth = h1.residual[h1.residual.length - 1].std / h1.residual[0].std;
    if (growth > DEPTH_GROWTH)
      initWhy.push(`the residual stream's std grows ${f3(growth)}× from the embeddings to the last block`);
  }
  if (initWhy.length > 0)
    out.push({
      id: 'bad-init',
      severity: 'problem',
      what: `the initialisation looks wrong: ${initWhy.join('; ')}`,
      fix:
        'initialise weights N(0, 0.02), scale the residual projections by 1/sqrt(2·nLayer), ' +
        'zero the biases',
    });

  // Dead units: the most at any measurement, and how many are left at the last.
  const last = health?.[health.length - 1];
  if (last && deadPeak.value > DEAD_SHARE) {
    const now = last.layers.map((l) => l.dead);
    out.push({
      id: 'dead-units',
      severity: Math.max(...now) > DEAD_SHARE ? 'warning' : 'info',
      what:
        `${(100 * deadPeak.value).toFixed(0)}% of h.${deadPeak.layer}'s MLP units were dead at step ` +
        `${deadPeak.step}; at step ${last.step}: ` +
        now.map((d, i) => `h.${i} ${(100 * d).toFixed(0)}%`).join(', '),
      fix: 'lower --lr (large updates push units into the flat zone); GELU rather than ReLU',
    });
  }

  // Overfitting: validation loss climbing from its best while the train loss still falls.
  const withVal = evals.filter((e) => Number.isFinite(e.valLoss));
  if (withVal.length >= 2) {
    const best = withVal.reduce((a, e) => (e.valLoss < a.valLoss ? e : a));
    const end = withVal[withVal.length - 1];
    if (end.valLoss > best.valLoss * (1 + OVERFIT_RISE) && end.trainLoss < best.trainLoss)
      out.push({
        id: 'overfitting',
        severity: 'warning',
        what:
          `validation loss rose from ${f3(best.valLoss)} (step ${best.step}) to ${f3(end.valLoss)} while ` +
          `the train loss fell from ${f3(best.trainLoss)} to ${f3(end.trainLoss)}`,
        fix: 'use best/ (kept at the lowest validation loss), more data, --dropout 0.1, or fewer --steps',
      });
  }

  const lastStep = steps.length > 0 ? steps[steps.length - 1].step : 0;
  if (lastStep < c.steps)
    out.push({
      id: 'ended-early',
      severity: 'info',
      what: `the log ends at step ${lastStep} of ${c.steps} (stopped, still running, or a NaN loss ended it)`,
      fix: `continue with llmfs train --resume --out DIR`,
    });
  if (!health)
    out.push({
      id: 'no-diagnostics',
      severity: 'info',
      what: 'no diagnostics.jsonl: trained without --diagnostics',
      fix:
        'train with --diagnostics to log per-layer gradient norms, update/weight ratios, activation ' +
        'statistics, dead units and attention entropy (the update-ratio, depth and dead-unit ' +
        'rules need them)',
    });
  if (!out.some((x) => x.severity !== 'info' || x.id === 'dead-units'))
    out.unshift({ id: 'healthy', severity: 'info', what: 'nothing looks wrong', fix: 'none needed' });
  return { findings: out, lossSpikes, gradSpikes, smoothed };
}
