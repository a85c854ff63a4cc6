// Exercise clip-grad-norm (chapter 7, section "Learning-rate schedule and clipping").
// Check it with: llmfs exercise check clip-grad-norm

import type { ClipResult } from 'llm-from-scratch';

/**
 * Gradient clipping by global norm (Pascanu et al., 2013). `grads` holds every parameter's
 * gradient as a flat array. The norm is taken over all of them together:
 *
 *     norm = sqrt( Σ_arrays Σ_i g[i]² )
 *
 * If maxNorm > 0 and norm > maxNorm, multiply every element of every array by
 * maxNorm / (norm + 1e-6) (one factor for all: the direction is kept); otherwise leave them.
 * Return { norm, grads }: the norm BEFORE clipping, and the arrays (scaled in place, or new ones).
 */
export function clipGradNorm(grads: Float32Array[], maxNorm: number): ClipResult {
  // TODO: the global norm, then scale everything if it is too large.
  throw new Error('not implemented yet');
}
