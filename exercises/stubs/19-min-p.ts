// Exercise min-p (chapter 19, section "Next token").
// Check it with: llmfs exercise check min-p

/**
 * Min-p filtering (Nguyen et al., 2024): with p_i = softmax(z)_i and p_max the largest of them,
 * keep the tokens with
 *
 *     p_i >= pMin · p_max
 *
 * and give every other token -Infinity. The cut-off follows the model's confidence: strict when
 * one token dominates, loose when many are plausible. pMin = 0 removes nothing; the most likely
 * token always stays. Compute the softmax with the max subtracted, so logits of ±1000 do not
 * overflow. `logits` has length V; you may change it in place and return it, or return a new
 * Float64Array. The lab's Next-token panel greys out the tokens this removes.
 */
export function minPFilter(logits: Float64Array, pMin: number): Float64Array {
  // TODO: softmax, the largest probability, then remove every token below pMin times it.
  throw new Error('not implemented yet');
}
