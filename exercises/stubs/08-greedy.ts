// Exercise greedy (chapter 8, section "The strategies").
// Check it with: llmfs exercise check greedy

/**
 * Greedy decoding: the next token is the one with the largest logit,
 *
 *     next = argmax_i z_i
 *
 * and on ties the first (lowest) index wins, as torch.argmax does.
 *
 * `logits` is one row of next-token scores, length V (a token removed earlier may be -Infinity).
 */
export function greedy(logits: Float64Array): number {
  // TODO: return the index of the largest logit (the first one on ties).
  throw new Error('not implemented yet');
}
