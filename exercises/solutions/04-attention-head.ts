// Reference solution of attention-head (chapter 4, section "One head, step by step").

import { causalMask, type Tensor } from 'llm-from-scratch';

/** One causal head: softmax(q kᵀ / sqrt(hs) + mask) v, with q, k, v (B, T, hs). */
export function attentionHead(q: Tensor, k: Tensor, v: Tensor): Tensor {
  const [, T, hs] = q.shape;
  const scores = q.matmul(k.transpose(-2, -1)).div(Math.sqrt(hs)); // (B, T, T)
  const future = causalMask(T, T).neg().add(1); // (T, T), 1 where j > i
  const weights = scores.maskedFill(future, -Infinity).softmax(-1); // (B, T, T), rows sum to 1
  return weights.matmul(v); // (B, T, hs)
}
