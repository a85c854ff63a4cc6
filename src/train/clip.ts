// Gradient clipping by global norm (Pascanu et al., 2013): if the norm of all gradients taken
// together exceeds maxNorm, scale them all down by the same factor, keeping their direction.
// Returns the norm before clipping (worth logging: spikes warn of instability).

import type { Parameter } from '../nn/parameter.js';

export function clipGradNorm(params: readonly Parameter[], maxNorm: number): number {
  let sq = 0;
  for (const p of params) {
    if (!p.grad) continue;
    const g = p.grad.data;
    for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  }
  const norm = Math.sqrt(sq);
  if (maxNorm > 0 && norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-6);
    for (const p of params) {
      if (!p.grad) continue;
      const g = p.grad.data;
      for (let i = 0; i < g.length; i++) g[i] *= scale;
    }
  }
  return norm;
}
