// Reference solution of layer-norm (chapter 5, section "Normalisation").

import type { Tensor } from 'llm-from-scratch';

/** y = (x - mean) / sqrt(var + eps) · weight + bias over the last axis, var the biased variance. */
export function layerNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps: number): Tensor {
  const xc = x.sub(x.mean(-1, true)); // (..., C): x - mean
  const variance = xc.mul(xc).mean(-1, true); // (..., 1): divide by C, not C - 1
  let y = xc.mul(variance.add(eps).rsqrt()); // (..., C): eps inside the root
  if (weight) y = y.mul(weight);
  if (bias) y = y.add(bias);
  return y;
}
