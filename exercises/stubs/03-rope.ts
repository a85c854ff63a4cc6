// Exercise rope (chapter 3, section "Rotary position embedding, RoPE (Su et al., 2021)").
// Check it with: llmfs exercise check rope

import type { Tensor } from 'llm-from-scratch';

/**
 * Rotary position embedding of queries or keys x (..., hs), hs even: channel i is rotated together
 * with channel i + hs/2 (the "rotate half" pairing of GPT-NeoX and Hugging Face LLaMA), by the
 * angle of its position and pair:
 *
 *     rope(x) = x ⊙ cos + rotateHalf(x) ⊙ sin,    rotateHalf([x1, x2]) = [−x2, x1]
 *
 * where x1, x2 are the first and second halves of the last axis. `cos` and `sin` hold each angle
 * in both halves and broadcast against x: (T, hs) for x (B, nh, T, hs), or (T, 1, hs) for
 * x (B, T, nh, hs). Use tensor ops (narrow, neg, cat, mul, add) so autograd differentiates it.
 */
export function rope(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  // TODO: return x rotated, the same shape as x.
  throw new Error('not implemented yet');
}
