// Multi-head self-attention (Vaswani et al., 2017, section 3.2.2) with GPT-2's names: one
// fused projection `c_attn` makes Q, K and V for all heads at once, heads attend in parallel,
// and `c_proj` mixes their concatenated outputs. Options: separate q/k/v projections (the same
// maths, three matrices), grouped-query attention (nKvHead < nHead), RoPE, and a KV cache.
// Variants (issue 18): a sliding window or sparse pattern (attention-patterns.ts) with its sparse op
// and rolling cache; linear attention (linear-attention.ts); ALiBi biases (alibi.ts); and QK-norm:
// RMSNorm over each head's q and k, one weight of size hs shared by the heads.

import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { Linear, Dropout } from '../nn/layers.js';
import { scaledDotProductAttention, splitHeads, mergeHeads, repeatKv, attentionCore } from './attention.js';
import { fusedAttention } from '../tensor/ops/attention.js';
import { applyRope, type RopeTables } from './rope.js';
import { LlmfsError } from '../errors.js';
import { fmtShape } from '../tensor/shape.js';
import { appendKv, type LayerKvCache } from './kv-cache.js';
import { isImplemented } from '../exercises/registry.js';
// Attention variants (issue 18)
import { keyLists, patternMask, type AttentionPattern } from './attention-patterns.js';
import { appendRolling } from './rolling-kv-cache.js';
import { sparseAttention, type KeyLists } from '../tensor/ops/sparse-attention.js';
import { combineMasks } from './masks.js';
import { RMSNorm } from '../nn/layers.js';
import type { AttentionKind } from './config.js';
import { alibiBias, alibiSlopes } from './alibi.js';
import {
  linearAttention,
  linearAttentionFused,
  linearAttentionRecurrent,
  linearAttentionState,
  linearAttentionWeights,
} from './linear-attention.js';

export interface MultiHeadOptions {
  nEmbd: number;
  nHead: number;
  /** Key/value heads; defaults to nHead. */
  nKvHead?: number;
  /** hs, the size of one head; defaults to nEmbd / nHead (given when heads were pruned away). */
  headSize?: number;
  bias?: boolean;
  /** Biases on the q/k/v projections (defaults to `bias`); Qwen2 has them, its output projection not. */
  qkvBias?: boolean;
  dropout?: number;
  /** One fused c_attn (default, GPT-2) or separate q_proj/k_proj/v_proj. */
  fusedQkv?: boolean;
  /** Attend only to a sliding window or a sparse pattern's keys (attention-patterns.ts); null: full. */
  pattern?: AttentionPattern | null;
  // --- attention variants (issue 18) ---
  /** 'full' softmax attention (default) or 'linear' (Katharopoulos et al., 2020). */
  attention?: AttentionKind;
  /** Add ALiBi's distance biases to the scores (Press et al., 2022). */
  alibi?: boolean;
  /** RMSNorm on each head's queries and keys before the scores. */
  qkNorm?: boolean;
  /** Epsilon of the QK-norm. */
  normEps?: number;
}

export interface AttentionCallOptions {
  /** 1 = may attend; broadcasts to (B, nh, T, Tk). A (B, 1, 1, Tk) mask is a key-padding mask. */
  mask?: Tensor | null;
  causal?: boolean;
  rope?: RopeTables | null;
  /** Absolute position of the first query (for RoPE with a cache). */
  start?: number;
  cache?: LayerKvCache;
  /** Receives the (B, nh, T, Tk) attention weights (and, in a Block, the MLP's hidden units) when given. */
  record?: LayerRecord;
}

/** What one layer's forward leaves for inspection (llmfs inspect, training diagnostics). */
export interface LayerRecord {
  /** (B, nh, T, Tk) attention weights. */
  weights?: Tensor;
  /** (B, T, H) MLP hidden units after the nonlinearity (or the SwiGLU gate product). */
  mlpHidden?: Tensor;
}

export class MultiHeadAttention extends Module {
  c_attn: Linear | null = null;
  q_proj: Linear | null = null;
  k_proj: Linear | null = null;
  v_proj: Linear | null = null;
  c_proj: Linear;
  resid_dropout: Dropout;
  /** C: the width of the residual stream that goes in and comes out. */
  readonly nEmbd: number;
  readonly nHead: number;
  readonly nKvHead: number;
  readonly headSize: number;
  readonly attnDropout: number;
  readonly pattern: AttentionPattern | null;
  private lastLists: { key: string; lists: KeyLists } | null = null;
  // attention variants (issue 18)
  q_norm: RMSNorm | null = null;
  k_norm: RMSNorm | null = null;
  readonly attention: AttentionKind;
  /** ALiBi's slope per query head, or null without ALiBi. */
  readonly alibiSlopes: number[] | null;

