// Scaled dot-product attention (Vaswani et al., 2017, eq. 1):
//   Attention(Q, K, V) = softmax(Q Kᵀ / sqrt(hs)) V
// Each query takes a weighted average of the values; the weights say how well the query
// matches each key. Dividing by sqrt(hs) keeps the scores' variance near 1, so the softmax
// does not saturate. Grouped-query attention (Ainslie et al., 2023) lets several query heads
// share one key/value head: kv head j serves query heads j·g .. j·g+g-1, g = nh / nkv.

import type { Tensor } from '../tensor/tensor.js';
import { dropout as dropoutOp } from '../tensor/ops/dropout.js';
import { fmtShape } from '../tensor/shape.js';
import { causalMask, combineMasks } from './masks.js';
import { LlmfsError } from '../errors.js';
import { fusedAttention } from '../tensor/ops/attention.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'repeat-kv' (chapter 16): grouped-query attention's key/value heads repeated for
     * the query heads they serve, (B, nkv, T, hs) -> (B, nh, T, hs); query head h reads kv head
     * floor(h / (nh / nkv)).
     */
    repeatKv(x: Tensor, nHead: number): Tensor;
    /** Exercise 'split-heads' (chapter 4): (B, T, n·hs) -> (B, n, T, hs). */
    splitHeads(x: Tensor, n: number): Tensor;
    /** Exercise 'merge-heads' (chapter 4): (B, n, T, hs) -> (B, T, n·hs), the inverse of splitHeads. */
    mergeHeads(x: Tensor): Tensor;
    /**
     * Exercise 'scaled-dot-product-attention' (chapter 4): softmax(q kᵀ / sqrt(hs)) v for every
     * head at once, q (B, nh, Tq, hs), k and v (B, nh, Tk, hs) -> (B, nh, Tq, hs); with `causal`,
     * query i (at absolute position Tk - Tq + i) sees only keys j <= Tk - Tq + i.
     */
    scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, causal: boolean): Tensor;
  }
}

/** Heads side by side to heads as a batch dimension: (B, T, n·hs) -> (B, n, T, hs). */
export const splitHeads = exercisable('splitHeads', (x: Tensor, n: number): Tensor => {
  const [B, T, C] = x.shape;
  return x.reshape(B, T, n, C / n).transpose(1, 2);
});

/** The inverse of splitHeads: (B, n, T, hs) -> (B, T, n·hs), the heads' outputs concatenated. */
export const mergeHeads = exercisable('mergeHeads', (x: Tensor): Tensor => {
  const [B, n, T, hs] = x.shape;
  return x.transpose(1, 2).reshape(B, T, n * hs);
});

/**
 * The multi-head attention core on (B, nh, T, hs), as the registry holds it. The reference is the
 * fused kernel (tensor/ops/attention.ts) on the heads-side-by-side layout; MultiHeadAttention calls
 * the kernel directly and goes through this slot only when a learner's version is installed.
 */
export const attentionCore = exercisable(
  'scaledDotProductAttention',
  (q: Tensor, k: Tensor, v: Tensor, causal: boolean): Tensor => {
    const [, nh] = q.shape;
    const merge = (t: Tensor) => t.transpose(1, 2).reshape(t.shape[0], t.shape[2], -1); // (B, T, nh·hs)
    const y = fusedAttention(merge(q), merge(k), merge(v), { nHead: nh, causal }); // (B, Tq, nh·hs)
    return y.reshape(q.shape[0], q.shape[2], nh, q.shape[3]).transpose(1, 2); // (B, nh, Tq, hs)
  },
);

export interface AttentionOptions {
  /** 1 = may attend, 0 = blocked; broadcasts to (B, nh, Tq, Tk). */
  mask?: Tensor | null;
  /** Add the causal mask (each query sees only keys at or before its position). */
  causal?: boolean;
  /** Dropout on the attention weights (training only). */
  dropout?: number;
  training?: boolean;
  /** Also return the (B, nh, Tq, Tk) weights, e.g. to visualise them. */
  returnWeights?: boolean;
  /** Score scale; 1/sqrt(hs) by default. */
  scale?: number;
  /** Added to the scaled scores before the mask, broadcasting to (B, nh, Tq, Tk) (ALiBi, model/alibi.ts). */
  bias?: Tensor | null;
}

export interface AttentionResult {
  out: Tensor; // (B, nh, Tq, hs)
  weights?: Tensor; // (B, nh, Tq, Tk)
}

/** Repeats each kv head for the query heads it serves: (B, nkv, T, hs) -> (B, nh, T, hs). */
export const repeatKv = exercisable('repeatKv', (x: Tensor, nHead: number): Tensor => {
  const nKv = x.shape[1];
  if (nKv === nHead) return x;
  const group = nHead / nKv;
  const idx = Array.from({ length: nHead }, (_, h) => Math.floor(h / group));
  return x.indexSelect(1, idx);
});

/** q (B, nh, Tq, hs), k and v (B, nkv, Tk, hs) with nkv dividing nh. */
export function scaledDotProductAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  opts: AttentionOptions = {},
): AttentionResult {
  if (q.ndim !== 4 || k.ndim !== 4 || v.ndim !== 4) {
    throw new LlmfsError(
      `attention: q, k, v must be 4-D (B, heads, T, hs), got ${fmtShape(q.shape)}, ${fmtShape(k.shape)}, ` +
        `${fmtShape(v.shape)}`,
    );
  }
  const [B, nh, Tq, hs] = q.shape;
  const [Bk, nkv, Tk, hsk] = k.shape;
  if (
    Bk !== B ||
    hsk !== hs ||
    v.shape[0] !== B ||
    v.shape[1] !== nkv ||
    v.shape[2] !== Tk ||
    nh % nkv !== 0
  ) {
    throw new LlmfsError(
      `attention: shapes q ${fmtShape(q.shape)}, k ${fmtShape(k.shape)}, v ${fmtShape(v.shape)} do not fit ` +
        `together`,
    );
  }
  const kk = repeatKv(k, nh);
  const vv = repeatKv(v, nh);
  const scale = opts.scale ?? 1 / Math.sqrt(hs);
  let scores = q.matmul(kk.transpose(-2, -1)).mul(scale); // (B, nh, Tq, Tk)
  if (opts.bias) scores = scores.add(opts.bias);
  const mask = combineMasks(opts.causal ? causalMask(Tq, Tk) : null, opts.mask ?? null);
  if (mask) scores = scores.maskedFill(mask.neg().add(1), -Infinity); // blocked = 1 - mask
  const weights = scores.softmax(-1); // (B, nh, Tq, Tk)
  const p = opts.dropout ?? 0;
  const dropped = p > 0 && opts.training ? dropoutOp(weights, p, true) : weights;
  const out = dropped.matmul(vv); // (B, nh, Tq, hs)
  return opts.returnWeights ? { out, weights } : { out };
}
