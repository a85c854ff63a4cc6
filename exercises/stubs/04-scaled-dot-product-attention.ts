// Exercise scaled-dot-product-attention (chapter 4, section "What actually runs: fused attention").
// Check it with: llmfs exercise check scaled-dot-product-attention

import { causalMask, type Tensor } from 'llm-from-scratch';

/**
 * Scaled dot-product attention for all heads at once (the core of multi-head attention):
 *
 *     out = softmax(q kᵀ / sqrt(hs) + mask) v
 *
 * q is (B, nh, Tq, hs), k and v are (B, nh, Tk, hs); out is (B, nh, Tq, hs). Heads are just an
 * extra batch axis. When `causal` is true, query i is at absolute position Tk - Tq + i (the
 * queries are the last Tq positions, as with a KV cache) and sees only keys j <= Tk - Tq + i;
 * causalMask(Tq, Tk) gives 1 where allowed. When false, every query sees every key.
 *
 * With your function installed, the tiny GPT uses it instead of the library's fused kernel.
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, causal: boolean): Tensor {
  const [B, nh, Tq, hs] = q.shape; // (B, nh, Tq, hs)
  const Tk = k.shape[2]; // k, v: (B, nh, Tk, hs)
  // TODO: scores (B, nh, Tq, Tk), scale, mask if causal, softmax over keys, times v.
  throw new Error('not implemented yet');
}
