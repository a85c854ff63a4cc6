// Exercise layer-norm-backward (chapter 5, section "Normalisation").
// Check it with: llmfs exercise check layer-norm-backward

import type { Tensor } from 'llm-from-scratch';

/**
 * The backward of layer norm y = x̂ · w + b, x̂ = (x - mean) · rstd, rstd = 1/sqrt(var + eps).
 *
 * Given x (..., C), weight (C) or null, the forward's saved mean and rstd (both (..., 1)) and the
 * upstream gradient grad = dL/dy (..., C), return [dx, dweight, dbias]:
 *
 *     dbias   = Σ_rows grad                   (C)
 *     dweight = Σ_rows grad · x̂               (C), or null when weight is null
 *     dx̂ = grad · w                           (grad itself when weight is null)
 *     dx  = rstd · (dx̂ - mean(dx̂) - x̂ · mean(dx̂ · x̂))     means over the last axis, (..., C)
 *
 * (x moves every x̂ of its row through the mean and the variance: that is where the two
 * subtracted terms come from.) Useful: t.sum(axes) over the leading axes, t.mean(-1, true).
 */
export function layerNormBackward(
  x: Tensor,
  weight: Tensor | null,
  mean: Tensor,
  rstd: Tensor,
  grad: Tensor,
): [Tensor, Tensor | null, Tensor] {
  // TODO: return [dx, dweight, dbias].
  throw new Error('not implemented yet');
}
