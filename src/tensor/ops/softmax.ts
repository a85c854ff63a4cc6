// Softmax and log-softmax along an axis, fused and numerically stable (see the kernels).
//   softmax(x)_i = exp(x_i) / Σ_j exp(x_j)
// The unfused version, x.exp().div(x.exp().sum(axis, true)), is the readable reference the
// tests compare against; the fused one never overflows and saves memory in backward.

import { Tensor } from '../tensor-core.js';
import { allocate } from '../dtype.js';
import { normAxis } from '../shape.js';
import { getBackend } from '../../kernels/backend.js';

type RowKernel = (x: Tensor['data'], y: Tensor['data'], rows: number, cols: number) => void;
type RowBackward = (
  y: Tensor['data'],
  dy: Tensor['data'],
  dx: Tensor['data'],
  rows: number,
  cols: number,
) => void;

/** Applies a last-axis row kernel along any axis, moving that axis last and back if needed. */
function alongAxis(
  op: string,
  x: Tensor,
  axis: number,
  fwd: () => RowKernel,
  bwd: () => RowBackward,
): Tensor {
  const ax = normAxis(op, axis, Math.max(x.ndim, 1));
  if (x.ndim > 0 && ax !== x.ndim - 1) {
    return alongAxis(op, x.transpose(ax, -1), -1, fwd, bwd).transpose(ax, -1);
  }
  const cols = x.ndim === 0 ? 1 : x.shape[x.ndim - 1];
  const rows = cols === 0 ? 0 : x.size / cols;
  const y = allocate(x.dtype, x.size);
  fwd()(x.data, y, rows, cols);
  return Tensor.fromOp(op, y, x.shape, [x], (g) => {
    const dx = allocate(g.dtype, g.size);
    bwd()(y, g.data, dx, rows, cols);
    return [new Tensor(dx, x.shape)];
  });
}

export function softmax(x: Tensor, axis = -1): Tensor {
  return alongAxis(
    'softmax',
    x,
    axis,
    () => getBackend().softmaxForward,
    () => getBackend().softmaxBackward,
  );
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return alongAxis(
    'logSoftmax',
    x,
    axis,
    () => getBackend().logSoftmaxForward,
    () => getBackend().logSoftmaxBackward,
  );
}
