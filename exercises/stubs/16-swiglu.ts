// Exercise swiglu (chapter 16, section "The MLP: GELU to SwiGLU").
// Check it with: llmfs exercise check swiglu

import type { Tensor } from 'llm-from-scratch';

/**
 * SwiGLU's hidden units (Shazeer, 2020, "GLU Variants Improve Transformer"), Llama's MLP:
 *
 *     h = silu(gate) ⊙ up,     silu(g) = g · sigmoid(g)
 *
 * gate and up are the two projections of x to the hidden width, (..., H) each; the MLP's output
 * is c_proj(h). Only the gate goes through the nonlinearity. Useful: t.silu() or t.sigmoid(), t.mul().
 */
export function swiglu(gate: Tensor, up: Tensor): Tensor {
  // TODO: gate the up projection with the SiLU of the gate.
  throw new Error('not implemented yet');
}
