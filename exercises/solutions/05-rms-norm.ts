// Reference solution of rms-norm (chapter 5, section "Normalisation").

import type { Tensor } from 'llm-from-scratch';

/** y = x / sqrt(mean(x²) + eps) · weight over the last axis. */
export function rmsNorm(x: Tensor, weight: Tensor | null, eps: number): Tensor {
  const inv = x.mul(x).mean(-1, true).add(eps).rsqrt(); // (..., 1): 1 / rms
  const y = x.mul(inv); // (..., C)
  return weight ? y.mul(weight) : y;
}
