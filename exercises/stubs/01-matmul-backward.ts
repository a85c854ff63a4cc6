// Exercise matmul-backward (chapter 1, section "Broadcasting and matmul in reverse").
// Check it with: llmfs exercise check matmul-backward

import type { Tensor } from 'llm-from-scratch';

/**
 * The backward of the matrix product C = A B, with batch axes: A is (..., M, K), B is (..., K, N)
 * and their batch axes broadcast, so C is (...batch, M, N).
 *
 * Given `grad` = dL/dC (...batch, M, N), return [dL/dA, dL/dB] in the batch shape of C (the op
 * then sums each back to its input's shape, as for broadcasting):
 *
 *     dL/dA = dL/dC Bᵀ   (...batch, M, K)        dL/dB = Aᵀ dL/dC   (...batch, K, N)
 *
 * where ᵀ swaps the last two axes only. Tensor ops you may use: t.matmul(u), t.transpose(-2, -1).
 */
export function matmulBackward(a: Tensor, b: Tensor, grad: Tensor): [Tensor | null, Tensor | null] {
  // TODO: return the gradient for a and the gradient for b.
  throw new Error('not implemented yet');
}
