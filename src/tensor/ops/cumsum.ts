// Cumulative sum along one axis (torch.cumsum): y_i = Σ_{j<=i} x_j. Causal linear attention
// (src/model/linear-attention.ts) builds its prefix sums of keys and values with it.
// Backward: x_j feeds every y_i with i >= j, so dL/dx_j = Σ_{i>=j} dL/dy_i, the reverse cumsum.

import { Tensor } from '../tensor-core.js';
import { allocate } from '../dtype.js';
import { normAxis } from '../shape.js';
import { around } from './broadcast.js';

/** Prefix sums of `d` (as an (outer, n, inner) block) along n; reversed: suffix sums. */
function scan(d: Tensor['data'], outer: number, n: number, inner: number, reverse: boolean): Tensor['data'] {
  const out = allocate(d instanceof Float64Array ? 'float64' : 'float32', d.length);
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    for (let step = 0; step < n; step++) {
      const k = reverse ? n - 1 - step : step;
      const row = base + k * inner;
      const prev = row + (reverse ? inner : -inner); // the row summed before this one
      for (let i = 0; i < inner; i++) out[row + i] = d[row + i] + (step > 0 ? out[prev + i] : 0);
    }
  }
  return out;
}

/** y = cumsum(x, axis), same shape as x. */
export function cumsum(x: Tensor, axis: number): Tensor {
  const ax = normAxis('cumsum', axis, x.ndim);
  const [outer, n, inner] = around(x.shape, ax);
  const y = scan(x.data, outer, n, inner, false);
  // dL/dx_j = Σ_{i>=j} dL/dy_i
  return Tensor.fromOp('cumsum', y, x.shape, [x], (g) => [
    new Tensor(scan(g.data, outer, n, inner, true), x.shape),
  ]);
}
