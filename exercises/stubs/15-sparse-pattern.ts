// Exercise sparse-pattern (chapter 15, section "Sliding windows and sparse patterns").
// Check it with: llmfs exercise check sparse-pattern

import type { AttentionPattern } from 'llm-from-scratch';

/**
 * The keys (absolute positions, ascending, each once) that the query at position i may see under
 * the pattern p, with W = p.window and c = p.summary. Every pattern is causal (0 <= j <= i):
 *   'full':           every j <= i
 *   'sliding':        the last W positions, i - W < j <= i
 *   'sparse-strided': the last W positions, and every W-th one before them: (i - j) mod W = 0
 *   'sparse-fixed':   i's own block of width W (from i - i mod W up to i), and the last c positions
 *                     of every earlier block (j mod W >= W - c)
 * (Child et al., 2019, "Generating Long Sequences with Sparse Transformers", section 4.2.) Build
 * the list directly, without testing every j from 0 to i: the sparse attention op loops over it.
 */
export function keysOf(p: AttentionPattern, i: number): number[] {
  // TODO: one branch per p.kind; for the sparse ones, the keys before i's window or block first.
  throw new Error('not implemented yet');
}
