// Exercise magnitude-mask (chapter 13, section "Magnitude pruning").
// Check it with: llmfs exercise check magnitude-mask

/**
 * Global magnitude pruning (Han et al., 2015): over all the weight matrices taken together (n
 * weights in all), the k = round(sparsity · n) weights of smallest magnitude |w| are pruned.
 * Return one mask per array, the same length: 0 where the weight is pruned, 1 where it is kept.
 * Ties at the threshold: prune the earlier ones first (array by array, index by index), so exactly
 * k are pruned. Leave the arrays as they are.
 */
export function smallestMask(arrays: Float32Array[], sparsity: number /* in [0, 1) */): Uint8Array[] {
  // TODO: the k-th smallest |w| is the threshold; mask below it, then ties in order up to k.
  throw new Error('not implemented yet');
}
