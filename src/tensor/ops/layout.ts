// Ops that move elements to a new layout, so they copy: permute/transpose, narrow (a slice
// along one axis), cat and stack. Each backward moves the gradient back the same way.
// Their loops only copy, so they stay here (kernels/backend.ts states the rule).

import { Tensor } from '../tensor-core.js';
import { allocate, allocateOverwritten } from '../dtype.js';
import { normAxis, numel, stridesOf, fmtShape } from '../shape.js';
import { LlmfsError } from '../../errors.js';

/** Reorders axes: result axis i is input axis axes[i]. */
export function permute(x: Tensor, axes: readonly number[]): Tensor {
  if (axes.length !== x.ndim) {
    throw new LlmfsError(
      `permute: got ${axes.length} axes [${axes.join(', ')}] for a tensor with ${x.ndim} dimension(s)`,
    );
  }
  const perm = axes.map((a) => normAxis('permute', a, x.ndim));
  if (new Set(perm).size !== perm.length)
    throw new LlmfsError(`permute: axes [${axes.join(', ')}] repeat an axis`);
  const shape = perm.map((a) => x.shape[a]);
  const inStrides = stridesOf(x.shape);
  const srcStrides = perm.map((a) => inStrides[a]);
  const out = allocateOverwritten(x.dtype, x.size);
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  let src = 0;
  const d = x.data;
  for (let i = 0; i < out.length; i++) {
    out[i] = d[src];
    for (let k = nd - 1; k >= 0; k--) {
      idx[k]++;
      src += srcStrides[k];
      if (idx[k] < shape[k]) break;
      src -= srcStrides[k] * shape[k];
      idx[k] = 0;
    }
  }
  const inverse = new Array<number>(nd);
  perm.forEach((a, i) => (inverse[a] = i));
  return Tensor.fromOp('permute', out, shape, [x], (g) => [permute(g, inverse)]);
}

/** Swaps two axes (by default the last two: a matrix transpose). */
export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  if (x.ndim < 2 && a === -2 && b === -1) return x;
  const axes = [...Array(x.ndim).keys()];
  const i = normAxis('transpose', a, x.ndim);
  const j = normAxis('transpose', b, x.ndim);
  [axes[i], axes[j]] = [axes[j], axes[i]];
  return permute(x, axes);
}

/** Elements start..start+length-1 along `axis` (negative start counts from the end). */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  const ax = normAxis('narrow', axis, x.ndim);
  const n = x.shape[ax];
  const s = start < 0 ? start + n : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > n) {
    throw new LlmfsError(
      `narrow: range start ${start}, length ${length} is outside axis ${axis} of size ${n} in shape ` +
        `${fmtShape(x.shape)}`,
    );
  }
  const outer = numel(x.shape.slice(0, ax));
  const inner = numel(x.shape.slice(ax + 1));
  const shape = [...x.shape];
  shape[ax] = length;
  const out = allocateOverwritten(x.dtype, outer * length * inner);
  for (let o = 0; o < outer; o++) {
    out.set(x.data.subarray((o * n + s) * inner, (o * n + s + length) * inner), o * length * inner);
  }
  return Tensor.fromOp('narrow', out, shape, [x], (g) => {
    const dx = allocate(g.dtype, x.size); // zero outside the slice
    for (let o = 0; o < outer; o++)
      dx.set(g.data.subarray(o * length * inner, (o + 1) * length * inner), (o * n + s) * inner);
    return [new Tensor(dx, x.shape)];
  });
}

/** Joins tensors along an existing axis; all other sizes must agree. */
export function cat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new LlmfsError('cat: needs at least one tensor');
  const first = tensors[0];
  const ax = normAxis('cat', axis, first.ndim);
  for (const t of tensors) {
    if (t.ndim !== first.ndim || t.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new LlmfsError(
        `cat: shapes ${tensors.map((u) => fmtShape(u.shape)).join(', ')} differ outside axis ${axis}`,
      );
    }
  }
  const outer = numel(first.shape.slice(0, ax));
  const inner = numel(first.shape.slice(ax + 1));
  const sizes = tensors.map((t) => t.shape[ax]);
  const total = sizes.reduce((a, b) => a + b, 0);
  const shape = [...first.shape];
  shape[ax] = total;
  const dtype = tensors.some((t) => t.dtype === 'float64') ? 'float64' : 'float32';
  const out = allocateOverwritten(dtype, outer * total * inner);
  let offset = 0;
  tensors.forEach((t, k) => {
    const len = sizes[k] * inner;
    for (let o = 0; o < outer; o++)
      out.set(t.data.subarray(o * len, (o + 1) * len), (o * total + offset) * inner);
    offset += sizes[k];
  });
  return Tensor.fromOp('cat', out, shape, [...tensors], (g) => {
    let start = 0;
    return sizes.map((n) => {
      const part = narrow(g, ax, start, n);
      start += n;
      return part;
    });
  });
}

/** Joins same-shaped tensors along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new LlmfsError('stack: needs at least one tensor');
  const ax = normAxis('stack', axis, tensors[0].ndim + 1);
  for (const t of tensors) {
    if (t.ndim !== tensors[0].ndim || t.shape.some((d, i) => d !== tensors[0].shape[i])) {
      throw new LlmfsError(
        `stack: all tensors must have the same shape, got ` +
          `${tensors.map((u) => fmtShape(u.shape)).join(', ')}`,
      );
    }
  }
  return cat(
    tensors.map((t) => t.unsqueeze(ax)),
    ax,
  );
}

/** Splits into pieces of `size` along `axis` (the last piece may be smaller). */
export function split(x: Tensor, size: number, axis = 0): Tensor[] {
  const ax = normAxis('split', axis, x.ndim);
  if (!Number.isInteger(size) || size <= 0)
    throw new LlmfsError(`split: size must be a positive integer, got ${size}`);
  const parts: Tensor[] = [];
  for (let s = 0; s < x.shape[ax]; s += size) parts.push(narrow(x, ax, s, Math.min(size, x.shape[ax] - s)));
  return parts;
}
