// The Transformer decoder (Vaswani et al., 2017, section 3.1): each layer runs masked (causal)
// self-attention over the target so far, cross-attention over the encoder's memory, then a
// feed-forward network; residuals and norms as in the encoder; a final norm.

import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { LayerNorm } from '../nn/layers.js';
import { ModuleList } from '../nn/containers.js';
import { MultiHeadAttention, type LayerKvCache } from './multihead.js';
import { CrossAttention } from './cross-attention.js';
import { MLP } from './mlp.js';
import type { EncoderDecoderConfig } from './encoder-decoder-config.js';

/** Per-layer caches: self-attention keys/values grow; cross-attention ones are fixed. */
export interface DecoderLayerCache {
  self: LayerKvCache;
  cross: LayerKvCache;
}

export interface DecoderCallOptions {
  /** (B, 1, 1, Tk) 1 for real target tokens (Tk includes cached positions). */
  selfMask?: Tensor | null;
  /** (B, 1, 1, S) 1 for real source tokens. */
  memoryMask?: Tensor | null;
  cache?: DecoderLayerCache[];
}

export class DecoderLayer extends Module {
  self_attn: MultiHeadAttention;
  cross_attn: CrossAttention;
  mlp: MLP;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  readonly pre: boolean;

  constructor(c: EncoderDecoderConfig) {
    super();
    this.self_attn = new MultiHeadAttention({ nEmbd: c.dModel, nHead: c.nHead, dropout: c.dropout });
    this.cross_attn = new CrossAttention(c.dModel, c.nHead, { dropout: c.dropout });
    this.mlp = new MLP({ nEmbd: c.dModel, hidden: c.dFF, activation: c.activation, dropout: c.dropout });
    this.norm1 = new LayerNorm(c.dModel, { eps: c.normEps });
    this.norm2 = new LayerNorm(c.dModel, { eps: c.normEps });
    this.norm3 = new LayerNorm(c.dModel, { eps: c.normEps });
    this.pre = c.normPlacement === 'pre';
  }

  /** x (B, T, C), memory (B, S, C) -> (B, T, C) */
  forward(x: Tensor, memory: Tensor, o: { selfMask?: Tensor | null; memoryMask?: Tensor | null; cache?: DecoderLayerCache }): Tensor {
    const sa = (h: Tensor) => this.self_attn.forward(h, { mask: o.selfMask, causal: true, cache: o.cache?.self });
    const ca = (h: Tensor) => this.cross_attn.forward(h, memory, { memoryMask: o.memoryMask, cache: o.cache?.cross });
    if (this.pre) {
      x = x.add(sa(this.norm1.forward(x)));
      x = x.add(ca(this.norm2.forward(x)));
      return x.add(this.mlp.forward(this.norm3.forward(x)));
    }
    x = this.norm1.forward(x.add(sa(x)));
    x = this.norm2.forward(x.add(ca(x)));
    return this.norm3.forward(x.add(this.mlp.forward(x)));
  }
}

export class TransformerDecoder extends Module {
  layers: ModuleList<DecoderLayer>;
  norm: LayerNorm;

  constructor(c: EncoderDecoderConfig) {
    super();
    this.layers = new ModuleList(Array.from({ length: c.nDecoderLayer }, () => new DecoderLayer(c)));
    this.norm = new LayerNorm(c.dModel, { eps: c.normEps });
  }

  forward(x: Tensor, memory: Tensor, o: DecoderCallOptions = {}): Tensor {
    let i = 0;
    for (const layer of this.layers) {
      x = layer.forward(x, memory, { selfMask: o.selfMask, memoryMask: o.memoryMask, cache: o.cache?.[i++] });
    }
    return this.norm.forward(x);
  }
}
