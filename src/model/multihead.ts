// Multi-head self-attention (Vaswani et al., 2017, section 3.2.2) with GPT-2's names: one
// fused projection `c_attn` makes Q, K and V for all heads at once, heads attend in parallel,
// and `c_proj` mixes their concatenated outputs. Options: separate q/k/v projections (the same
// maths, three matrices), grouped-query attention (nKvHead < nHead), RoPE, and a KV cache.

import type { Tensor } from '../tensor/tensor.js';
import { cat } from '../tensor/ops/layout.js';
import { Module } from '../nn/module.js';
import { Linear, Dropout } from '../nn/layers.js';
import { scaledDotProductAttention } from './attention.js';
import { applyRope, type RopeTables } from './rope.js';
import { LlmfsError } from '../errors.js';
import { fmtShape } from '../tensor/shape.js';

export interface MultiHeadOptions {
  nEmbd: number;
  nHead: number;
  /** Key/value heads; defaults to nHead. */
  nKvHead?: number;
  bias?: boolean;
  dropout?: number;
  /** One fused c_attn (default, GPT-2) or separate q_proj/k_proj/v_proj. */
  fusedQkv?: boolean;
}

/** Per-layer cache of past keys and values, (B, nkv, Tpast, hs) each. */
export interface LayerKvCache {
  k: Tensor | null;
  v: Tensor | null;
}

export interface AttentionCallOptions {
  /** 1 = may attend; broadcasts to (B, nh, T, Tk). */
  mask?: Tensor | null;
  causal?: boolean;
  rope?: RopeTables | null;
  /** Absolute position of the first query (for RoPE with a cache). */
  start?: number;
  cache?: LayerKvCache;
  /** Receives the (B, nh, T, Tk) attention weights when given. */
  record?: { weights?: Tensor };
}

/** (B, T, n·hs) -> (B, n, T, hs) */
function splitHeads(x: Tensor, n: number): Tensor {
  const [B, T, C] = x.shape;
  return x.reshape(B, T, n, C / n).transpose(1, 2);
}

export class MultiHeadAttention extends Module {
  c_attn: Linear | null = null;
  q_proj: Linear | null = null;
  k_proj: Linear | null = null;
  v_proj: Linear | null = null;
  c_proj: Linear;
  resid_dropout: Dropout;
  readonly nHead: number;
  readonly nKvHead: number;
  readonly headSize: number;
  readonly attnDropout: number;

  constructor(opts: MultiHeadOptions) {
    super();
    const { nEmbd, nHead } = opts;
    this.nHead = nHead;
    this.nKvHead = opts.nKvHead ?? nHead;
    if (nEmbd % nHead !== 0) throw new LlmfsError(`MultiHeadAttention: nEmbd ${nEmbd} is not divisible by nHead ${nHead}`);
    if (nHead % this.nKvHead !== 0) throw new LlmfsError(`MultiHeadAttention: nKvHead ${this.nKvHead} must divide nHead ${nHead}`);
    this.headSize = nEmbd / nHead;
    const kvWidth = this.nKvHead * this.headSize;
    const bias = opts.bias ?? true;
    if (opts.fusedQkv ?? true) {
      this.c_attn = new Linear(nEmbd, nEmbd + 2 * kvWidth, { bias });
    } else {
      this.q_proj = new Linear(nEmbd, nEmbd, { bias });
      this.k_proj = new Linear(nEmbd, kvWidth, { bias });
      this.v_proj = new Linear(nEmbd, kvWidth, { bias });
    }
    this.c_proj = new Linear(nEmbd, nEmbd, { bias });
    this.attnDropout = opts.dropout ?? 0;
    this.resid_dropout = new Dropout(this.attnDropout);
  }

  /** Q (B, T, C), K and V (B, T, kvWidth) from x. */
  project(x: Tensor): [Tensor, Tensor, Tensor] {
    if (this.c_attn) {
      const qkv = this.c_attn.forward(x); // (B, T, C + 2·kvWidth)
      const C = this.nHead * this.headSize;
      const kvWidth = this.nKvHead * this.headSize;
      return [qkv.narrow(-1, 0, C), qkv.narrow(-1, C, kvWidth), qkv.narrow(-1, C + kvWidth, kvWidth)];
    }
    return [this.q_proj!.forward(x), this.k_proj!.forward(x), this.v_proj!.forward(x)];
  }

  /** x (B, T, C) -> (B, T, C). */
  forward(x: Tensor, o: AttentionCallOptions = {}): Tensor {
    if (x.ndim !== 3 || x.shape[2] !== this.nHead * this.headSize) {
      throw new LlmfsError(`attention: input must be (B, T, ${this.nHead * this.headSize}), got ${fmtShape(x.shape)}`);
    }
    const [qf, kf, vf] = this.project(x);
    let q = splitHeads(qf, this.nHead); // (B, nh, T, hs)
    let k = splitHeads(kf, this.nKvHead); // (B, nkv, T, hs)
    let v = splitHeads(vf, this.nKvHead); // (B, nkv, T, hs)
    const start = o.start ?? 0;
    if (o.rope) {
      q = applyRope(q, o.rope, start);
      k = applyRope(k, o.rope, start);
    }
    if (o.cache) {
      if (o.cache.k && o.cache.v) {
        k = cat([o.cache.k, k], 2); // (B, nkv, Tpast + T, hs)
        v = cat([o.cache.v, v], 2);
      }
      o.cache.k = k;
      o.cache.v = v;
    }
    const res = scaledDotProductAttention(q, k, v, {
      mask: o.mask,
      causal: o.causal ?? true,
      dropout: this.attnDropout,
      training: this.training,
      returnWeights: o.record !== undefined,
    });
    if (o.record) o.record.weights = res.weights;
    const [B, , T, hs] = res.out.shape;
    const y = res.out.transpose(1, 2).reshape(B, T, this.nHead * hs); // (B, T, C): heads side by side
    return this.resid_dropout.forward(this.c_proj.forward(y));
  }
}
