// Exercise unfold-patches (chapter 17, section "The model and the training").
// Check it with: llmfs exercise check unfold-patches

import type { Tensor } from 'llm-from-scratch';

/**
 * Cuts images x (B, C, H, W) into non-overlapping P x P patches, one row per patch (ViT,
 * Dosovitskiy et al., 2021, eq. 1): the result is (B, N, C·P·P) with N = (H/P)·(W/P). Patches go
 * row by row (patch n = i·Wp + j for grid row i and column j); inside a patch the columns go
 * (c, py, px), the order a Conv2d weight (D, C, P, P) flattens in, so patches @ weight.reshape(D, -1)ᵀ
 * is that Conv2d with kernel = stride = P. Use tensor ops (reshape, permute): autograd then
 * gives the backward.
 */
export function unfoldPatches(x: Tensor, P: number): Tensor {
  // TODO: split H and W into (grid, P), move the grid in front, flatten.
  throw new Error('not implemented yet');
}
