// Exercise split-heads (chapter 4, section "Many heads at once").
// Check it with: llmfs exercise check split-heads

import type { Tensor } from 'llm-from-scratch';

/**
 * Splits the channels of every position into n heads, and makes the head a batch axis:
 *
 *     (B, T, C) -> (B, n, T, hs),   hs = C / n,   out[b, h, t, d] = x[b, t, h·hs + d]
 *
 * so each head attends on its own (T, hs) matrices. Useful: x.reshape(...), x.transpose(a, b).
 */
export function splitHeads(x: Tensor, n: number): Tensor {
  const [B, T, C] = x.shape; // (B, T, C)
  // TODO: return the (B, n, T, C / n) tensor.
  throw new Error('not implemented yet');
}
