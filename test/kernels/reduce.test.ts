// The wasm sum over the middle axis of (outer, n, inner) (assembly/reduce.ts, the bias gradient's
// column sums) equals the reference loop bit for bit on odd shapes, on both SIMD builds: it adds
// each column in the same order, so the tolerance is zero. It runs on data in wasm memory only.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/tensor/rng.js';
import { jsBackend } from '../../src/kernels/js/index.js';
import { createWasmBackend, type WasmBackend } from '../../src/kernels/wasm/backend.js';
import { wasmKernels } from '../../src/kernels/wasm/calls.js';
import { hasSharedMemory } from '../../src/kernels/wasm/module.js';
import { rand } from './random.js';

const builds: WasmBackend[] = [
  await createWasmBackend({ relaxed: false }),
  await createWasmBackend({ relaxed: true }),
];
after(() => builds.forEach((b) => b.close()));

/** (outer, n, inner): bias gradients (1, B·T, C) and (B, T, C), odd sizes, tails of 1-31 columns. */
const shapes: [number, number, number][] = [
  [1, 1, 4],
  [1, 5, 37],
  [3, 7, 5],
  [5, 37, 40],
  [2, 3, 33],
  [12, 64, 128],
  [1, 768, 128],
  [1, 12, 384],
  [2, 300, 1000],
  [3, 0, 36], // no rows: zeros
];

/** x and out in wasm memory (where the backend runs the kernel); out starts as NaN. */
function inWasm(be: WasmBackend, values: Float32Array, outSize: number): [Float32Array, Float32Array] {
  const x = be.allocPersistent(Math.max(1, values.length))!.subarray(0, values.length);
  x.set(values);
  const out = be.allocPersistent(outSize)!.fill(NaN);
  return [x, out];
}

test('wasm sumAxis: column sums equal the reference bits on odd shapes', { skip: !hasSharedMemory() }, () => {
  const rng = new Rng(3);
  for (const be of builds) {
    let calls = 0;
    const spy = {
      ...be.kernels,
      sumAxis: (...a: Parameters<typeof be.kernels.sumAxis>) => {
        calls++;
        be.kernels.sumAxis(...a);
      },
    };
    const fast = wasmKernels(be.heap, spy, { transcendental: 0, binary: 0 }); // no size threshold
    for (const [outer, n, inner] of shapes) {
      const values = rand(outer * n * inner, rng, 4);
      if (values.length > 2) values[1] = -0; // -0 + 0 is +0 in both
      const want = new Float32Array(outer * inner).fill(NaN);
      jsBackend.sumAxis(values, want, outer, n, inner);
      const before = calls;
      const [x, out] = inWasm(be, values, outer * inner);
      fast.sumAxis(x, out, outer, n, inner);
      assert.equal(calls, before + 1, `${be.simd} (${outer}, ${n}, ${inner}) ran the wasm kernel`);
      assert.deepEqual(out, want, `${be.simd} (${outer}, ${n}, ${inner})`);
      // through the backend itself, on the same data
      out.fill(NaN);
      be.sumAxis(x, out, outer, n, inner);
      assert.deepEqual(out, want, `${be.simd} backend (${outer}, ${n}, ${inner})`);
    }
  }
});

test('wasm sumAxis: ordinary arrays, row sums (inner 1) and float64 stay on the reference loop', () => {
  const be = builds[0];
  const rng = new Rng(4);
  for (const [outer, n, inner] of [
    [5, 37, 40],
    [7, 33, 1],
    [4, 5, 3],
  ] as const) {
    const x = rand(outer * n * inner, rng);
    const want = new Float32Array(outer * inner);
    jsBackend.sumAxis(x, want, outer, n, inner);
    const out = new Float32Array(outer * inner).fill(NaN);
    be.sumAxis(x, out, outer, n, inner);
    assert.deepEqual(out, want, `(${outer}, ${n}, ${inner})`);
    const x64 = Float64Array.from(x);
    const want64 = new Float64Array(outer * inner);
    jsBackend.sumAxis(x64, want64, outer, n, inner);
    const out64 = new Float64Array(outer * inner);
    be.sumAxis(x64, out64, outer, n, inner);
    assert.deepEqual(out64, want64);
  }
});
