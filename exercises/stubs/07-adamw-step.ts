// Exercise adamw-step (chapter 7, section "AdamW").
// Check it with: llmfs exercise check adamw-step

import type { AdamWStepOptions, AdamWStepResult } from 'llm-from-scratch';

/**
 * One AdamW update (Loshchilov & Hutter, 2019) of one parameter array, as torch.optim.AdamW, at
 * step t = o.step (1, 2, 3, ...). For every element i:
 *
 *     θ = θ - lr λ θ                          (decoupled weight decay: NOT added to the gradient)
 *     m = β1 m + (1-β1) g                     v = β2 v + (1-β2) g²
 *     m̂ = m / (1-β1^t)                        v̂ = v / (1-β2^t)        (bias correction)
 *     θ = θ - lr m̂ / (sqrt(v̂) + ε)
 *
 * Return { param, m, v }: update the arrays in place and return them, or return new arrays.
 * All arrays have the same length (the parameter's number of elements).
 */
export function adamwStep(
  param: Float32Array, // (n,) the weights θ
  grad: Float32Array, // (n,) dL/dθ
  m: Float32Array, // (n,) running average of the gradient
  v: Float32Array, // (n,) running average of the squared gradient
  o: AdamWStepOptions, // { lr, beta1, beta2, eps, weightDecay, step }
): AdamWStepResult {
  // TODO: decay θ, update m and v, correct their bias, move θ.
  throw new Error('not implemented yet');
}
