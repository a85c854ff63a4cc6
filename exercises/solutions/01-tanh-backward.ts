// Reference solution of tanh-backward (chapter 1, section "How backward works").

import type { Tensor } from 'llm-from-scratch';

/** The backward of y = tanh(x): the upstream gradient times 1 − y², from the saved output y. */
export function tanhBackward(x: Tensor, y: Tensor, grad: Tensor): Tensor {
  return grad.mul(y.mul(y).neg().add(1)); // dL/dx = dL/dy ⊙ (1 − y²)
}
