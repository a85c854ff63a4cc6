// Reference solution of layer-norm-backward (chapter 5, section "Normalisation").

import type { Tensor } from 'llm-from-scratch';

/** [dx, dweight, dbias] of y = x̂ · w + b given grad = dL/dy and the saved mean and rstd (..., 1). */
export function layerNormBackward(
  x: Tensor,
  weight: Tensor | null,
  mean: Tensor,
  rstd: Tensor,
  grad: Tensor,
): [Tensor, Tensor | null, Tensor] {
  const C = x.shape[x.ndim - 1];
  const rowsOf = (t: Tensor) => t.reshape(-1, C); // (rows, C): sum over every leading axis at once
  const xhat = x.sub(mean).mul(rstd); // (..., C)
  const dbias = rowsOf(grad).sum(0); // (C)
  const dweight = weight ? rowsOf(grad.mul(xhat)).sum(0) : null; // (C)
  const dxhat = weight ? grad.mul(weight) : grad; // (..., C)
  const dx = dxhat
    .sub(dxhat.mean(-1, true)) // through the mean
    .sub(xhat.mul(dxhat.mul(xhat).mean(-1, true))) // through the variance
    .mul(rstd); // (..., C)
  return [dx, dweight, dbias];
}
