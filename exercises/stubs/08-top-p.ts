// Exercise top-p (chapter 8, section "The strategies").
// Check it with: llmfs exercise check top-p

/**
 * Nucleus (top-p) filtering (Holtzman et al., 2019): with p_i = softmax(z)_i, visit the tokens
 * from most to least likely (lower id first on equal probabilities) and keep them until the
 * running sum of their probabilities reaches p:
 *
 *     keep the smallest prefix S of that order with Σ_{i∈S} p_i >= p   (never empty)
 *
 * Every token outside S gets -Infinity. If p >= 1 nothing is removed. Compute the softmax with the
 * max subtracted, so logits of ±1000 do not overflow. `logits` has length V; you may change it in
 * place and return it, or return a new Float64Array.
 */
export function topPFilter(logits: Float64Array, p: number): Float64Array {
  // TODO: softmax, sort ids by probability, keep the prefix that reaches p, remove the rest.
  throw new Error('not implemented yet');
}
