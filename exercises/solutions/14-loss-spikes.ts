// Reference solution of loss-spikes (chapter 14, section "Loss spikes").

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Points above median + max(k · 1.4826 · MAD, minRise · |median|) of the window before them. */
export function detectSpikes(
  series: readonly { step: number; value: number }[],
  o: { window?: number; k?: number; minRise?: number; minHistory?: number } = {},
): {
  spikes: { step: number; value: number; baseline: number; threshold: number }[];
  nonFinite: number[];
} {
  const { window = 25, k = 6, minRise = 0.1, minHistory = 5 } = o;
  const spikes: { step: number; value: number; baseline: number; threshold: number }[] = [];
  const nonFinite: number[] = [];
  const history: number[] = [];
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
  return { spikes, nonFinite };
}
