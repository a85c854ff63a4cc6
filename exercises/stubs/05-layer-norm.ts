// Exercise layer-norm (chapter 5, section "Normalisation").
// Check it with: llmfs exercise check layer-norm

import type { Tensor } from 'llm-from-scratch';

/**
 * Layer normalisation (Ba, Kiros & Hinton, 2016) over the last axis:
 *
 *     mean = (1/C) Σ_c x_c          var = (1/C) Σ_c (x_c - mean)²      (biased: divide by C)
 *     y = (x - mean) / sqrt(var + eps) · weight + bias
 *
 * x is (..., C); weight and bias are (C) or null (then leave that step out). Each row of C values
 * is normalised on its own. Useful: x.mean(-1, true) (keepdim, so it broadcasts back), x.sub(m),
 * x.mul(x), t.add(eps), t.rsqrt() or t.sqrt(), y.mul(weight), y.add(bias).
 */
export function layerNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps: number): Tensor {
  // TODO: normalise each row of x (..., C), then scale and shift.
  throw new Error('not implemented yet');
}
