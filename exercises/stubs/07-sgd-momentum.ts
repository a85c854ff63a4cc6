// Exercise sgd-momentum (chapter 7, section "AdamW").
// Check it with: llmfs exercise check sgd-momentum

import type { SGDStepOptions, SGDStepResult } from 'llm-from-scratch';

/**
 * One SGD update of one parameter array, as torch.optim.SGD. For every element i, with
 * μ = o.momentum, λ = o.weightDecay:
 *
 *     d = g + λ θ                      (weight decay as L2, added to the gradient)
 *     v = μ v + d                      (v = d at the first step, when `velocity` is null)
 *     θ = θ - lr v                     (Nesterov: θ = θ - lr (d + μ v))
 *
 * With μ = 0 there is no velocity: θ = θ - lr d, and the returned velocity is null.
 * Return { param, velocity }: the arrays updated in place, or new ones.
 */
export function sgdStep(
  param: Float32Array, // (n,) the weights θ
  grad: Float32Array, // (n,) dL/dθ
  velocity: Float32Array | null, // (n,) or null before the first step
  o: SGDStepOptions, // { lr, momentum, weightDecay, nesterov }
): SGDStepResult {
  // TODO: the decayed gradient, the velocity, the move.
  throw new Error('not implemented yet');
}
