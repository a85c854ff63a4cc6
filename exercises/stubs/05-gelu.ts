// Exercise gelu (chapter 5, section "The position-wise MLP").
// Check it with: llmfs exercise check gelu

import type { Tensor } from 'llm-from-scratch';

/**
 * GELU (Hendrycks & Gimpel, 2016) with the tanh approximation GPT-2 uses, elementwise:
 *
 *     gelu(x) = 0.5 · x · (1 + tanh( sqrt(2/π) · (x + 0.044715 · x³) ))
 *
 * x has any shape; return the same shape. Useful: x.mul(x), x.pow(3), t.mul(c), t.add(c),
 * t.tanh() (stable for large inputs).
 */
export function gelu(x: Tensor): Tensor {
  // TODO: compute the formula above with tensor ops.
  throw new Error('not implemented yet');
}