  constructor(opts: MultiHeadOptions) {
    super();
    const { nEmbd, nHead } = opts;
    this.nEmbd = nEmbd;
    this.nHead = nHead;
    this.nKvHead = opts.nKvHead ?? nHead;
    if (opts.headSize === undefined && nEmbd % nHead !== 0)
      throw new LlmfsError(`MultiHeadAttention: nEmbd ${nEmbd} is not divisible by nHead ${nHead}`);
    if (nHead % this.nKvHead !== 0)
      throw new LlmfsError(`MultiHeadAttention: nKvHead ${this.nKvHead} must divide nHead ${nHead}`);
    this.headSize = opts.headSize ?? nEmbd / nHead;
    const qWidth = nHead * this.headSize; // nEmbd unless the head size was given
    const kvWidth = this.nKvHead * this.headSize;
    const bias = opts.bias ?? true;
    const qkvBias = opts.qkvBias ?? bias;
    if (opts.fusedQkv ?? true) {
      this.c_attn = new Linear(nEmbd, qWidth + 2 * kvWidth, { bias: qkvBias });
    } else {
      this.q_proj = new Linear(nEmbd, qWidth, { bias: qkvBias });
      this.k_proj = new Linear(nEmbd, kvWidth, { bias: qkvBias });
      this.v_proj = new Linear(nEmbd, kvWidth, { bias: qkvBias });
    }
    this.c_proj = new Linear(qWidth, nEmbd, { bias });
    this.attnDropout = opts.dropout ?? 0;
    this.resid_dropout = new Dropout(this.attnDropout);
    this.pattern = opts.pattern ?? null;
    this.attention = opts.attention ?? 'full';
    this.alibiSlopes = opts.alibi ? alibiSlopes(nHead) : null;
    if (opts.qkNorm) {
      this.q_norm = new RMSNorm(this.headSize, { eps: opts.normEps });
      this.k_norm = new RMSNorm(this.headSize, { eps: opts.normEps });
    }
  }

  /** Q (B, T, nh·hs), K and V (B, T, kvWidth) from x (B, T, C). */
  project(x: Tensor): [Tensor, Tensor, Tensor] {
    if (this.c_attn) {
      const qkv = this.c_attn.forward(x); // (B, T, nh·hs + 2·kvWidth)
      const qW = this.nHead * this.headSize;
      const kvWidth = this.nKvHead * this.headSize;
      return [qkv.narrow(-1, 0, qW), qkv.narrow(-1, qW, kvWidth), qkv.narrow(-1, qW + kvWidth, kvWidth)];
    }
    return [this.q_proj!.forward(x), this.k_proj!.forward(x), this.v_proj!.forward(x)];
  }

  /** x (B, T, C) -> (B, T, C). */
  forward(x: Tensor, o: AttentionCallOptions = {}): Tensor {
    const C = this.nEmbd;
    if (x.ndim !== 3 || x.shape[2] !== C)
      throw new LlmfsError(`attention: input must be (B, T, ${C}), got ${fmtShape(x.shape)}`);
    const [B, T] = x.shape;
    let [q, k, v] = this.project(x); // (B, T, nh·hs), (B, T, kvWidth), (B, T, kvWidth)
    const start = o.start ?? 0;
    if (this.q_norm && this.k_norm) {
      // QK-norm: each head's q and k to unit RMS (times a learned gain) before RoPE and the scores
      q = this.q_norm.forward(q.reshape(B, T, this.nHead, this.headSize)).reshape(B, T, -1);
      k = this.k_norm.forward(k.reshape(B, T, this.nKvHead, this.headSize)).reshape(B, T, -1);
    }
    if (o.rope) {
      q = applyRope(q.reshape(B, T, this.nHead, this.headSize), o.rope, start, true).reshape(B, T, -1);
      k = applyRope(k.reshape(B, T, this.nKvHead, this.headSize), o.rope, start, true).reshape(B, T, -1);
    }
    if (this.attention === 'linear')
      return this.resid_dropout.forward(this.c_proj.forward(this.linearCore(q, k, v, o)));
    let kStart = 0; // absolute position of the first key: > 0 once a rolling cache drops keys
    if (o.cache && this.pattern?.kind === 'sliding')
      ({ k, v, kStart } = appendRolling(o.cache, k, v, this.pattern.window)); // (B, <= W + T, kvWidth)
    else if (o.cache) ({ k, v } = appendKv(o.cache, k, v)); // (B, Tpast + T, kvWidth)
    if (this.pattern)
      return this.resid_dropout.forward(this.c_proj.forward(this.patternAttention(q, k, v, kStart, o)));
    const causal = o.causal ?? true;
    const Tk = k.shape[1];
    const keyMask =
      o.mask && o.mask.ndim === 4 && o.mask.shape[0] === B && o.mask.shape[1] === 1 && o.mask.shape[2] === 1
        ? o.mask.reshape(B, Tk)
        : null;
    const fusable =
      !o.record && (!o.mask || keyMask) && !(this.attnDropout > 0 && this.training) && !this.alibiSlopes;
    let y: Tensor; // (B, T, nh·hs): heads side by side
    if (fusable && !keyMask && isImplemented('scaledDotProductAttention')) {
      // A learner's attention core (`llmfs exercise`) replaces the fused kernel wholesale.
      const qh = splitHeads(q, this.nHead); // (B, nh, T, hs)
      const kh = repeatKv(splitHeads(k, this.nKvHead), this.nHead); // (B, nh, Tk, hs)
      const vh = repeatKv(splitHeads(v, this.nKvHead), this.nHead);
      y = mergeHeads(attentionCore(qh, kh, vh, causal));
    } else if (fusable) {
      y = fusedAttention(q, k, v, { nHead: this.nHead, nKvHead: this.nKvHead, causal, keyMask });
    } else {
      const qh = splitHeads(q, this.nHead); // (B, nh, T, hs)
      const kh = splitHeads(k, this.nKvHead); // (B, nkv, Tk, hs)
      const vh = splitHeads(v, this.nKvHead);
      const res = scaledDotProductAttention(qh, kh, vh, {
        mask: o.mask,
        causal,
        dropout: this.attnDropout,
        training: this.training,
        returnWeights: o.record !== undefined,
        bias: this.alibiSlopes ? alibiBias(this.alibiSlopes, T, Tk) : null, // (1, nh, T, Tk)
      }); // out (B, nh, T, hs)
      if (o.record) o.record.weights = res.weights;
      y = mergeHeads(res.out);
    }
    return this.resid_dropout.forward(this.c_proj.forward(y));
  }

