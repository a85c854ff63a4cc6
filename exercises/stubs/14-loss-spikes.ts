// Exercise loss-spikes (chapter 14, section "Loss spikes").
// Check it with: llmfs exercise check loss-spikes

/**
 * Hampel's rule over a training curve. Walk `series` in step order. A NaN or infinite value goes to
 * `nonFinite` (its step) and is otherwise ignored. Once at least `minHistory` finite values came
 * before a point, take the last `window` of them: their median m and their MAD (the median of
 * |x - m|). The point is a spike when its value exceeds
 *   threshold = m + max(k · 1.4826 · MAD, minRise · |m|)
 * Defaults: window 25, k 6, minRise 0.1, minHistory 5. Every finite value joins the history.
 */
export function detectSpikes(
  series: readonly { step: number; value: number }[],
  o: { window?: number; k?: number; minRise?: number; minHistory?: number } = {},
): {
  spikes: { step: number; value: number; baseline: number; threshold: number }[];
  nonFinite: number[];
} {
  // TODO: a median helper, then one pass over the series.
  throw new Error('not implemented yet');
}
