// Exercise lora-forward (chapter 11, section "LoRA: low-rank adapters").
// Check it with: llmfs exercise check lora-forward

import type { Tensor } from 'llm-from-scratch';

/**
 * The forward of a LoRA layer (Hu et al., 2021): a frozen Linear (W, b) plus a trainable low-rank
 * update, B (out, r) after A (r, in), with r much smaller than in and out:
 *
 *     y = x Wᵀ + b + scale · (dropout(x) Aᵀ) Bᵀ        scale = α / r
 *
 * `bias` may be null (no b). `dropout` is the layer's dropout, for the LoRA path only: the frozen
 * layer sees x itself. Build y from tensor ops (matmul, transpose, add, mul) so that training's
 * gradients reach A and B.
 */
export function loraForward(
  x: Tensor /* (..., in) */,
  weight: Tensor /* W (out, in), frozen */,
  bias: Tensor | null /* b (out) */,
  A: Tensor /* (r, in) */,
  B: Tensor /* (out, r) */,
  scale: number /* α / r */,
  dropout: (x: Tensor) => Tensor,
): Tensor /* (..., out) */ {
  // TODO: the frozen layer's output plus the scaled low-rank path.
  throw new Error('not implemented yet');
}
