// Reference solution of swiglu (chapter 16, section "The MLP: GELU to SwiGLU").

import type { Tensor } from 'llm-from-scratch';

/** h = silu(gate) ⊙ up, elementwise: (..., H). */
export function swiglu(gate: Tensor, up: Tensor): Tensor {
  return gate.mul(gate.sigmoid()).mul(up); // silu(g) = g · sigmoid(g)
}
