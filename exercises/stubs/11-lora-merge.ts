// Exercise lora-merge (chapter 11, section "LoRA: low-rank adapters").
// Check it with: llmfs exercise check lora-merge

import type { Tensor } from 'llm-from-scratch';

/**
 * Merging a LoRA adapter: its output scale · (x Aᵀ) Bᵀ equals x (scale · B A)ᵀ, so the update can
 * be folded into the frozen weight once, and the layer then runs as a plain Linear:
 *
 *     W' = W + scale · B A        scale = α / r;   B (out, r) · A (r, in) -> (out, in)
 *
 * Return W' as a new tensor: leave `weight` as it is (the library keeps a copy to unmerge).
 */
export function loraMerge(
  weight: Tensor /* W (out, in) */,
  A: Tensor /* (r, in) */,
  B: Tensor /* (out, r) */,
  scale: number /* α / r */,
): Tensor /* (out, in) */ {
  // TODO: W plus the scaled product B·A.
  throw new Error('not implemented yet');
}
