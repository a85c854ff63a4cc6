// Broadcasting and its inverse. expand materialises a tensor at a larger, broadcast-compatible
// shape (NumPy's rules: dimensions align from the right, a size-1 axis repeats); its backward is
// sumToShape, which sums a gradient over the axes that were broadcast, since one input value fed
// every copy. The sum of a tensor has the mirror-image pair: its backward is an expand.

import { Tensor } from '../tensor-core.js';
import { allocate, allocateOverwritten } from '../dtype.js';
import { type Shape, broadcastShapes, broadcastStrides, numel, sameShape, fmtShape } from '../shape.js';
import { getBackend } from '../../kernels/backend.js';
import { LlmfsError } from '../../errors.js';
import { exercisable } from '../../exercises/registry.js';

declare module '../../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'sum-to-shape' (chapter 1): a gradient `g` in a broadcast shape, summed over the
     * broadcast axes back down to `shape`, the shape of the input that was broadcast.
     */
    sumToShape(g: Tensor, shape: readonly number[]): Tensor;
  }
}

/** Splits `shape` around `axis` into (outer, n, inner) for a single-axis loop. */
export function around(shape: Shape, axis: number): [number, number, number] {
  return [numel(shape.slice(0, axis)), shape[axis], numel(shape.slice(axis + 1))];
}

/** Plain sum over several axes, no autograd: reduces one axis at a time on the backend. */
export function sumData(x: Tensor['data'], shape: Shape, axes: number[]): Tensor['data'] {
  let data = x;
  const cur = [...shape];
  for (const axis of [...axes].reverse()) {
    const [outer, n, inner] = around(cur, axis);
    const out = allocateOverwritten(x instanceof Float64Array ? 'float64' : 'float32', outer * inner);
    getBackend().sumAxis(data, out, outer, n, inner);
    data = out;
    cur[axis] = 1;
  }
  return data;
}

/**
 * Sums a broadcast gradient back down to `shape` (the inverse of broadcasting). Every broadcast
 * op's backward calls it, through the registry (exercise 'sum-to-shape').
 */
export const sumToShape = exercisable('sumToShape', (g: Tensor, shape: Shape): Tensor => {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const data = sumData(g.data, g.shape, axes);
  return new Tensor(data, shape);
});

/** The values of `t` broadcast to `shape`, materialised. */
export function expandData(t: Tensor, shape: readonly number[]): Tensor['data'] {
  if (sameShape(t.shape, shape)) return t.data;
  const zero = allocate(t.dtype, 1);
  const out = allocateOverwritten(t.dtype, numel(shape));
  getBackend().binary(
    'add',
    t.data,
    broadcastStrides(t.shape, shape),
    zero,
    shape.map(() => 0),
    out,
    shape,
  );
  return out;
}

/** Broadcasts `t` to `shape` (a copy); the backward sums back. */
export function expand(t: Tensor, shape: readonly number[]): Tensor {
  const target = broadcastShapes('expand', t.shape, shape);
  if (!sameShape(target, shape)) {
    throw new LlmfsError(`expand: shape ${fmtShape(t.shape)} cannot be expanded to ${fmtShape(shape)}`);
  }
  return Tensor.fromOp('expand', expandData(t, shape).slice(), shape, [t], (g) => [sumToShape(g, t.shape)]);
}
