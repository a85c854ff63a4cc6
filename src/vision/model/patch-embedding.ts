// Patch embedding (ViT, Dosovitskiy et al., 2021, eq. 1): z = [x_p¹E; x_p²E; ...; x_pᴺE], each
// flattened P×P patch x_pⁿ (C·P·P values) times one matrix E, plus a bias. Written as unfold + Linear;
// it is the same map as PyTorch's Conv2d(C, D, kernel_size=P, stride=P), whose weight (D, C, P, P)
// reshaped to (D, C·P·P) is `proj.weight` here (the unfold's column order is the conv's).

import type { Tensor } from '../../tensor/tensor.js';
import { unfoldPatches } from '../../tensor/ops/unfold-patches.js';
import { Module } from '../../nn/module.js';
import { Linear } from '../../nn/layers.js';

export class PatchEmbedding extends Module {
  /** E and its bias: (D, C·P·P) and (D). */
  proj: Linear;

  constructor(
    readonly channels: number,
    readonly patchSize: number,
    readonly dModel: number,
  ) {
    super();
    this.proj = new Linear(channels * patchSize * patchSize, dModel);
  }

  /** images (B, C, H, W) -> patch embeddings (B, N, D), N = (H/P)·(W/P), patches row by row. */
  forward(images: Tensor): Tensor {
    const patches = unfoldPatches(images, this.patchSize); // (B, N, C·P·P)
    return this.proj.forward(patches); // (B, N, D)
  }
}
