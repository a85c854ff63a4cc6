// Exercise moe-routing (chapter 15, section "Mixture of experts").
// Check it with: llmfs exercise check moe-routing

import { fromArray, type Tensor } from 'llm-from-scratch';

/**
 * Top-k routing of a mixture of experts (Mixtral, Jiang et al., 2024): each of N tokens, given its
 * row of E router logits (logits is (N, E)), goes to the k experts with the largest logits, best
 * first (on a tie, the lower index first). Return
 *   experts: an Int32Array of N·k expert ids, token n's j-th choice at n·k + j;
 *   gates:   a Tensor (N, k), the softmax over those k chosen logits only (each row sums to 1),
 *            built from tensor ops on `logits` so the router learns through it.
 * fromArray(values, shape, { dtype }) makes a tensor of ids for logits.gather.
 */
export function topKRouting(logits: Tensor, k: number): { experts: Int32Array; gates: Tensor } {
  // TODO: the k best experts of each row, then the gates.
  throw new Error('not implemented yet');
}
