// Exercise softmax-backward (chapter 1, section "Kernels and backends").
// Check it with: llmfs exercise check softmax-backward

import type { Tensor } from 'llm-from-scratch';

/**
 * The backward of y = softmax(x) along the last axis.
 *
 * Given the output y that the forward saved and the upstream gradient `grad` = dL/dy (same
 * shape, e.g. (B, nh, T, T)), return dL/dx. Every y_i depends on every x_j of its row
 * (dy_i/dx_j = y_i (δ_ij − y_j)), so row by row:
 *
 *     dL/dx = y ⊙ (dL/dy − Σ_j dL/dy_j · y_j)        (the sum along the last axis, kept as size 1)
 *
 * Tensor ops you may use: mul, sub, sum(-1, true), ... (or loops over .data).
 */
export function softmaxBackward(y: Tensor, grad: Tensor): Tensor {
  // TODO: return dL/dx, the same shape as y.
  throw new Error('not implemented yet');
}
