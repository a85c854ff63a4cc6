// Fused scaled dot-product attention as one autograd op: softmax(q kᵀ / sqrt(hs)) v with a
// causal and/or key-padding mask, computed by the backend without the T x T matrix (row by row
// on the js backend, kernels/js/attention.ts; in tiles on the wasm backend's gemm,
// kernels/wasm/tiled-attention.ts). It equals the readable composition in model/attention.ts,
// which is used instead whenever the weights are wanted (visualisation) or dropped out.
// Layout: q (B, Tq, nh·hs), k and v (B, Tk, nkv·hs), heads side by side; out like q.

import { Tensor } from '../tensor-core.js';
import { allocate, promote } from '../dtype.js';
import { fmtShape } from '../shape.js';
import { getBackend, type AttentionDims } from '../../kernels/backend.js';
import { LlmfsError } from '../../errors.js';

export interface FusedAttentionOptions {
  nHead: number;
  nKvHead?: number;
  causal?: boolean;
  /** (B, Tk) with 1 for keys that may be attended to. */
  keyMask?: Tensor | null;
  scale?: number;
}

export function fusedAttention(q: Tensor, k: Tensor, v: Tensor, o: FusedAttentionOptions): Tensor {
  const nh = o.nHead;
  const nkv = o.nKvHead ?? nh;
  if (q.ndim !== 3 || k.ndim !== 3 || v.ndim !== 3) {
    throw new LlmfsError(
      `fusedAttention: q, k, v must be (B, T, heads·hs), got ${fmtShape(q.shape)}, ${fmtShape(k.shape)}, ` +
        `${fmtShape(v.shape)}`,
    );
  }
  const [B, Tq, Cq] = q.shape;
  const [Bk, Tk, Ck] = k.shape;
  const hs = Cq / nh;
  if (
    !Number.isInteger(hs) ||
    nh % nkv !== 0 ||
    Ck !== nkv * hs ||
    Bk !== B ||
    v.shape[0] !== B ||
    v.shape[1] !== Tk ||
    v.shape[2] !== Ck
  ) {
    throw new LlmfsError(
      `fusedAttention: shapes q ${fmtShape(q.shape)}, k ${fmtShape(k.shape)}, v ${fmtShape(v.shape)} do ` +
        `not fit ${nh} query and ${nkv} key/value heads`,
    );
  }
  if (o.causal && Tk < Tq)
    throw new LlmfsError(
      `fusedAttention: causal attention needs at least as many keys (${Tk}) as queries (${Tq})`,
    );
  if (o.keyMask && o.keyMask.size !== B * Tk) {
    throw new LlmfsError(
      `fusedAttention: key mask of shape ${fmtShape(o.keyMask.shape)} must have B x Tk = ${B} x ${Tk} ` +
        `entries`,
    );
  }
  const dims: AttentionDims = {
    B,
    Tq,
    Tk,
    nh,
    nkv,
    hs,
    scale: o.scale ?? 1 / Math.sqrt(hs),
    causal: o.causal ?? false,
    keyMask: o.keyMask?.data ?? null,
  };
  const dtype = promote(promote(q.dtype, k.dtype), v.dtype);
  const out = allocate(dtype, q.size);
  const lse = new Float64Array(B * nh * Tq);
  getBackend().attentionForward(q.data, k.data, v.data, out, lse, dims);
  return Tensor.fromOp('fusedAttention', out, q.shape, [q, k, v], (g) => {
    const dq = allocate(dtype, q.size);
    const dk = allocate(dtype, k.size);
    const dv = allocate(dtype, v.size);
    getBackend().attentionBackward(q.data, k.data, v.data, out, lse, g.data, dq, dk, dv, dims);
    return [new Tensor(dq, q.shape), new Tensor(dk, k.shape), new Tensor(dv, v.shape)];
  });
}
