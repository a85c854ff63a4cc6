// Reference solution of scaled-dot-product-attention (chapter 4, section "What actually runs:
// fused attention").

import { causalMask, type Tensor } from 'llm-from-scratch';

/** softmax(q kᵀ / sqrt(hs) + mask) v on (B, nh, T, hs), heads as a batch axis. */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, causal: boolean): Tensor {
  const [, , Tq, hs] = q.shape;
  const Tk = k.shape[2];
  let scores = q.matmul(k.transpose(-2, -1)).mul(1 / Math.sqrt(hs)); // (B, nh, Tq, Tk)
  if (causal) scores = scores.maskedFill(causalMask(Tq, Tk).neg().add(1), -Infinity); // the future
  return scores.softmax(-1).matmul(v); // (B, nh, Tq, hs)
}
