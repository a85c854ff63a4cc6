// Views: a new shape over the same storage (no copy), possible because storage is contiguous
// and row-major. The backward of a view is the inverse reshape of the gradient.

import { Tensor } from '../tensor-core.js';
import { type Shape, numel, fmtShape, normAxis } from '../shape.js';
import { LlmfsError } from '../../errors.js';

/** Resolves one -1 in `shape` from the element count. */
export function inferShape(op: string, from: Shape, shape: readonly number[]): number[] {
  const total = numel(from);
  const free = shape.filter((d) => d === -1).length;
  if (free > 1) throw new LlmfsError(`${op}: only one dimension can be -1, got ${fmtShape(shape)}`);
  for (const d of shape) {
    if (d !== -1 && (!Number.isInteger(d) || d < 0))
      throw new LlmfsError(`${op}: invalid size ${d} in ${fmtShape(shape)}`);
  }
  const known = shape.reduce((n, d) => (d === -1 ? n : n * d), 1);
  const out = shape.map((d) => (d === -1 ? (known === 0 ? 0 : total / known) : d));
  if (numel(out) !== total || out.some((d) => !Number.isInteger(d))) {
    throw new LlmfsError(
      `${op}: cannot view a tensor of shape ${fmtShape(from)} (${total} elements) as ${fmtShape(shape)}`,
    );
  }
  return out;
}

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const out = inferShape('reshape', x.shape, shape);
  return Tensor.fromOp('reshape', x.data, out, [x], (g) => [g.reshape(...x.shape)]);
}

/** Removes size-1 axes: the given one (which must have size 1), or all of them. */
export function squeeze(x: Tensor, axis?: number): Tensor {
  if (axis === undefined)
    return reshape(
      x,
      x.shape.filter((d) => d !== 1),
    );
  const a = normAxis('squeeze', axis, x.ndim);
  if (x.shape[a] !== 1)
    throw new LlmfsError(`squeeze: axis ${axis} of shape ${fmtShape(x.shape)} has size ${x.shape[a]}, not 1`);
  return reshape(
    x,
    x.shape.filter((_, i) => i !== a),
  );
}

/** Inserts a size-1 axis at `axis` (in the result's numbering, as torch.unsqueeze). */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normAxis('unsqueeze', axis, x.ndim + 1);
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

/** Merges axes startAxis..endAxis (inclusive) into one. */
export function flatten(x: Tensor, startAxis = 0, endAxis = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normAxis('flatten', startAxis, x.ndim);
  const e = normAxis('flatten', endAxis, x.ndim);
  if (s > e) throw new LlmfsError(`flatten: start axis ${startAxis} comes after end axis ${endAxis}`);
  const shape = [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}
