// Reference solution of greedy (chapter 8, section "The strategies").

/** The index of the largest logit; `>` (not `>=`) keeps the first of equal maxima. */
export function greedy(logits: Float64Array): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}
