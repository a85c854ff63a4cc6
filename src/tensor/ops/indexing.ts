// Integer indexing: indexSelect picks whole slices along an axis (an embedding lookup is
// indexSelect on the rows of the weight); gather picks one element per position (torch.gather).
// Backward scatters the gradient back, adding where an index repeats.
// Gathers and scatters are indexing, not arithmetic a backend speeds up, so their loops stay
// here (kernels/backend.ts states the rule).

import { Tensor } from '../tensor-core.js';
import { allocate } from '../dtype.js';
import { normAxis, numel, fmtShape } from '../shape.js';
import { LlmfsError } from '../../errors.js';
import { exercisable } from '../../exercises/registry.js';

declare module '../../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'embedding-backward' (chapter 3): the gradient of the (V, C) embedding table from
     * the gradient of the looked-up rows, grad (N, C), and their ids (N): row ids[n] of the result
     * adds grad[n], so a repeated id gets the sum of its rows' gradients.
     */
    embeddingBackward(grad: Tensor, ids: Int32Array, vocabSize: number): Tensor;
  }
}

export type IndexLike = Tensor | readonly number[] | Int32Array;

/** Converts indices to Int32Array, checking each is an integer in [0, size). */
export function toIndices(op: string, idx: IndexLike, size: number): Int32Array {
  const src = idx instanceof Tensor ? idx.data : idx;
  const out = new Int32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    if (!Number.isInteger(v) || v < 0 || v >= size) {
      throw new LlmfsError(`${op}: index ${v} at position ${i} is out of range for size ${size}`);
    }
    out[i] = v;
  }
  return out;
}

/** Slices of x along `axis` at the given indices; shape has that axis replaced by the count. */
export function indexSelect(x: Tensor, axis: number, indices: IndexLike): Tensor {
  const ax = normAxis('indexSelect', axis, x.ndim);
  const n = x.shape[ax];
  const idx = toIndices('indexSelect', indices, n);
  const outer = numel(x.shape.slice(0, ax));
  const inner = numel(x.shape.slice(ax + 1));
  const shape = [...x.shape];
  shape[ax] = idx.length;
  const out = allocate(x.dtype, outer * idx.length * inner);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < idx.length; k++) {
      const src = (o * n + idx[k]) * inner;
      out.set(x.data.subarray(src, src + inner), (o * idx.length + k) * inner);
    }
  }
  return Tensor.fromOp('indexSelect', out, shape, [x], (g) => {
    const dx = allocate(g.dtype, x.size);
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < idx.length; k++) {
        const dst = (o * n + idx[k]) * inner;
        const src = (o * idx.length + k) * inner;
        for (let i = 0; i < inner; i++) dx[dst + i] += g.data[src + i];
      }
    }
    return [new Tensor(dx, x.shape)];
  });
}

/** out[...i, j, k...] = x[...i, index[...i, j, k...], k...] along `axis` (torch.gather). */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  const ax = normAxis('gather', axis, x.ndim);
  if (index.ndim !== x.ndim || index.shape.some((d, i) => i !== ax && d > x.shape[i])) {
    throw new LlmfsError(
      `gather: index of shape ${fmtShape(index.shape)} does not fit input of shape ${fmtShape(x.shape)} ` +
        `along axis ${axis}`,
    );
  }
  const n = x.shape[ax];
  const idx = toIndices('gather', index, n);
  const outer = numel(index.shape.slice(0, ax));
  const m = index.shape[ax];
  const inner = numel(index.shape.slice(ax + 1));
  const xInner = numel(x.shape.slice(ax + 1));
  // Position of output element (o, k, i) in x; o and i are decomposed with index's shape.
  const outerShape = index.shape.slice(0, ax);
  const innerShape = index.shape.slice(ax + 1);
  const srcPos = new Int32Array(idx.length);
  for (let o = 0; o < outer; o++) {
    const xo = remap(o, outerShape, x.shape.slice(0, ax));
    for (let k = 0; k < m; k++) {
      for (let i = 0; i < inner; i++) {
        const p = (o * m + k) * inner + i;
        srcPos[p] = (xo * n + idx[p]) * xInner + remap(i, innerShape, x.shape.slice(ax + 1));
      }
    }
  }
  const out = allocate(x.dtype, idx.length);
  for (let p = 0; p < out.length; p++) out[p] = x.data[srcPos[p]];
  return Tensor.fromOp('gather', out, index.shape, [x], (g) => {
    const dx = allocate(g.dtype, x.size);
    for (let p = 0; p < srcPos.length; p++) dx[srcPos[p]] += g.data[p];
    return [new Tensor(dx, x.shape)];
  });
}

/** The flat offset, in a tensor of shape `to`, of the multi-index whose flat offset in `from` is `flat`. */
function remap(flat: number, from: readonly number[], to: readonly number[]): number {
  let out = 0;
  let mul = 1;
  for (let d = from.length - 1; d >= 0; d--) {
    const i = flat % from[d];
    flat = Math.floor(flat / from[d]);
    out += i * mul;
    mul *= to[d];
  }
  return out;
}

/** Embedding lookup: rows of `weight` (V, C) for integer ids of any shape; result (...ids, C). */
export function embedding(
  weight: Tensor,
  ids: Tensor | readonly number[] | Int32Array,
  idsShape?: readonly number[],
): Tensor {
  if (weight.ndim !== 2)
    throw new LlmfsError(`embedding: weight must be 2-D (V, C), got shape ${fmtShape(weight.shape)}`);
  const shape = ids instanceof Tensor ? ids.shape : (idsShape ?? [ids.length]);
  // indexSelect(weight, 0, ids), with the backward through the registry.
  const [V, C] = weight.shape;
  const idx = toIndices('indexSelect', ids, V);
  const out = allocate(weight.dtype, idx.length * C);
  for (let k = 0; k < idx.length; k++) out.set(weight.data.subarray(idx[k] * C, idx[k] * C + C), k * C);
  const flat = Tensor.fromOp('indexSelect', out, [idx.length, C], [weight], (g) => [
    embeddingBackward(g, idx, V),
  ]);
  return flat.reshape(...shape, C);
}

// dW[v] = Σ over the positions n where ids[n] = v of dOut[n]: a scatter-add (ids repeat).
const embeddingBackward = exercisable(
  'embeddingBackward',
  (g: Tensor, ids: Int32Array, V: number): Tensor => {
    const C = g.shape[1];
    const dw = allocate(g.dtype, V * C);
    for (let k = 0; k < ids.length; k++) {
      const dst = ids[k] * C;
      const src = k * C;
      for (let i = 0; i < C; i++) dw[dst + i] += g.data[src + i];
    }
    return new Tensor(dw, [V, C]);
  },
);
