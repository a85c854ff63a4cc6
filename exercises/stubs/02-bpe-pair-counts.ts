// Exercise bpe-pair-counts (chapter 2, section "Byte-pair encoding: merges").
// Check it with: llmfs exercise check bpe-pair-counts

/**
 * Step 2 of BPE training: count every adjacent pair of token ids. A sequence of n ids has the
 * n - 1 pairs (ids[i], ids[i + 1]); each is counted, overlapping ones too:
 *
 *     count(a, b) = #{ i : ids[i] = a and ids[i + 1] = b }
 *
 * Return a Map from the key `${a},${b}` (e.g. '97,98') to its count; [7, 7, 7] gives
 * Map { '7,7' => 2 }, and fewer than two ids give an empty Map.
 */
export function bpePairCounts(ids: number[]): Map<string, number> {
  // TODO: one count per adjacent pair.
  throw new Error('not implemented yet');
}
