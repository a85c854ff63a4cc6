// Gradient clipping by global norm (Pascanu et al., 2013): if the norm of all gradients taken
// together exceeds maxNorm, scale them all down by the same factor, keeping their direction.
// Returns the norm before clipping (worth logging: spikes warn of instability).

import type { Parameter } from '../nn/parameter.js';
import { exercisable } from '../exercises/registry.js';

/** The global norm before clipping, and the gradients after (the same arrays when scaled in place). */
export interface ClipResult {
  norm: number;
  grads: Float32Array[];
}

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'clip-grad-norm' (chapter 7): the L2 norm of all gradients together and, when it
     * exceeds maxNorm (> 0), every gradient scaled by maxNorm / (norm + 1e-6).
     */
    clipGradNorm(grads: Float32Array[], maxNorm: number): ClipResult;
  }
}

const clipGrads = exercisable('clipGradNorm', (grads, maxNorm) => {
  let sq = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  const norm = Math.sqrt(sq);
  if (maxNorm > 0 && norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-6);
    for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= scale;
  }
  return { norm, grads };
});

export function clipGradNorm(params: readonly Parameter[], maxNorm: number): number {
  const grads: Float32Array[] = [];
  for (const p of params) if (p.grad) grads.push(p.grad.data as Float32Array);
  const r = clipGrads(grads, maxNorm);
  r.grads.forEach((g, i) => g !== grads[i] && grads[i]!.set(g));
  return r.norm;
}
