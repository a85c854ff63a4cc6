// Reference solution of softmax-backward (chapter 1, section "Kernels and backends").

import type { Tensor } from 'llm-from-scratch';

/** The backward of softmax along the last axis: dx = y ⊙ (dy − Σ dy ⊙ y), row by row. */
export function softmaxBackward(y: Tensor, grad: Tensor): Tensor {
  const dot = grad.mul(y).sum(-1, true); // (..., 1): Σ_j dy_j y_j of each row
  return y.mul(grad.sub(dot));
}
