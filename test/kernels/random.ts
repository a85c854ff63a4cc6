// Helpers for the kernel tests: seeded random arrays and a float32 closeness check whose absolute
// tolerance grows like sqrt(K), the typical rounding error of a K-term float32 sum.

import assert from 'node:assert/strict';
import { Rng } from '../../src/tensor/rng.js';

export function rand(n: number, rng: Rng, scale = 1): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = (rng.random() * 2 - 1) * scale;
  return x;
}

export function assertNear(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  rtol = 1e-5,
  atol = 1e-6,
): void {
  assert.equal(actual.length, expected.length, `${what}: lengths differ`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (a === e || (Number.isNaN(e) && Number.isNaN(a))) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e)))
      assert.fail(`${what}: element ${i} is ${a}, expected ${e}`);
  }
}
