// Cross-attention (Vaswani et al., 2017, section 3.2.3): the decoder's queries attend over the
// encoder's output ("memory"), so each target position can look at the whole source. Keys and
// values depend only on the memory, so during generation they are computed once and cached.

import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { Linear, Dropout } from '../nn/layers.js';
import { scaledDotProductAttention, splitHeads, mergeHeads } from './attention.js';
import { fusedAttention } from '../tensor/ops/attention.js';
import type { LayerKvCache } from './kv-cache.js';
import { LlmfsError } from '../errors.js';

export class CrossAttention extends Module {
  q_proj: Linear;
  kv_proj: Linear;
  c_proj: Linear;
  resid_dropout: Dropout;

  constructor(
    readonly nEmbd: number,
    readonly nHead: number,
    opts: { bias?: boolean; dropout?: number } = {},
  ) {
    super();
    if (nEmbd % nHead !== 0)
      throw new LlmfsError(`CrossAttention: nEmbd ${nEmbd} is not divisible by nHead ${nHead}`);
    const bias = opts.bias ?? true;
    this.q_proj = new Linear(nEmbd, nEmbd, { bias });
    this.kv_proj = new Linear(nEmbd, 2 * nEmbd, { bias });
    this.c_proj = new Linear(nEmbd, nEmbd, { bias });
    this.attnDropout = opts.dropout ?? 0;
    this.resid_dropout = new Dropout(this.attnDropout);
  }
  readonly attnDropout: number;

  /**
   * x (B, T, C) queries, memory (B, S, C); memoryMask (B, 1, 1, S) with 1 for real source
   * tokens. With `cache`, the memory's keys and values (B, S, C) are computed on the first call only.
   */
  forward(
    x: Tensor,
    memory: Tensor,
    o: { memoryMask?: Tensor | null; cache?: LayerKvCache; record?: { weights?: Tensor } } = {},
  ): Tensor {
    const C = this.nEmbd;
    const B = x.shape[0];
    const q = this.q_proj.forward(x); // (B, T, C)
    let k: Tensor;
    let v: Tensor;
    if (o.cache?.k && o.cache.v) {
      k = o.cache.k;
      v = o.cache.v;
    } else {
      const kv = this.kv_proj.forward(memory); // (B, S, 2C)
      k = kv.narrow(-1, 0, C); // (B, S, C)
      v = kv.narrow(-1, C, C);
      if (o.cache) {
        o.cache.k = k;
        o.cache.v = v;
      }
    }
    const S = k.shape[1];
    let y: Tensor; // (B, T, C)
    if (!o.record && !(this.attnDropout > 0 && this.training)) {
      y = fusedAttention(q, k, v, {
        nHead: this.nHead,
        keyMask: o.memoryMask ? o.memoryMask.reshape(B, S) : null,
      });
    } else {
      const n = this.nHead;
      const res = scaledDotProductAttention(splitHeads(q, n), splitHeads(k, n), splitHeads(v, n), {
        mask: o.memoryMask ?? null,
        dropout: this.attnDropout,
        training: this.training,
        returnWeights: o.record !== undefined,
      });
      if (o.record) o.record.weights = res.weights;
      y = mergeHeads(res.out); // (B, T, C)
    }
    return this.resid_dropout.forward(this.c_proj.forward(y)); // (B, T, C)
  }
}
