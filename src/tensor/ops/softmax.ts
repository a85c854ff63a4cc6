// Softmax and log-softmax along an axis, fused and numerically stable (see the kernels).
//   softmax(x)_i = exp(x_i) / Σ_j exp(x_j)
// The unfused version, x.exp().div(x.exp().sum(axis, true)), is the readable reference the
// tests compare against; the fused one never overflows and saves memory in backward.
// Softmax and its backward go through the registry (exercises 'softmax' and 'softmax-backward'):
// the references are the fused kernels.

import { Tensor } from '../tensor-core.js';
import { allocateOverwritten } from '../dtype.js';
import { normAxis } from '../shape.js';
import { getBackend } from '../../kernels/backend.js';
import { exercisable } from '../../exercises/registry.js';

declare module '../../exercises/registry.js' {
  interface ExercisableFunctions {
    /** Exercise 'softmax' (chapter 1): softmax of x along `axis`, with autograd. */
    softmax(x: Tensor, axis: number): Tensor;
    /**
     * Exercise 'softmax-backward' (chapter 1): dL/dx of y = softmax(x) along the last axis, given
     * the saved output y and dL/dy (same shape): dx = y ⊙ (dy − Σ_j dy_j y_j), row by row.
     */
    softmaxBackward(y: Tensor, grad: Tensor): Tensor;
  }
}

type RowKernel = (x: Tensor['data'], y: Tensor['data'], rows: number, cols: number) => void;
/** dL/dx from the output y and dL/dy, rows along the last axis. */
type RowBackward = (y: Tensor, dy: Tensor) => Tensor;

/** Rows and columns of a last-axis row kernel over `shape`. */
function rowsCols(t: Tensor): [number, number] {
  const cols = t.ndim === 0 ? 1 : t.shape[t.ndim - 1];
  return [cols === 0 ? 0 : t.size / cols, cols];
}

/** Applies a last-axis row kernel along any axis, moving that axis last and back if needed. */
function alongAxis(op: string, x: Tensor, axis: number, fwd: () => RowKernel, bwd: RowBackward): Tensor {
  const ax = normAxis(op, axis, Math.max(x.ndim, 1));
  if (x.ndim > 0 && ax !== x.ndim - 1) {
    return alongAxis(op, x.transpose(ax, -1), -1, fwd, bwd).transpose(ax, -1);
  }
  const [rows, cols] = rowsCols(x);
  const y = allocateOverwritten(x.dtype, x.size);
  fwd()(x.data, y, rows, cols);
  const yt = new Tensor(y, x.shape);
  return Tensor.fromOp(op, y, x.shape, [x], (g) => [bwd(yt, g)]);
}

// dx = y ⊙ (dy − Σ dy ⊙ y) along the last axis, on the backend's fused kernel.
const softmaxBackward = exercisable('softmaxBackward', (y: Tensor, g: Tensor): Tensor => {
  const [rows, cols] = rowsCols(y);
  const dx = allocateOverwritten(g.dtype, g.size);
  getBackend().softmaxBackward(y.data, g.data, dx, rows, cols);
  return new Tensor(dx, y.shape);
});

const softmaxOp = exercisable('softmax', (x: Tensor, axis: number): Tensor =>
  alongAxis('softmax', x, axis, () => getBackend().softmaxForward, softmaxBackward),
);

export function softmax(x: Tensor, axis = -1): Tensor {
  return softmaxOp(x, axis);
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return alongAxis(
    'logSoftmax',
    x,
    axis,
    () => getBackend().logSoftmaxForward,
    (y, g) => {
      const [rows, cols] = rowsCols(y);
      const dx = allocateOverwritten(g.dtype, g.size);
      getBackend().logSoftmaxBackward(y.data, g.data, dx, rows, cols);
      return new Tensor(dx, y.shape);
    },
  );
}
