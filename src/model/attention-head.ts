// One causal self-attention head in its plainest form, for teaching: three separate
// projections make the query, key and value of every position, then scaled dot-product
// attention mixes the values. MultiHeadAttention computes many of these at once with one fused
// projection; the tests check that the two agree.

import type { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { Linear } from '../nn/layers.js';
import { causalMask } from './masks.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'attention-head' (chapter 4): one causal head, softmax(q kᵀ / sqrt(hs) + mask) v,
     * from q, k, v (B, T, hs) to (B, T, hs).
     */
    attentionHead(q: Tensor, k: Tensor, v: Tensor): Tensor;
  }
}

/** Causal attention of one head: q, k, v (B, T, hs) -> (B, T, hs); `out.weights` gets (B, T, T). */
function attend(q: Tensor, k: Tensor, v: Tensor, out?: { weights?: Tensor }): Tensor {
  const [T, hs] = [q.shape[1], q.shape[2]];
  const scores = q.matmul(k.transpose(-2, -1)).div(Math.sqrt(hs)); // (B, T, T)
  const blocked = causalMask(T).neg().add(1); // 1 above the diagonal: the future
  const weights = scores.maskedFill(blocked, -Infinity).softmax(-1); // (B, T, T), rows sum to 1
  if (out) out.weights = weights;
  return weights.matmul(v); // (B, T, hs)
}

export const attentionHead = exercisable('attentionHead', (q: Tensor, k: Tensor, v: Tensor) =>
  attend(q, k, v),
);

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
    const q = this.query.forward(x); // (B, T, hs)
    const k = this.key.forward(x); // (B, T, hs)
    const v = this.value.forward(x); // (B, T, hs)
    // The registry's head (a learner's, in `llmfs exercise`) unless the weights are wanted.
    return out ? attend(q, k, v, out) : attentionHead(q, k, v); // (B, T, hs)
  }
}
