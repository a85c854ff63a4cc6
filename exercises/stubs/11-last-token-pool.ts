// Exercise last-token-pool (chapter 11, section "Classification").
// Check it with: llmfs exercise check last-token-pool

import type { Tensor } from 'llm-from-scratch';

/**
 * A GPT classifier reads one hidden state per text: that of its LAST REAL token, which in a causal
 * model has attended to the whole text. The batch is right-padded, so row b holds lengths[b] real
 * tokens followed by pads:
 *
 *     out[b, :] = h[b, lengths[b] - 1, :]        h (B, T, C) -> out (B, C)
 *
 * Build the result from tensor ops (narrow, reshape, stack, ...) so that gradients reach h.
 */
export function lastTokenPool(
  h: Tensor /* (B, T, C) */,
  lengths: readonly number[] /* B */,
): Tensor /* (B, C) */ {
  // TODO: each row's hidden state at position lengths[b] - 1.
  throw new Error('not implemented yet');
}
