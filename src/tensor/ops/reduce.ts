// Reductions over one or more axes, with keepdim. The backward of a sum copies the gradient
// back to every summed element (broadcast); of a mean, the same divided by the count; of a
// max or min, to the selected element only (the first on ties).
// Sums run on the backend (sumAxis); max, min and argmax only select, so their loops stay here.

import { Tensor } from '../tensor-core.js';
import { allocate } from '../dtype.js';
import { type Shape, normAxis, fmtShape } from '../shape.js';
import { around, expand, sumData } from './broadcast.js';
import { LlmfsError } from '../../errors.js';

export type Axes = number | readonly number[] | undefined;

/** Distinct normalised axes, ascending; all axes when undefined. */
export function normAxes(op: string, axes: Axes, ndim: number): number[] {
  if (axes === undefined) return [...Array(ndim).keys()];
  const list = typeof axes === 'number' ? [axes] : [...axes];
  const out = [...new Set(list.map((a) => normAxis(op, a, ndim)))].sort((a, b) => a - b);
  if (out.length !== list.length) throw new LlmfsError(`${op}: repeated axis in [${list.join(', ')}]`);
  return out;
}

/** The shape after reducing `axes` (kept as size 1 when keepdim). */
export function reducedShape(shape: Shape, axes: number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdim) out.push(1);
  });
  return out;
}

export function sum(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  const ax = normAxes('sum', axes, x.ndim);
  const kept = reducedShape(x.shape, ax, true);
  const data = sumData(x.data, x.shape, ax);
  return Tensor.fromOp('sum', data, reducedShape(x.shape, ax, keepdim), [x], (g) => [
    expand(g.reshape(...kept), x.shape),
  ]);
}

export function mean(x: Tensor, axes?: Axes, keepdim = false): Tensor {
  const ax = normAxes('mean', axes, x.ndim);
  const count = ax.reduce((n, a) => n * x.shape[a], 1);
  if (count === 0)
    throw new LlmfsError(`mean: cannot average over an empty axis of shape ${fmtShape(x.shape)}`);
  return sum(x, ax, keepdim).div(count);
}

/** Variance with Bessel's correction by default (correction = 1), as torch.var. */
export function variance(x: Tensor, axes?: Axes, keepdim = false, correction = 1): Tensor {
  const ax = normAxes('var', axes, x.ndim);
  const count = ax.reduce((n, a) => n * x.shape[a], 1);
  if (count - correction <= 0) {
    throw new LlmfsError(
      `var: ${count} element(s) with correction ${correction} leaves no degrees of freedom`,
    );
  }
  const d = x.sub(mean(x, ax, true));
  return sum(d.mul(d), ax, keepdim).div(count - correction);
}

/** Index of the max (or min) along one axis, and the selected values. */
function select(op: string, x: Tensor, axis: number | undefined, better: (a: number, b: number) => boolean) {
  const src = axis === undefined ? x.reshape(x.size) : x;
  const ax = normAxis(op, axis ?? 0, src.ndim);
  const [outer, n, inner] = around(src.shape, ax);
  if (n === 0) throw new LlmfsError(`${op}: cannot reduce an empty axis of shape ${fmtShape(x.shape)}`);
  const values = allocate(x.dtype, outer * inner);
  const index = new Int32Array(outer * inner);
  const d = src.data;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = d[o * n * inner + i];
      let bi = 0;
      for (let k = 1; k < n; k++) {
        const v = d[(o * n + k) * inner + i];
        if (better(v, best) || (Number.isNaN(v) && !Number.isNaN(best))) {
          best = v;
          bi = k;
        }
      }
      values[o * inner + i] = best;
      index[o * inner + i] = bi;
    }
  }
  return { src, ax, outer, n, inner, values, index };
}

function extreme(
  op: string,
  x: Tensor,
  axis: number | undefined,
  keepdim: boolean,
  better: (a: number, b: number) => boolean,
): Tensor {
  const s = select(op, x, axis, better);
  const shape =
    axis === undefined ? (keepdim ? x.shape.map(() => 1) : []) : reducedShape(x.shape, [s.ax], keepdim);
  return Tensor.fromOp(op, s.values, shape, [x], (g) => {
    const dx = allocate(g.dtype, x.size);
    for (let o = 0; o < s.outer; o++) {
      for (let i = 0; i < s.inner; i++)
        dx[(o * s.n + s.index[o * s.inner + i]) * s.inner + i] = g.data[o * s.inner + i];
    }
    return [new Tensor(dx, x.shape)];
  });
}

export const max = (x: Tensor, axis?: number, keepdim = false) =>
  extreme('max', x, axis, keepdim, (a, b) => a > b);
export const min = (x: Tensor, axis?: number, keepdim = false) =>
  extreme('min', x, axis, keepdim, (a, b) => a < b);

/** Indices (as float values) of the maxima along `axis`, or of the flattened tensor. No gradient. */
export function argmax(x: Tensor, axis?: number, keepdim = false): Tensor {
  const s = select('argmax', x, axis, (a, b) => a > b);
  const shape =
    axis === undefined ? (keepdim ? x.shape.map(() => 1) : []) : reducedShape(x.shape, [s.ax], keepdim);
  const out = allocate(x.dtype, s.index.length);
  out.set(s.index);
  return new Tensor(out, shape);
}
