// Exercise rms-norm (chapter 5, section "Normalisation").
// Check it with: llmfs exercise check rms-norm

import type { Tensor } from 'llm-from-scratch';

/**
 * RMS normalisation (Zhang & Sennrich, 2019), Llama's norm, over the last axis:
 *
 *     y = x / sqrt(mean(x²) + eps) · weight
 *
 * No mean is subtracted and there is no bias. x is (..., C); weight is (C) or null (then skip
 * it). Useful: x.mul(x), t.mean(-1, true), t.add(eps), t.rsqrt().
 */
export function rmsNorm(x: Tensor, weight: Tensor | null, eps: number): Tensor {
  // TODO: divide each row by its root mean square, then scale by weight.
  throw new Error('not implemented yet');
}
