// Sparse attention as one autograd op: softmax(q kᵀ / sqrt(hs)) v where each query attends only
// to the keys in its list (model/attention-patterns.ts makes the lists: a sliding window, the
// Sparse Transformer's strided or fixed pattern; Child et al., 2019). Forward and backward visit
// only the listed pairs (kernels/js/sparse-attention.ts), so time grows with the pattern, T·W,
// and no T x T matrix is ever made. It equals the dense reference with the pattern as a mask.
// Layout: q (B, Tq, nh·hs), k and v (B, Tk, nkv·hs), heads side by side; out like q.

import { Tensor } from '../tensor-core.js';
import { allocate, promote } from '../dtype.js';
import { fmtShape } from '../shape.js';
import { getBackend, type KeyLists, type SparseAttentionDims } from '../../kernels/backend.js';
import { LlmfsError } from '../../errors.js';

export type { KeyLists } from '../../kernels/backend.js';

export interface SparseAttentionOptions {
  nHead: number;
  nKvHead?: number;
  /** The keys each of the Tq queries sees: indices into the Tk keys, the same for every row and head. */
  lists: KeyLists;
  /** (B, Tk) with 1 for keys that may be attended to (key padding), or null. */
  keyMask?: Tensor | null;
  scale?: number;
}

function checkLists(lists: KeyLists, Tq: number, Tk: number): void {
  const { offsets, keys } = lists;
  if (offsets.length !== Tq + 1 || offsets[0] !== 0 || offsets[Tq] !== keys.length) {
    throw new LlmfsError(
      `sparseAttention: key lists need ${Tq + 1} offsets from 0 to ${keys.length}, got ${offsets.length}`,
    );
  }
  for (let i = 0; i < Tq; i++) {
    if (offsets[i + 1] < offsets[i])
      throw new LlmfsError(`sparseAttention: key list offsets decrease at query ${i}`);
  }
  for (let n = 0; n < keys.length; n++) {
    if (keys[n] < 0 || keys[n] >= Tk)
      throw new LlmfsError(`sparseAttention: key index ${keys[n]} is outside the ${Tk} keys`);
  }
}

export function sparseAttention(q: Tensor, k: Tensor, v: Tensor, o: SparseAttentionOptions): Tensor {
  const nh = o.nHead;
  const nkv = o.nKvHead ?? nh;
  if (q.ndim !== 3 || k.ndim !== 3 || v.ndim !== 3) {
    throw new LlmfsError(
      `sparseAttention: q, k, v must be (B, T, heads·hs), got ${fmtShape(q.shape)}, ${fmtShape(k.shape)}, ` +
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
      `sparseAttention: shapes q ${fmtShape(q.shape)}, k ${fmtShape(k.shape)}, v ${fmtShape(v.shape)} do ` +
        `not fit ${nh} query and ${nkv} key/value heads`,
    );
  }
  checkLists(o.lists, Tq, Tk);
  if (o.keyMask && o.keyMask.size !== B * Tk) {
    throw new LlmfsError(
      `sparseAttention: key mask of shape ${fmtShape(o.keyMask.shape)} must have B x Tk = ${B} x ${Tk} ` +
        `entries`,
    );
  }
  const dims: SparseAttentionDims = {
    B,
    Tq,
    Tk,
    nh,
    nkv,
    hs,
    scale: o.scale ?? 1 / Math.sqrt(hs),
    lists: o.lists,
    keyMask: o.keyMask?.data ?? null,
  };
  const dtype = promote(promote(q.dtype, k.dtype), v.dtype);
  const out = allocate(dtype, q.size);
  const lse = new Float64Array(B * nh * Tq);
  getBackend().sparseAttentionForward(q.data, k.data, v.data, out, lse, dims);
  return Tensor.fromOp('sparseAttention', out, q.shape, [q, k, v], (g) => {
    const dq = allocate(dtype, q.size);
    const dk = allocate(dtype, k.size);
    const dv = allocate(dtype, v.size);
    getBackend().sparseAttentionBackward(q.data, k.data, v.data, out, lse, g.data, dq, dk, dv, dims);
    return [new Tensor(dq, q.shape), new Tensor(dk, k.shape), new Tensor(dv, v.shape)];
  });
}
