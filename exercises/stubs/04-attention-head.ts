// Exercise attention-head (chapter 4, section "One head, step by step").
// Check it with: llmfs exercise check attention-head

import { causalMask, type Tensor } from 'llm-from-scratch';

/**
 * One causal self-attention head (Vaswani et al., 2017, eq. 1):
 *
 *     out = softmax(q kᵀ / sqrt(hs) + mask) v
 *
 * q, k, v are (B, T, hs): a query, key and value for every position. scores[b, i, j] says how
 * well query i matches key j; the mask adds -infinity where j > i (the future), so those keys
 * get weight 0; each row of the softmax sums to 1 and mixes the values.
 *
 * Useful: a.matmul(b), k.transpose(-2, -1), t.div(x), t.maskedFill(mask, value) (sets where mask
 * is 1), t.softmax(-1), causalMask(T, T) (1 where allowed: blocked = 1 - mask).
 */
export function attentionHead(q: Tensor, k: Tensor, v: Tensor): Tensor {
  const [B, T, hs] = q.shape; // q, k, v: (B, T, hs)
  // TODO: scores (B, T, T), scaled, masked, softmax, then the weighted sum of v: (B, T, hs).
  throw new Error('not implemented yet');
}
