// One causal self-attention head in its plainest form, for teaching: three separate
// projections make the query, key and value of every position, then scaled dot-product
// attention mixes the values. MultiHeadAttention computes many of these at once with one fused
// projection; the tests check that the two agree.

import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { Linear } from '../nn/layers.js';
import { causalMask } from './masks.js';

export class AttentionHead extends Module {
  query: Linear;
  key: Linear;
  value: Linear;

  constructor(
    readonly nEmbd: number,
    readonly headSize: number,
    opts: { bias?: boolean } = {},
  ) {
    super();
    this.query = new Linear(nEmbd, headSize, opts);
    this.key = new Linear(nEmbd, headSize, opts);
    this.value = new Linear(nEmbd, headSize, opts);
  }

  /** x (B, T, C) -> (B, T, hs); `weights` receives the (B, T, T) attention matrix if given. */
  forward(x: Tensor, out?: { weights?: Tensor }): Tensor {
    const T = x.shape[1];
    const q = this.query.forward(x); // (B, T, hs)
    const k = this.key.forward(x); // (B, T, hs)
    const v = this.value.forward(x); // (B, T, hs)
    const scores = q.matmul(k.transpose(-2, -1)).div(Math.sqrt(this.headSize)); // (B, T, T)
    const blocked = causalMask(T).neg().add(1); // 1 above the diagonal: the future
    const weights = scores.maskedFill(blocked, -Infinity).softmax(-1); // (B, T, T), rows sum to 1
    if (out) out.weights = weights;
    return weights.matmul(v); // (B, T, hs)
  }
}
