// Reference solution of rope (chapter 3, section "Rotary position embedding, RoPE (Su et al., 2021)").

import { cat, type Tensor } from 'llm-from-scratch';

/** x ⊙ cos + rotateHalf(x) ⊙ sin, pairing channel i with i + hs/2. */
export function rope(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  const half = x.shape[x.ndim - 1]! / 2;
  const x1 = x.narrow(-1, 0, half); // (..., hs/2)
  const x2 = x.narrow(-1, half, half); // (..., hs/2)
  const rotated = cat([x2.neg(), x1], -1); // (..., hs): [−x2, x1]
  return x.mul(cos).add(rotated.mul(sin));
}
