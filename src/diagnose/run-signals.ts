// Signals the run-findings rules read from a run's log and health records: the loss smoothed by a
// running median, whether the loss stayed up after a spike, the update ratio near the peak
// learning rate, and the worst value of a per-layer measure over the run.

import { median, type Spike } from './loss-spikes.js';
import type { HealthRecord } from './training-health.js';

/** Running median of the finite losses over `w` points centred on each. */
export function smooth(points: readonly { step: number; loss: number }[]): { step: number; value: number }[] {
  const finite = points.filter((p) => Number.isFinite(p.loss));
  const w = Math.max(5, Math.round(finite.length / 20));
  return finite.map((p, i) => ({
    step: p.step,
    value: median(finite.slice(Math.max(0, i - (w >> 1)), i + (w >> 1) + 1).map((q) => q.loss)),
  }));
}

/**
 * Whether the loss stayed up after a spike (the model was knocked off course) rather than coming
 * straight back (one batch harder than the rest): the median of the 10 steps after the event is
 * above the baseline by more than half the spike's rise.
 */
export function lasting(
  e: { to: number; peak: Spike },
  steps: readonly { step: number; loss: number }[],
): boolean {
  const after = steps.filter((s) => s.step > e.to && s.step <= e.to + 10 && Number.isFinite(s.loss));
  if (after.length === 0) return true;
  return median(after.map((s) => s.loss)) > e.peak.baseline + 0.5 * (e.peak.value - e.peak.baseline);
}

/**
 * The update ratio while the learning rate is near its peak: the median, over the measurements
 * after step 1 in the first half of the run, of each measurement's median over groups.
 */
export function peakRatio(health: readonly HealthRecord[], steps: number): number {
  const early = health.filter((r) => r.step > 1 && r.step <= steps / 2);
  const use = early.length > 0 ? early : health.filter((r) => r.step > 1);
  return use.length > 0 ? median(use.map((r) => median(r.groups.map((g) => g.updateRatio)))) : NaN;
}

/** The largest value of `f` over the measurements and its step and layer. */
export function peakOf(
  health: readonly HealthRecord[],
  f: (r: HealthRecord) => number[],
): { value: number; step: number; layer: number } {
  let best = { value: -Infinity, step: 0, layer: 0 };
  for (const r of health)
    f(r).forEach((v, layer) => v > best.value && (best = { value: v, step: r.step, layer }));
  return best;
}
