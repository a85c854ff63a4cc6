// The wasm softmax, log-softmax and layer norm, forward and backward, equal the reference
// kernels within float32 rounding on odd, unit and wide rows, masked (-Infinity) entries and
// large logits; a fully masked softmax row is all zeros, as in the reference.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/tensor/rng.js';
import { jsBackend } from '../../src/kernels/js/index.js';
import { createWasmBackend } from '../../src/kernels/wasm/backend.js';
import { rand, assertNear } from './random.js';

const be = await createWasmBackend({ thresholds: { transcendental: 0, binary: 0 } });
const js = jsBackend;
const shapes: [number, number][] = [
  [1, 1],
  [1, 3],
  [3, 1],
  [2, 4],
  [5, 7],
  [7, 33],
  [4, 768],
  [64, 129],
  [3, 1000],
];

test('wasm softmax and log-softmax: forward and backward equal the reference', () => {
  const rng = new Rng(10);
  for (const [rows, cols] of shapes) {
    const x = rand(rows * cols, rng, 8);
    if (cols > 2) x[1] = -Infinity; // a masked entry
    const dy = rand(rows * cols, rng);
    for (const [fwd, bwd] of [
      ['softmaxForward', 'softmaxBackward'],
      ['logSoftmaxForward', 'logSoftmaxBackward'],
    ] as const) {
      const want = new Float32Array(rows * cols);
      const got = new Float32Array(rows * cols);
      js[fwd](x, want, rows, cols);
      be[fwd](x, got, rows, cols);
      assertNear(got, want, `${fwd} ${rows}x${cols}`, 1e-5, 1e-6);
      const dxWant = new Float32Array(rows * cols);
      const dxGot = new Float32Array(rows * cols);
      js[bwd](want, dy, dxWant, rows, cols);
      be[bwd](want, dy, dxGot, rows, cols);
      assertNear(dxGot, dxWant, `${bwd} ${rows}x${cols}`, 1e-5, 1e-5);
    }
  }
});

test('wasm softmax: a fully masked row gives zeros, a huge logit gives a one-hot row', () => {
  const x = new Float32Array([-Infinity, -Infinity, -Infinity, -Infinity, -Infinity, 1e30, 0, -1e30, 3, 4]);
  const y = new Float32Array(10);
  be.softmaxForward(x, y, 2, 5);
  assert.deepEqual([...y.subarray(0, 5)], [0, 0, 0, 0, 0]);
  assert.deepEqual([...y.subarray(5)], [1, 0, 0, 0, 0]);
});

test('wasm layer norm: forward and backward equal the reference, with and without affine', () => {
  const rng = new Rng(11);
  for (const [rows, cols] of shapes) {
    for (const affine of [true, false]) {
      const x = rand(rows * cols, rng, 3);
      for (let i = 0; i < x.length; i++) x[i] += 5; // an offset mean, as real activations have
      const w = affine ? rand(cols, rng) : null;
      const b = affine ? rand(cols, rng) : null;
      const out = () => ({
        y: new Float32Array(rows * cols),
        mean: new Float32Array(rows),
        rstd: new Float32Array(rows),
      });
      const want = out();
      const got = out();
      js.layerNormForward(x, w, b, want.y, want.mean, want.rstd, rows, cols, 1e-5);
      be.layerNormForward(x, w, b, got.y, got.mean, got.rstd, rows, cols, 1e-5);
      const what = `layerNorm ${rows}x${cols} affine=${affine}`;
      assertNear(got.y, want.y, `${what} y`, 1e-4, 1e-4);
      assertNear(got.mean, want.mean, `${what} mean`, 1e-5, 1e-5);
      assertNear(got.rstd, want.rstd, `${what} rstd`, 1e-4, 1e-5);
      const dy = rand(rows * cols, rng);
      const grads = () => ({
        dx: new Float32Array(rows * cols),
        dw: affine ? rand(cols, new Rng(5)) : null,
        db: affine ? rand(cols, new Rng(6)) : null,
      });
      const gw = grads();
      const gg = grads();
      js.layerNormBackward(dy, x, w, want.mean, want.rstd, gw.dx, gw.dw, gw.db, rows, cols);
      be.layerNormBackward(dy, x, w, want.mean, want.rstd, gg.dx, gg.dw, gg.db, rows, cols);
      assertNear(gg.dx, gw.dx, `${what} dx`, 1e-4, 1e-4);
      if (affine) {
        assertNear(gg.dw!, gw.dw!, `${what} dw`, 1e-4, 1e-4 * Math.sqrt(rows));
        assertNear(gg.db!, gw.db!, `${what} db`, 1e-5, 1e-5 * Math.sqrt(rows));
      }
    }
  }
});

test('wasm row-wise kernels: float64 inputs go to the reference exactly', () => {
  const x = Float64Array.from(rand(12, new Rng(12)));
  const want = new Float64Array(12);
  const got = new Float64Array(12);
  js.softmaxForward(x, want, 3, 4);
  be.softmaxForward(x, got, 3, 4);
  assert.deepEqual(got, want);
});
