// Normalisation layers as functions.
// layerNorm (Ba, Kiros & Hinton, 2016): y = (x - mean) / sqrt(var + eps) * w + b over the last
//   axis, fused in one kernel pass with the statistics saved for backward.
// rmsNorm (Zhang & Sennrich, 2019): y = x / sqrt(mean(x²) + eps) * w, written with tensor ops.

import { Tensor } from '../tensor-core.js';
import { allocate } from '../dtype.js';
import { fmtShape } from '../shape.js';
import { getBackend } from '../../kernels/backend.js';
import { LlmfsError } from '../../errors.js';

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
  const rows = C === 0 ? 0 : x.size / C;
  const y = allocate(x.dtype, x.size);
  const mean = new Float64Array(rows);
  const rstd = new Float64Array(rows);
  const be = getBackend();
  be.layerNormForward(x.data, weight?.data ?? null, bias?.data ?? null, y, mean, rstd, rows, C, eps);
  const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null);
  return Tensor.fromOp('layerNorm', y, x.shape, inputs, (g) => {
    const dx = allocate(g.dtype, x.size);
    const dw = weight ? allocate(g.dtype, C) : null;
    const db = bias ? allocate(g.dtype, C) : null;
    be.layerNormBackward(g.data, x.data, weight?.data ?? null, mean, rstd, dx, dw, db, rows, C);
    const grads: Tensor[] = [new Tensor(dx, x.shape)];
    if (dw) grads.push(new Tensor(dw, [C]));
    if (db) grads.push(new Tensor(db, [C]));
    return grads;
  });
}

export function rmsNorm(x: Tensor, weight: Tensor | null, eps = 1e-6): Tensor {
  if (x.ndim === 0) throw new LlmfsError('rmsNorm: input must have at least one axis');
  checkParam('rmsNorm', weight, x.shape[x.ndim - 1], x);
  const y = x.mul(x.mul(x).mean(-1, true).add(eps).rsqrt()); // (..., C)
  return weight ? y.mul(weight) : y;
}
