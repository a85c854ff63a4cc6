// Shared test helpers: closeness checks and a gradcheck assertion with a readable failure.

import assert from 'node:assert/strict';
import { gradcheck, type GradcheckOptions } from '../../src/tensor/gradcheck.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { randn } from '../../src/tensor/creation.js';
import { Rng } from '../../src/tensor/rng.js';

export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol = 1e-5,
  atol = 1e-6,
  what = 'values',
): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} vs ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      assert.fail(`${what}: element ${i} is ${a}, expected ${e} (rtol ${rtol}, atol ${atol})`);
    }
  }
}

export function assertGrad(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts?: GradcheckOptions): void {
  const r = gradcheck(fn, inputs, opts);
  assert.ok(r.ok, `gradient check failed: max error ${r.maxError} at ${r.where}`);
}

/** A float64 leaf of random normals that requires grad. */
export function leaf(shape: number[], seed: number, scale = 1): Tensor {
  const t = randn(shape, { dtype: 'float64', rng: new Rng(seed) });
  for (let i = 0; i < t.size; i++) t.data[i] *= scale;
  return t.requireGrad();
}

/** A float64 leaf of positive values in [lo, hi). */
export function positiveLeaf(shape: number[], seed: number, lo = 0.5, hi = 2): Tensor {
  const t = leaf(shape, seed);
  const rng = new Rng(seed + 1);
  for (let i = 0; i < t.size; i++) t.data[i] = lo + (hi - lo) * rng.random();
  return t;
}
