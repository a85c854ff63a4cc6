// Building blocks for exercise specs: seeded random tensors and arrays, and a finite-difference
// gradient check of an op while the learner's backward is installed.

import { Tensor } from '../tensor/tensor.js';
import type { Rng } from '../tensor/rng.js';
import { gradcheck } from '../tensor/gradcheck.js';
import type { ExtraCheck } from './spec.js';

/** A tensor of normal(0, scale) values; float64 for gradient checks, float32 otherwise. */
export function randn(
  rng: Rng,
  shape: readonly number[],
  opts: { scale?: number; dtype?: 'float32' | 'float64'; requiresGrad?: boolean } = {},
): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = opts.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.normal() * (opts.scale ?? 1);
  return new Tensor(data, shape, opts.requiresGrad ?? false);
}

/** Uniform values in [lo, hi) as a plain Float64Array. */
export function uniform(rng: Rng, n: number, lo = -1, hi = 1): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng.random();
  return a;
}

/** Random integer ids in [0, vocab). */
export function randomIds(rng: Rng, n: number, vocab: number): number[] {
  return Array.from({ length: n }, () => rng.randint(0, vocab));
}

/**
 * A finite-difference gradient check (tensor/gradcheck.ts) of `f` at float64 inputs of `shapes`:
 * autograd's gradients (through the learner's backward, which the checker has installed) must
 * equal the central differences of the forward.
 */
export function gradcheckStep(
  name: string,
  f: (...xs: Tensor[]) => Tensor,
  makeInputs: () => Tensor[],
): ExtraCheck {
  return {
    kind: 'gradcheck',
    name,
    run() {
      const inputs = makeInputs();
      const r = gradcheck(f, inputs, { atol: 1e-5, rtol: 1e-4 });
      return {
        passed: r.ok,
        maxAbsDiff: r.maxError,
        message: r.ok
          ? `autograd's gradients equal the finite differences (max |Δ| ${r.maxError.toExponential(2)})`
          : `the gradient through your backward differs from the finite differences at ${r.where} ` +
            `(|Δ| ${r.maxError.toExponential(2)})`,
      };
    },
  };
}
