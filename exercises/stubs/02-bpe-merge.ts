// Exercise bpe-merge (chapter 2, section "Byte-pair encoding: merges").
// Check it with: llmfs exercise check bpe-merge

/**
 * Step 3 of BPE: merge a pair into a new token everywhere it occurs. Walk `ids` left to right;
 * wherever ids[i], ids[i + 1] equals `pair`, emit `newId` and skip both ids; otherwise emit
 * ids[i]. Occurrences do not overlap, and the leftmost wins:
 *
 *     mergePair([97, 97, 97], [97, 97], 256)  ->  [256, 97]
 *
 * Return a new array; leave `ids` as it was.
 */
export function mergePair(ids: number[], pair: [number, number], newId: number): number[] {
  // TODO: replace every occurrence of pair (left to right, no overlaps) by newId.
  throw new Error('not implemented yet');
}
