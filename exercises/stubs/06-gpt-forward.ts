// Exercise gpt-forward (chapter 6, section "GPT: a decoder-only language model").
// Check it with: llmfs exercise check gpt-forward

import type { GPT, Tensor } from 'llm-from-scratch';

/**
 * The GPT's forward pass (Radford et al., 2019), from token ids (B, T) to logits (B, T, V):
 *
 *     x = wte(idx) + wpe(0, 1, ..., T-1)         (B, T, C): token plus position embeddings
 *     x = drop(x); x = block(x) for each block in h
 *     logits = lm_head(ln_f(x))                  (B, T, V); with tied weights (lm_head null),
 *                                                 ln_f(x) · wteᵀ
 *
 * Use the model's own modules: model.wte.forward(idx), model.wpe!.forward(positions as number[]),
 * model.drop.forward(x), block.forward(x) for block of model.h, model.ln_f.forward(x),
 * model.lm_head?.forward(x) or x.matmul(model.wte.weight.transpose(0, 1)).
 * (The model has learned positions; no cache, no masks.)
 */
export function gptForward(model: GPT, idx: Tensor): Tensor {
  const [B, T] = idx.shape; // (B, T) token ids
  // TODO: embeddings + positions, dropout, the blocks, ln_f, the head.
  throw new Error('not implemented yet');
}
