// Normalisation layers as functions.
// layerNorm (Ba, Kiros & Hinton, 2016): y = (x - mean) / sqrt(var + eps) * w + b over the last
//   axis, fused in one kernel pass with the statistics saved for backward.
// rmsNorm (Zhang & Sennrich, 2019): y = x / sqrt(mean(x²) + eps) * w, written with tensor ops.

import { Tensor } from '../tensor-core.js';
import { allocate, allocateOverwritten } from '../dtype.js';
import { fmtShape } from '../shape.js';
import { getBackend } from '../../kernels/backend.js';
import { LlmfsError } from '../../errors.js';
import { exercisable } from '../../exercises/registry.js';

declare module '../../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'layer-norm' (chapter 5): y = (x - mean) / sqrt(var + eps) * weight + bias over the
     * last axis, var the biased (population) variance; weight and bias may be null.
     */
    layerNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps: number): Tensor;
    /**
     * Exercise 'layer-norm-backward' (chapter 5): [dx, dweight, dbias] of layer norm given
     * grad = dL/dy (..., C) and the forward's saved statistics mean and rstd = 1/sqrt(var + eps),
     * both (..., 1). dweight is null when weight is.
     */
    layerNormBackward(
      x: Tensor,
      weight: Tensor | null,
      mean: Tensor,
      rstd: Tensor,
      grad: Tensor,
    ): [Tensor, Tensor | null, Tensor];
    /** Exercise 'rms-norm' (chapter 5): y = x / sqrt(mean(x²) + eps) * weight over the last axis. */
    rmsNorm(x: Tensor, weight: Tensor | null, eps: number): Tensor;
  }
}

function checkParam(op: string, p: Tensor | null, C: number, x: Tensor): void {
  if (p && (p.ndim !== 1 || p.shape[0] !== C)) {
    throw new LlmfsError(
      `${op}: parameter of shape ${fmtShape(p.shape)} does not match the last axis of input ` +
        `${fmtShape(x.shape)} (size ${C})`,
    );
  }
}

export function layerNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps = 1e-5): Tensor {
  if (x.ndim === 0) throw new LlmfsError('layerNorm: input must have at least one axis');
  const C = x.shape[x.ndim - 1];
  checkParam('layerNorm', weight, C, x);
  checkParam('layerNorm', bias, C, x);
  return layerNormSlot(x, weight, bias, eps);
}

/** Same dtype as `like` (a learner's float64 gradient of a float32 input is rounded back). */
function asDtypeOf(t: Tensor, like: Tensor): Tensor {
  if (t.dtype === like.dtype) return t;
  const d = allocateOverwritten(like.dtype, t.size);
  d.set(t.data);
  return new Tensor(d, t.shape);
}

// The fused kernel: one pass for the statistics and y, saved for the backward.
const layerNormSlot = exercisable(
  'layerNorm',
  (x: Tensor, weight: Tensor | null, bias: Tensor | null, eps: number): Tensor => {
    const C = x.shape[x.ndim - 1];
    const rows = C === 0 ? 0 : x.size / C;
    const y = allocateOverwritten(x.dtype, x.size);
    const mean = new Float64Array(rows);
    const rstd = new Float64Array(rows);
    getBackend().layerNormForward(
      x.data,
      weight?.data ?? null,
      bias?.data ?? null,
      y,
      mean,
      rstd,
      rows,
      C,
      eps,
    );
    const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null);
    const statShape = [...x.shape.slice(0, -1), 1]; // (..., 1)
    return Tensor.fromOp('layerNorm', y, x.shape, inputs, (g) => {
      const [dx, dw, db] = layerNormBackward(
        x,
        weight,
        new Tensor(mean, statShape),
        new Tensor(rstd, statShape),
        g,
      );
      const grads: Tensor[] = [asDtypeOf(dx, g)];
      if (weight) grads.push(asDtypeOf(dw!, g));
      if (bias) grads.push(asDtypeOf(db, g));
      return grads;
    });
  },
);

// dx = rstd · (dxhat - mean(dxhat) - xhat · mean(dxhat · xhat)), dxhat = g · w; dw = Σ g · xhat;
// db = Σ g (sums over every row).
const layerNormBackward = exercisable(
  'layerNormBackward',
  (
    x: Tensor,
    weight: Tensor | null,
    mean: Tensor,
    rstd: Tensor,
    g: Tensor,
  ): [Tensor, Tensor | null, Tensor] => {
    const C = x.shape[x.ndim - 1];
    const rows = C === 0 ? 0 : x.size / C;
    const dx = allocateOverwritten(g.dtype, x.size); // dw and db are accumulated into: zeroed
    const dw = weight ? allocate(g.dtype, C) : null;
    const db = allocate(g.dtype, C);
    getBackend().layerNormBackward(
      g.data,
      x.data,
      weight?.data ?? null,
      mean.data,
      rstd.data,
      dx,
      dw,
      db,
      rows,
      C,
    );
    return [new Tensor(dx, x.shape), dw ? new Tensor(dw, [C]) : null, new Tensor(db, [C])];
  },
);

export function rmsNorm(x: Tensor, weight: Tensor | null, eps = 1e-6): Tensor {
  if (x.ndim === 0) throw new LlmfsError('rmsNorm: input must have at least one axis');
  checkParam('rmsNorm', weight, x.shape[x.ndim - 1], x);
  return rmsNormSlot(x, weight, eps);
}

const rmsNormSlot = exercisable('rmsNorm', (x: Tensor, weight: Tensor | null, eps: number): Tensor => {
  const y = x.mul(x.mul(x).mean(-1, true).add(eps).rsqrt()); // (..., C)
  return weight ? y.mul(weight) : y;
});
