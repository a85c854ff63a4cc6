// Exercise tanh-backward (chapter 1, section "How backward works").
// Check it with: llmfs exercise check tanh-backward

import type { Tensor } from 'llm-from-scratch';

/**
 * The backward of y = tanh(x), elementwise.
 *
 * Given the input x, the output y = tanh(x) that the forward saved, and the upstream gradient
 * `grad` = dL/dy (all three of one shape), return dL/dx:
 *
 *     dL/dx = dL/dy ⊙ (1 − y²)        since d/dx tanh(x) = 1 − tanh(x)²
 *
 * Tensor ops you may use: grad.mul(t), t.neg(), t.add(1), ... (or loops over .data).
 */
export function tanhBackward(x: Tensor, y: Tensor, grad: Tensor): Tensor {
  // TODO: return dL/dx, the same shape as x.
  throw new Error('not implemented yet');
}
