// Finite-difference gradient checking: the outside reference every backward is proven against.
// For a function f of tensors, reduce its output to a scalar L = Σ f(x) ⊙ R with a fixed random
// R, then compare the autograd gradient dL/dx with the central difference
//   (L(x + h e_i) - L(x - h e_i)) / 2h,   error O(h²),
// computed in float64 so that cancellation leaves ~10 good digits at h = 1e-6.

import { Tensor } from './tensor.js';
import { Rng } from './rng.js';
import { noGrad } from './autograd.js';
import { LlmfsError } from '../errors.js';

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  seed?: number;
}

export interface GradcheckResult {
  ok: boolean;
  /** Largest |analytic - numeric| seen, and where. */
  maxError: number;
  where: string;
}

/** Checks autograd's gradients of `fn` at `inputs` (float64 leaves with requiresGrad). */
export function gradcheck(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  opts: GradcheckOptions = {},
): GradcheckResult {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-6;
  const rtol = opts.rtol ?? 1e-5;
  for (const x of inputs) {
    if (x.dtype !== 'float64')
      throw new LlmfsError('gradcheck: inputs must be float64 so the finite differences are exact enough');
  }
  const out0 = fn(...inputs);
  const rng = new Rng(opts.seed ?? 1234);
  const r = new Float64Array(out0.size);
  for (let i = 0; i < r.length; i++) r[i] = rng.normal();
  const weights = new Tensor(r, out0.shape);
  const scalar = (out: Tensor): number => {
    let s = 0;
    for (let i = 0; i < out.size; i++) s += out.data[i] * r[i];
    return s;
  };
  for (const x of inputs) x.grad = null;
  out0.backward(weights);
  let maxError = 0;
  let where = '';
  let ok = true;
  noGrad(() => {
    inputs.forEach((x, k) => {
      if (!x.requiresGrad) return;
      for (let i = 0; i < x.size; i++) {
        const orig = x.data[i];
        x.data[i] = orig + eps;
        const up = scalar(fn(...inputs));
        x.data[i] = orig - eps;
        const down = scalar(fn(...inputs));
        x.data[i] = orig;
        const numeric = (up - down) / (2 * eps);
        const analytic = x.grad ? x.grad.data[i] : 0;
        const err = Math.abs(analytic - numeric);
        if (err > atol + rtol * Math.abs(numeric)) ok = false;
        if (err > maxError || !Number.isFinite(err)) {
          maxError = err;
          where = `input ${k}, element ${i}: analytic ${analytic}, numeric ${numeric}`;
          if (!Number.isFinite(err)) ok = false;
        }
      }
    });
  });
  return { ok, maxError, where };
}
