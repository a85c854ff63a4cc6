// Reference solution of linear-attention-step (chapter 15, section "Linear attention").

import type { Tensor } from 'llm-from-scratch';

/** φ(x) = elu(x) + 1 = max(x, 0) + exp(min(x, 0)): positive everywhere. */
const phi = (x: Tensor): Tensor => x.relu().add(x.minimum(0).exp());

/** S' = S + φ(k) vᵀ, z' = z + φ(k), out = φ(q)ᵀ S' / (φ(q)ᵀ z'). */
export function linearAttentionStep(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  S: Tensor,
  z: Tensor,
): { out: Tensor; S: Tensor; z: Tensor } {
  const fq = phi(q); // (B, nh, 1, hs)
  const fk = phi(k); // (B, nh, 1, hs)
  const S2 = S.add(fk.transpose(-2, -1).matmul(v)); // (B, nh, hs, hv)
  const z2 = z.add(fk); // (B, nh, 1, hs)
  const out = fq.matmul(S2).div(fq.mul(z2).sum(-1, true)); // (B, nh, 1, hv) / (B, nh, 1, 1)
  return { out, S: S2, z: z2 };
}
