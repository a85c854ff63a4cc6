// Reference solution of mul-backward (chapter 1, section "How backward works").

import type { Tensor } from 'llm-from-scratch';

/** The backward of out = a ⊙ b: each gradient is the upstream gradient times the other input. */
export function mulBackward(a: Tensor, b: Tensor, grad: Tensor): [Tensor | null, Tensor | null] {
  return [grad.mul(b), grad.mul(a)]; // dL/da = dL/dout ⊙ b,  dL/db = dL/dout ⊙ a
}
