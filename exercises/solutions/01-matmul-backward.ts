// Reference solution of matmul-backward (chapter 1, section "Broadcasting and matmul in reverse").

import type { Tensor } from 'llm-from-scratch';

/** The backward of C = A B: dA = dC Bᵀ, dB = Aᵀ dC (ᵀ on the last two axes; batch axes broadcast). */
export function matmulBackward(a: Tensor, b: Tensor, grad: Tensor): [Tensor | null, Tensor | null] {
  const dA = grad.matmul(b.transpose(-2, -1)); // (..., M, N) @ (..., N, K) -> (..., M, K)
  const dB = a.transpose(-2, -1).matmul(grad); // (..., K, M) @ (..., M, N) -> (..., K, N)
  return [dA, dB];
}
