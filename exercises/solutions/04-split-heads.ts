// Reference solution of split-heads (chapter 4, section "Many heads at once").

import type { Tensor } from 'llm-from-scratch';

/** (B, T, C) -> (B, n, T, hs): head h gets channels h·hs .. h·hs + hs - 1 of every position. */
export function splitHeads(x: Tensor, n: number): Tensor {
  const [B, T, C] = x.shape;
  return x
    .reshape(B, T, n, C / n) // (B, T, n, hs): the head is its own axis
    .transpose(1, 2); // (B, n, T, hs): heads before time
}
