// The original sequence-to-sequence Transformer (Vaswani et al., 2017): an encoder reads the
// whole source, a decoder writes the target one token at a time, attending to its own past
// (causal self-attention) and to the source (cross-attention). Embeddings are scaled by
// sqrt(d_model) and summed with positions (section 3.4); padding ids are masked everywhere.

import { Tensor } from '../tensor/tensor.js';
import { noGrad } from '../tensor/autograd.js';
import { linear } from '../tensor/ops/matmul.js';
import { crossEntropy } from '../tensor/ops/loss.js';
import { fmtShape } from '../tensor/shape.js';
import { Module } from '../nn/module.js';
import { Embedding, Linear, Dropout } from '../nn/layers.js';
import * as init from '../nn/init.js';
import {
  type EncoderDecoderConfig,
  type EncoderDecoderConfigInput,
  encoderDecoderConfig,
} from './encoder-decoder-config.js';
import { TransformerEncoder } from './encoder.js';
import { TransformerDecoder, type DecoderLayerCache } from './decoder.js';
import { sinusoidalTable } from './sinusoidal.js';
import { LlmfsError } from '../errors.js';

/** Decoder caches for incremental decoding; `length` target positions are cached. */
export class EncoderDecoderCache {
  readonly layers: DecoderLayerCache[];
  constructor(nLayer: number) {
    this.layers = Array.from({ length: nLayer }, () => ({
      self: { k: null, v: null },
      cross: { k: null, v: null },
    }));
  }
  get length(): number {
    return this.layers[0]?.self.k?.shape[1] ?? 0;
  }
}

export interface Encoded {
  memory: Tensor; // (B, S, C)
  memoryMask: Tensor; // (B, 1, 1, S)
}

export class EncoderDecoder extends Module {
  readonly config: EncoderDecoderConfig;
  src_embed: Embedding;
  tgt_embed: Embedding;
  src_pos: Embedding | null;
  tgt_pos: Embedding | null;
  drop: Dropout;
  encoder: TransformerEncoder;
  decoder: TransformerDecoder;
  lm_head: Linear | null;
  private _pe: Tensor | null;

  constructor(configIn: EncoderDecoderConfigInput) {
    super();
    const c = encoderDecoderConfig(configIn);
    this.config = c;
    this.src_embed = new Embedding(c.srcVocabSize, c.dModel);
    this.tgt_embed = new Embedding(c.tgtVocabSize, c.dModel);
    const learned = c.positions === 'learned';
    this.src_pos = learned ? new Embedding(c.maxLen, c.dModel) : null;
    this.tgt_pos = learned ? new Embedding(c.maxLen, c.dModel) : null;
    this._pe = learned ? null : sinusoidalTable(c.maxLen, c.dModel);
    this.drop = new Dropout(c.dropout);
    this.encoder = new TransformerEncoder(c);
    this.decoder = new TransformerDecoder(c);
    this.lm_head = c.tieWeights ? null : new Linear(c.dModel, c.tgtVocabSize);
    // Xavier-uniform for every matrix, as torch.nn.Transformer and the Annotated Transformer do.
    noGrad(() => {
      for (const p of this.parameters()) if (p.ndim > 1) init.xavierUniform(p);
    });
  }

  private embed(ids: Tensor, table: Embedding, pos: Embedding | null, start: number): Tensor {
    const c = this.config;
    const T = ids.shape[1];
    if (start + T > c.maxLen)
      throw new LlmfsError(`encoder-decoder: sequence of ${start + T} exceeds maxLen ${c.maxLen}`);
    let x = table.forward(ids).mul(Math.sqrt(c.dModel)); // (B, T, C)
    const positions = Array.from({ length: T }, (_, t) => start + t);
    x = pos ? x.add(pos.forward(positions)) : x.add(this._pe!.narrow(0, start, T)); // + (T, C)
    return this.drop.forward(x);
  }

  /** (B, 1, 1, T) with 1 where ids are not padding. */
  padMask(ids: Tensor): Tensor {
    const [B, T] = ids.shape;
    const m = new Float32Array(B * T);
    for (let i = 0; i < m.length; i++) m[i] = ids.data[i] === this.config.padId ? 0 : 1;
    return new Tensor(m, [B, 1, 1, T]);
  }

  /** Source ids (B, S) -> memory (B, S, C) and its padding mask. */
  encode(src: Tensor): Encoded {
    if (src.ndim !== 2)
      throw new LlmfsError(`encoder-decoder: source ids must be (B, S), got ${fmtShape(src.shape)}`);
    const memoryMask = this.padMask(src);
    const memory = this.encoder.forward(this.embed(src, this.src_embed, this.src_pos, 0), memoryMask);
    return { memory, memoryMask };
  }

  /** Target ids (B, T) -> logits (B, T, V), given the encoded source. */
  decode(tgt: Tensor, enc: Encoded, cache?: EncoderDecoderCache): Tensor {
    if (tgt.ndim !== 2)
      throw new LlmfsError(`encoder-decoder: target ids must be (B, T), got ${fmtShape(tgt.shape)}`);
    const start = cache ? cache.length : 0;
    const x = this.embed(tgt, this.tgt_embed, this.tgt_pos, start);
    // Target padding only matters without a cache (teacher forcing on padded batches).
    const selfMask = cache ? null : this.padMask(tgt);
    const h = this.decoder.forward(x, enc.memory, {
      selfMask,
      memoryMask: enc.memoryMask,
      cache: cache?.layers,
    });
    return this.lm_head ? this.lm_head.forward(h) : linear(h, this.tgt_embed.weight); // (B, T, V)
  }

  /** Teacher forcing: logits for tgtIn, and the mean loss against targets (padding ignored). */
  forward(src: Tensor, tgtIn: Tensor, targets?: Tensor): { logits: Tensor; loss?: Tensor } {
    const logits = this.decode(tgtIn, this.encode(src));
    if (!targets) return { logits };
    const [B, T, V] = logits.shape;
    const loss = crossEntropy(logits.reshape(B * T, V), targets.reshape(B * T), {
      ignoreIndex: this.config.padId,
    });
    return { logits, loss };
  }
}
