// Loss-spike detection over a training log's per-step losses (or gradient norms): a robust rule
// that a decaying, noisy curve never trips. A point is a spike when it exceeds the median of the
// `window` finite points before it by more than k robust standard deviations and by more than
// `minRise` of the median:
//   threshold = median + max(k · 1.4826 · MAD, minRise · |median|),  MAD = median |x - median|
// (1.4826 · MAD estimates the standard deviation of normal noise; Hampel's outlier rule, Hampel
// 1974). Medians ignore the spikes themselves, so a spike does not hide the next one. NaN and
// infinite values are listed apart.

import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'loss-spikes' (chapter 14): the points of a series that exceed the median of the
     * `window` finite points before them by more than max(k · 1.4826 · MAD, minRise · |median|)
     * (Hampel's rule), once `minHistory` finite points came before; NaN/infinite steps apart.
     */
    detectSpikes(series: readonly SeriesPoint[], o?: SpikeOptions): SpikeReport;
  }
}

export interface SeriesPoint {
  step: number;
  value: number;
}

export interface Spike {
  step: number;
  /** The value at the spike. */
  value: number;
  /** The median of the window before it: what the value was expected to be near. */
  baseline: number;
  /** The value it had to exceed. */
  threshold: number;
}

export interface SpikeOptions {
  /** Points before each one that form its baseline (default 25). */
  window?: number;
  /** Robust standard deviations above the median (default 6). */
  k?: number;
  /** The least rise that counts, as a share of the median (default 0.1: 10%). */
  minRise?: number;
  /** Points needed before the first one can be judged (default 5). */
  minHistory?: number;
}

export interface SpikeReport {
  spikes: Spike[];
  /** Steps whose value is NaN or infinite. */
  nonFinite: number[];
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The spikes and non-finite points of a series, in step order. */
export const detectSpikes = exercisable(
  'detectSpikes',
  (series: readonly SeriesPoint[], o: SpikeOptions = {}) => {
    const window = o.window ?? 25;
    const k = o.k ?? 6;
    const minRise = o.minRise ?? 0.1;
    const minHistory = o.minHistory ?? 5;
    const spikes: Spike[] = [];
    const nonFinite: number[] = [];
    const history: number[] = []; // the finite values so far
    for (const { step, value } of series) {
      if (!Number.isFinite(value)) {
        nonFinite.push(step);
        continue;
      }
      if (history.length >= minHistory) {
        const recent = history.slice(-window);
        const baseline = median(recent);
        const mad = median(recent.map((x) => Math.abs(x - baseline)));
        const threshold = baseline + Math.max(k * 1.4826 * mad, minRise * Math.abs(baseline));
        if (value > threshold) spikes.push({ step, value, baseline, threshold });
      }
      history.push(value);
    }
    return { spikes, nonFinite } as SpikeReport;
  },
);

/** Spikes at consecutive steps (gap <= `gap`) merged into events: [first step, last step, peak]. */
export function spikeEvents(spikes: readonly Spike[], gap = 2): { from: number; to: number; peak: Spike }[] {
  const events: { from: number; to: number; peak: Spike }[] = [];
  for (const s of spikes) {
    const last = events[events.length - 1];
    if (last && s.step - last.to <= gap) {
      last.to = s.step;
      if (s.value - s.baseline > last.peak.value - last.peak.baseline) last.peak = s;
    } else events.push({ from: s.step, to: s.step, peak: s });
  }
  return events;
}