  // --- Attention variants (issue 18) ---
  /**
   * Attention restricted to the pattern: q (B, T, nh·hs), k and v (B, Tk, kvWidth) for the positions
   * kStart.. -> (B, T, nh·hs). The sparse op visits only the pattern's pairs; the readable reference
   * (weights recorded, a general mask, or dropout on the weights) masks the dense scores instead.
   */
  private patternAttention(q: Tensor, k: Tensor, v: Tensor, kStart: number, o: AttentionCallOptions): Tensor {
    const p = this.pattern!;
    if (o.causal === false)
      throw new LlmfsError(`attention: the ${p.kind} pattern is causal; it cannot attend in both directions`);
    const [B, T] = q.shape;
    const Tk = k.shape[1];
    let mask = o.mask ?? null; // over every position seen: keep the columns of the keys still held
    if (mask && kStart > 0 && mask.shape[mask.ndim - 1] === kStart + Tk) mask = mask.narrow(-1, kStart, Tk);
    const keyMask =
      mask && mask.ndim === 4 && mask.shape[0] === B && mask.shape[1] === 1 && mask.shape[2] === 1
        ? mask.reshape(B, Tk)
        : null;
    if (!o.record && (!mask || keyMask) && !(this.attnDropout > 0 && this.training)) {
      const key = `${T},${Tk},${kStart}`;
      if (this.lastLists?.key !== key) this.lastLists = { key, lists: keyLists(p, T, Tk, kStart) };
      const lists = this.lastLists.lists;
      return sparseAttention(q, k, v, { nHead: this.nHead, nKvHead: this.nKvHead, lists, keyMask });
    }
    const res = scaledDotProductAttention(
      splitHeads(q, this.nHead), // (B, nh, T, hs)
      splitHeads(k, this.nKvHead), // (B, nkv, Tk, hs)
      splitHeads(v, this.nKvHead),
      {
        mask: combineMasks(patternMask(p, T, Tk, kStart), mask), // (T, Tk), broadcast with the given mask
        dropout: this.attnDropout,
        training: this.training,
        returnWeights: o.record !== undefined,
      },
    ); // out (B, nh, T, hs)
    if (o.record) o.record.weights = res.weights;
    return mergeHeads(res.out);
  }

  /**
   * Linear attention on projected q (B, T, nh·hs), k and v (B, T, kvWidth) -> (B, T, nh·hs). Without a
   * cache: the parallel form. With one: the first chunk runs in parallel and leaves the state S, z;
   * later chunks (generation's one token per step) run the recurrent form from that state.
   */
  private linearCore(q: Tensor, k: Tensor, v: Tensor, o: AttentionCallOptions): Tensor {
    if (o.mask) throw new LlmfsError('linear attention: attention masks (padding) are not supported');
    const causal = o.causal ?? true;
    const qh = splitHeads(q, this.nHead); // (B, nh, T, hs)
    const kh = repeatKv(splitHeads(k, this.nKvHead), this.nHead); // (B, nh, T, hs)
    const vh = repeatKv(splitHeads(v, this.nKvHead), this.nHead);
    if (o.record) o.record.weights = linearAttentionWeights(qh, kh, causal); // (B, nh, T, T)
    let out: Tensor; // (B, nh, T, hs)
    const parallel = () => (causal ? linearAttentionFused(qh, kh, vh) : linearAttention(qh, kh, vh, false));
    if (!o.cache) out = parallel();
    else if (o.cache.linear) out = linearAttentionRecurrent(qh, kh, vh, o.cache.linear);
    else {
      out = parallel();
      o.cache.linear = linearAttentionState(kh, vh);
    }
    return mergeHeads(out);
  }
}
