// The Transformer encoder (Vaswani et al., 2017, section 3.1): a stack of layers, each
// bidirectional self-attention then a feed-forward network, with residuals and norms (post-norm
// as the paper, or pre-norm), and a final norm as torch.nn.TransformerEncoder has.

import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { LayerNorm } from '../nn/layers.js';
import { ModuleList } from '../nn/containers.js';
import { MultiHeadAttention } from './multihead.js';
import { MLP } from './mlp.js';
import { residual, type NormPlacement } from './block.js';
import type { EncoderDecoderConfig } from './encoder-decoder-config.js';

export class EncoderLayer extends Module {
  self_attn: MultiHeadAttention;
  mlp: MLP;
  norm1: LayerNorm;
  norm2: LayerNorm;
  readonly placement: NormPlacement;

  constructor(c: EncoderDecoderConfig) {
    super();
    this.self_attn = new MultiHeadAttention({ nEmbd: c.dModel, nHead: c.nHead, dropout: c.dropout });
    this.mlp = new MLP({ nEmbd: c.dModel, hidden: c.dFF, activation: c.activation, dropout: c.dropout });
    this.norm1 = new LayerNorm(c.dModel, { eps: c.normEps });
    this.norm2 = new LayerNorm(c.dModel, { eps: c.normEps });
    this.placement = c.normPlacement;
  }

  /** x (B, S, C); mask (B, 1, 1, S) with 1 for real tokens. */
  forward(x: Tensor, mask: Tensor | null): Tensor {
    x = residual(x, this.norm1, (h) => this.self_attn.forward(h, { mask, causal: false }), this.placement);
    return residual(x, this.norm2, (h) => this.mlp.forward(h), this.placement);
  }
}

export class TransformerEncoder extends Module {
  layers: ModuleList<EncoderLayer>;
  norm: LayerNorm;

  constructor(c: EncoderDecoderConfig) {
    super();
    this.layers = new ModuleList(Array.from({ length: c.nEncoderLayer }, () => new EncoderLayer(c)));
    this.norm = new LayerNorm(c.dModel, { eps: c.normEps });
  }

  /** x (B, S, C) embedded source -> memory (B, S, C). */
  forward(x: Tensor, mask: Tensor | null): Tensor {
    for (const layer of this.layers) x = layer.forward(x, mask);
    return this.norm.forward(x);
  }
}
