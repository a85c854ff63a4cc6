// Exercise pre-norm-block (chapter 5, section "Pre-norm and post-norm").
// Check it with: llmfs exercise check pre-norm-block

import type { Tensor } from 'llm-from-scratch';

/**
 * A pre-norm transformer block (GPT-2): two residual branches, each normalising its input:
 *
 *     x = x + attn(ln1(x))
 *     x = x + mlp(ln2(x))
 *
 * x is (B, T, C); ln1, attn, ln2 and mlp are the block's sub-layers as functions from a (B, T, C)
 * tensor to a (B, T, C) tensor (in the model: block.ln_1.forward, block.attn.forward, ...).
 */
export function preNormBlock(
  x: Tensor,
  ln1: (h: Tensor) => Tensor,
  attn: (h: Tensor) => Tensor,
  ln2: (h: Tensor) => Tensor,
  mlp: (h: Tensor) => Tensor,
): Tensor {
  // TODO: the two residual branches, in order.
  throw new Error('not implemented yet');
}
