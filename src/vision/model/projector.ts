// The projector of a LLaVA-style vision-language model (Liu et al., 2023, "Visual Instruction
// Tuning", eq. 1: H_v = W · Z_v): vision features (B, N, D_vision) mapped into the language model's
// embedding space (B, N, n_embd), to be prepended to the text embeddings. LLaVA used one Linear;
// LLaVA-1.5 (Liu et al., 2024, "Improved Baselines with Visual Instruction Tuning") a 2-layer MLP
// with GELU. Names follow Hugging Face's LlavaMultiModalProjector (linear_1, linear_2).

import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../../nn/module.js';
import { Linear } from '../../nn/layers.js';
import { LlmfsError } from '../../errors.js';

export type ProjectorKind = 'linear' | 'mlp';

export interface ProjectorOptions {
  /** D_vision: the width of the vision features. */
  inFeatures: number;
  /** n_embd of the language model. */
  outFeatures: number;
  /** 'mlp' (LLaVA-1.5, the default): Linear, GELU, Linear; 'linear' (LLaVA): one Linear. */
  kind?: ProjectorKind;
}

export class Projector extends Module {
  linear_1: Linear;
  /** n_embd -> n_embd after the GELU; null for the 'linear' kind. */
  linear_2: Linear | null;
  readonly kind: ProjectorKind;

  constructor(o: ProjectorOptions) {
    super();
    this.kind = o.kind ?? 'mlp';
    if (this.kind !== 'mlp' && this.kind !== 'linear')
      throw new LlmfsError(`projector: kind must be 'mlp' or 'linear', got '${String(this.kind)}'`);
    this.linear_1 = new Linear(o.inFeatures, o.outFeatures);
    this.linear_2 = this.kind === 'mlp' ? new Linear(o.outFeatures, o.outFeatures) : null;
  }

  /** features (B, N, D_vision) -> prefix embeddings (B, N, n_embd) */
  forward(features: Tensor): Tensor {
    const h = this.linear_1.forward(features); // (B, N, n_embd)
    if (!this.linear_2) return h;
    return this.linear_2.forward(h.gelu('none')); // (B, N, n_embd), exact GELU as torch's nn.GELU()
  }
}
