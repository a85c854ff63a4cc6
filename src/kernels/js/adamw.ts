// Reference AdamW step (Loshchilov & Hutter, 2019, "Decoupled weight decay regularization"),
// bias-corrected as torch.optim.AdamW, for one parameter array at step t (1-based):
//   p -= lr λ p;  m = β1 m + (1-β1) g;  v = β2 v + (1-β2) g²;  p -= lr (m/(1-β1^t)) / (sqrt(v/(1-β2^t)) + ε)

import type { FloatArray } from '../dtype.js';

export function adamw(
  p: FloatArray,
  g: FloatArray,
  m: FloatArray,
  v: FloatArray,
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
  weightDecay: number,
  step: number,
): void {
  const bc1 = 1 - Math.pow(beta1, step);
  const bc2 = 1 - Math.pow(beta2, step);
  for (let i = 0; i < p.length; i++) {
    const gi = g[i];
    p[i] -= lr * weightDecay * p[i];
    m[i] = beta1 * m[i] + (1 - beta1) * gi;
    v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
    p[i] -= (lr * (m[i] / bc1)) / (Math.sqrt(v[i] / bc2) + eps);
  }
}
