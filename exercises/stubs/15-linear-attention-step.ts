// Exercise linear-attention-step (chapter 15, section "Linear attention").
// Check it with: llmfs exercise check linear-attention-step

import type { Tensor } from 'llm-from-scratch';

/**
 * One step of causal linear attention in its recurrent form (Katharopoulos et al., 2020,
 * "Transformers are RNNs", eqs. 18-20), for the position after those folded into the state S, z:
 *
 *     S' = S + φ(k) vᵀ        z' = z + φ(k)        out = φ(q)ᵀ S' / (φ(q)ᵀ z')
 *
 * with the feature map φ(x) = elu(x) + 1 = max(x, 0) + exp(min(x, 0)) on q and k. Every head of
 * every row at once: q, k (B, nh, 1, hs), v (B, nh, 1, hv), S (B, nh, hs, hv), z (B, nh, 1, hs).
 * Return the output (B, nh, 1, hv) and the new state as new tensors; leave S and z unchanged.
 */
export function linearAttentionStep(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  S: Tensor,
  z: Tensor,
): { out: Tensor; S: Tensor; z: Tensor } {
  // TODO: the feature map, then the new state, then the output read from it.
  throw new Error('not implemented yet');
}
