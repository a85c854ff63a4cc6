// Exercise bpe-train (chapter 2, section "Byte-pair encoding: merges").
// Check it with: llmfs exercise check bpe-train

import type { Merge } from 'llm-from-scratch';

/**
 * The BPE training loop (Sennrich et al. 2016). The corpus arrives pre-tokenized and
 * de-duplicated: chunks[i] are the bytes (0..255) of one distinct chunk, weights[i] how often it
 * occurs. Token ids 0..255 are the bytes. Repeat while the vocabulary has fewer than `numTokens`
 * tokens:
 *
 *     1. count(a, b) = Σ_i weights[i] · (occurrences of the pair (a, b) in chunk i)
 *     2. best = the pair with the highest count; on a tie the smaller a, then the smaller b
 *        (stop if there is no pair, or if its count < minFrequency)
 *     3. its id: the next free id (256, 257, ...), unless a token with exactly the bytes of a
 *        followed by b already exists: then that token's id (and the vocabulary does not grow)
 *     4. replace (a, b) by the id in every chunk, left to right, no overlaps; record [a, b, id]
 *
 * Return the merges [left, right, result] in the order they were made. Your bpePairCounts and
 * mergePair (exercises bpe-pair-counts and bpe-merge) are steps 1 and 4.
 */
export function bpeTrain(
  chunks: number[][],
  weights: number[],
  numTokens: number,
  minFrequency: number,
): Merge[] {
  // TODO: the merge loop.
  throw new Error('not implemented yet');
}
