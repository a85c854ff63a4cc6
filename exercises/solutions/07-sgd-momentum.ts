// Reference solution of sgd-momentum (chapter 7, section "AdamW").

import type { SGDStepOptions, SGDStepResult } from 'llm-from-scratch';

/** SGD with PyTorch's momentum: the velocity sums whole gradients; the step is lr times it. */
export function sgdStep(
  param: Float32Array,
  grad: Float32Array,
  velocity: Float32Array | null,
  o: SGDStepOptions,
): SGDStepResult {
  const { lr, momentum: mu, weightDecay, nesterov } = o;
  const first = velocity === null;
  const v = mu > 0 ? (velocity ?? new Float32Array(param.length)) : null;
  for (let i = 0; i < param.length; i++) {
    let d = grad[i] + weightDecay * param[i]; // L2 decay joins the gradient
    if (v) {
      v[i] = first ? d : mu * v[i] + d; // the first step starts the velocity at d
      d = nesterov ? d + mu * v[i] : v[i];
    }
    param[i] -= lr * d;
  }
  return { param, velocity: v };
}
