// Reference solution of unfold-patches (chapter 17, section "The model and the training").

import type { Tensor } from 'llm-from-scratch';

/** (B, C, H, W) -> (B, N, C·P·P): a reshape that splits each side into (grid, P), a permute, a reshape. */
export function unfoldPatches(x: Tensor, P: number): Tensor {
  const [B, C, H, W] = x.shape as [number, number, number, number];
  const [hp, wp] = [H / P, W / P];
  return x
    .reshape(B, C, hp, P, wp, P) // (B, C, Hp, P, Wp, P)
    .permute(0, 2, 4, 1, 3, 5) // (B, Hp, Wp, C, P, P)
    .reshape(B, hp * wp, C * P * P);
}
