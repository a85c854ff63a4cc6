// Exercise bpe-encode (chapter 2, section "Byte-pair encoding: merges").
// Check it with: llmfs exercise check bpe-encode

import type { MergeRules } from 'llm-from-scratch';

/**
 * Encoding one pre-token chunk with learned merges. `ids` are the chunk's bytes as token ids.
 * rules.rank(a, b) is the priority of merging a then b (lower goes first; Infinity if they never
 * merge) and rules.merged(a, b) the token they become. Repeat:
 *
 *     (a, b) = the adjacent pair with the lowest rank (the leftmost one on a tie)
 *     if rank(a, b) = Infinity: stop;  otherwise replace that pair by merged(a, b)
 *
 * Return the final ids; leave `ids` as it was.
 */
export function bpeEncode(ids: number[], rules: MergeRules): number[] {
  // TODO: merge the lowest-ranked adjacent pair until no pair has a rank.
  throw new Error('not implemented yet');
}
