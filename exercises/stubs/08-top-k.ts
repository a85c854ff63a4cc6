// Exercise top-k (chapter 8, section "The strategies").
// Check it with: llmfs exercise check top-k

/**
 * Top-k filtering (Fan et al., 2018): keep the k highest logits, remove the rest:
 *
 *     z_i ← -Infinity   if z_i < (the k-th largest logit)
 *
 * Tokens tied with the k-th largest are kept (so the result never depends on the order of equal
 * logits). If k >= V nothing is removed. `logits` has length V; you may change it in place and
 * return it, or return a new Float64Array.
 */
export function topKFilter(logits: Float64Array, k: number): Float64Array {
  // TODO: find the k-th largest logit and set every logit below it to -Infinity.
  throw new Error('not implemented yet');
}
