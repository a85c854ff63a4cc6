// Exercise mul-backward (chapter 1, section "How backward works").
// Check it with: llmfs exercise check mul-backward

import type { Tensor } from 'llm-from-scratch';

/**
 * The backward of elementwise multiplication out = a ⊙ b (broadcasting allowed).
 *
 * Given the upstream gradient `grad` = dL/dout (in the broadcast shape of a and b), return
 * [dL/da, dL/db], both in that broadcast shape (the op sums each back to its input's shape):
 *
 *     dL/da = dL/dout ⊙ b        dL/db = dL/dout ⊙ a
 *
 * Tensor ops you may use: grad.mul(x), grad.add(x), ...
 */
export function mulBackward(a: Tensor, b: Tensor, grad: Tensor): [Tensor | null, Tensor | null] {
  // TODO: return the gradient for a and the gradient for b.
  throw new Error('not implemented yet');
}
