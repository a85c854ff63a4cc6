// Reference solution of adamw-step (chapter 7, section "AdamW").

import type { AdamWStepOptions, AdamWStepResult } from 'llm-from-scratch';

/** One AdamW update in place: decoupled decay, then the bias-corrected Adam move. */
export function adamwStep(
  param: Float32Array,
  grad: Float32Array,
  m: Float32Array,
  v: Float32Array,
  o: AdamWStepOptions,
): AdamWStepResult {
  const { lr, beta1, beta2, eps, weightDecay, step } = o;
  const bc1 = 1 - Math.pow(beta1, step); // bias corrections: m and v started at 0
  const bc2 = 1 - Math.pow(beta2, step);
  for (let i = 0; i < param.length; i++) {
    param[i] -= lr * weightDecay * param[i]; // decoupled: shrink θ directly
    m[i] = beta1 * m[i] + (1 - beta1) * grad[i];
    v[i] = beta2 * v[i] + (1 - beta2) * grad[i] * grad[i];
    param[i] -= (lr * (m[i] / bc1)) / (Math.sqrt(v[i] / bc2) + eps);
  }
  return { param, m, v };
}
