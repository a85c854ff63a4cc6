// Exercise merge-heads (chapter 4, section "Many heads at once").
// Check it with: llmfs exercise check merge-heads

import type { Tensor } from 'llm-from-scratch';

/**
 * The inverse of splitHeads: concatenates the heads' outputs at every position again,
 *
 *     (B, n, T, hs) -> (B, T, n·hs),   out[b, t, h·hs + d] = x[b, h, t, d]
 *
 * Useful: x.transpose(a, b), x.reshape(...).
 */
export function mergeHeads(x: Tensor): Tensor {
  const [B, n, T, hs] = x.shape; // (B, n, T, hs)
  // TODO: return the (B, T, n * hs) tensor.
  throw new Error('not implemented yet');
}
