// Reference solution of merge-heads (chapter 4, section "Many heads at once").

import type { Tensor } from 'llm-from-scratch';

/** (B, n, T, hs) -> (B, T, n·hs): the heads' outputs side by side at every position. */
export function mergeHeads(x: Tensor): Tensor {
  const [B, n, T, hs] = x.shape;
  return x
    .transpose(1, 2) // (B, T, n, hs)
    .reshape(B, T, n * hs); // (B, T, C)
}
