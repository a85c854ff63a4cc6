// The Transformer decoder (Vaswani et al., 2017, section 3.1): each layer runs masked (causal)
// self-attention over the target so far, cross-attention over the encoder's memory, then a
// feed-forward network; residuals and norms as in the encoder; a final norm.

import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { LayerNorm } from '../nn/layers.js';
import { ModuleList } from '../nn/containers.js';
import { MultiHeadAttention } from './multihead.js';
import type { LayerKvCache } from './kv-cache.js';
import { CrossAttention } from './cross-attention.js';
import { MLP } from './mlp.js';
import { residual, type NormPlacement } from './block.js';
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
  /** Receives each layer's cross-attention weights (B, nh, T, S) (what a captioner looks at). */
  recordCross?: Tensor[];
}

export class DecoderLayer extends Module {
  self_attn: MultiHeadAttention;
  cross_attn: CrossAttention;
  mlp: MLP;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  readonly placement: NormPlacement;

  constructor(c: EncoderDecoderConfig) {
    super();
    this.self_attn = new MultiHeadAttention({ nEmbd: c.dModel, nHead: c.nHead, dropout: c.dropout });
    this.cross_attn = new CrossAttention(c.dModel, c.nHead, { dropout: c.dropout });
    this.mlp = new MLP({ nEmbd: c.dModel, hidden: c.dFF, activation: c.activation, dropout: c.dropout });
    this.norm1 = new LayerNorm(c.dModel, { eps: c.normEps });
    this.norm2 = new LayerNorm(c.dModel, { eps: c.normEps });
    this.norm3 = new LayerNorm(c.dModel, { eps: c.normEps });
    this.placement = c.normPlacement;
  }

  /** x (B, T, C), memory (B, S, C) -> (B, T, C) */
  forward(
    x: Tensor,
    memory: Tensor,
    o: {
      selfMask?: Tensor | null;
      memoryMask?: Tensor | null;
      cache?: DecoderLayerCache;
      record?: { weights?: Tensor };
    },
  ): Tensor {
    const sa = (h: Tensor) =>
      this.self_attn.forward(h, { mask: o.selfMask, causal: true, cache: o.cache?.self });
    const ca = (h: Tensor) =>
      this.cross_attn.forward(h, memory, {
        memoryMask: o.memoryMask,
        cache: o.cache?.cross,
        record: o.record,
      });
    x = residual(x, this.norm1, sa, this.placement);
    x = residual(x, this.norm2, ca, this.placement);
    return residual(x, this.norm3, (h) => this.mlp.forward(h), this.placement);
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
      const record: { weights?: Tensor } | undefined = o.recordCross ? {} : undefined;
      x = layer.forward(x, memory, {
        selfMask: o.selfMask,
        memoryMask: o.memoryMask,
        cache: o.cache?.[i++],
        record,
      });
      if (o.recordCross && record?.weights) o.recordCross.push(record.weights);
    }
    return this.norm.forward(x);
  }
}
