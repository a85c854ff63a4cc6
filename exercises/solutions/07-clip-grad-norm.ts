// Reference solution of clip-grad-norm (chapter 7, section "Learning-rate schedule and clipping").

import type { ClipResult } from 'llm-from-scratch';

/** One norm over all the gradients; when it is above maxNorm, one factor scales them all down. */
export function clipGradNorm(grads: Float32Array[], maxNorm: number): ClipResult {
  let sq = 0;
  for (const g of grads) for (const x of g) sq += x * x;
  const norm = Math.sqrt(sq);
  if (maxNorm > 0 && norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-6);
    for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= scale;
  }
  return { norm, grads };
}
