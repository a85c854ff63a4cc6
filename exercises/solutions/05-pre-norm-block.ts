// Reference solution of pre-norm-block (chapter 5, section "Pre-norm and post-norm").

import type { Tensor } from 'llm-from-scratch';

/** x + attn(ln1(x)), then + mlp(ln2(·)) of that: the residual stream itself is never normalised. */
export function preNormBlock(
  x: Tensor,
  ln1: (h: Tensor) => Tensor,
  attn: (h: Tensor) => Tensor,
  ln2: (h: Tensor) => Tensor,
  mlp: (h: Tensor) => Tensor,
): Tensor {
  const h = x.add(attn(ln1(x))); // (B, T, C): tokens exchange information
  return h.add(mlp(ln2(h))); // (B, T, C): each position computes on its own
}
