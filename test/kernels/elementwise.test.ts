// The wasm GELU, broadcast binary ops and AdamW step equal the reference kernels within float32
// rounding, on lengths that are and are not multiples of four; binary falls back to the
// reference for pow and for broadcast patterns it does not cover, with identical results.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/tensor/rng.js';
import { jsBackend } from '../../src/kernels/js/index.js';
import type { BinaryOp } from '../../src/kernels/backend.js';
import { broadcastShapes, broadcastStrides, numel } from '../../src/tensor/shape.js';
import { createWasmBackend } from '../../src/kernels/wasm/backend.js';
import { mode } from '../../src/kernels/wasm/calls.js';
import { rand, assertNear } from './random.js';

const be = await createWasmBackend({ thresholds: { transcendental: 0, binary: 0 } });
const js = jsBackend;

test('wasm GELU (tanh): forward and backward equal the reference', () => {
  const rng = new Rng(20);
  for (const n of [1, 2, 3, 4, 5, 17, 1000, 4099]) {
    const x = rand(n, rng, 6);
    x[0] = n > 1 ? 30 : -30; // saturated tails
    const dy = rand(n, rng);
    const want = new Float32Array(n);
    const got = new Float32Array(n);
    js.geluTanhForward(x, want);
    be.geluTanhForward(x, got);
    assertNear(got, want, `gelu forward n=${n}`, 1e-5, 1e-6);
    js.geluTanhBackward(x, dy, want);
    be.geluTanhBackward(x, dy, got);
    assertNear(got, want, `gelu backward n=${n}`, 1e-5, 1e-6);
  }
});

test('wasm binary: same shape, scalar, row and column broadcasts equal the reference', () => {
  const rng = new Rng(21);
  const pairs: [number[], number[]][] = [
    [
      [3, 5],
      [3, 5],
    ],
    [[7], [7]],
    [[2, 3, 9], [9]],
    [[2, 3, 9], []],
    [[], [4, 6]],
    [
      [4, 1],
      [4, 6],
    ],
    [
      [2, 3, 1],
      [2, 3, 5],
    ],
    [[5], [2, 5]],
    [[1], [3, 3]],
    [
      [2, 1, 3],
      [2, 4, 3],
    ],
    [
      [4, 6],
      [4, 1],
    ],
    [
      [1, 1],
      [1, 1],
    ],
  ];
  const ops: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'pow'];
  for (const [sa, sb] of pairs) {
    const shape = broadcastShapes('test', sa, sb);
    const a = rand(numel(sa), rng, 2);
    const b = rand(numel(sb), rng, 2);
    for (const op of ops) {
      const x = op === 'pow' ? a.map(Math.abs) : a;
      for (const [l, r, ls, rs] of [
        [x, b, sa, sb],
        [b, x, sb, sa],
      ] as const) {
        const want = new Float32Array(numel(shape));
        const got = new Float32Array(numel(shape));
        js.binary(op, l, broadcastStrides(ls, shape), r, broadcastStrides(rs, shape), want, shape);
        be.binary(op, l, broadcastStrides(ls, shape), r, broadcastStrides(rs, shape), got, shape);
        assertNear(got, want, `${op} (${ls}) (${rs})`, 1e-6, 0);
      }
    }
  }
});

test('wasm binary: broadcast patterns are classified as full, scalar, row, per-row or other', () => {
  const m = (s: number[], out: number[]) => mode(broadcastStrides(s, out), out);
  assert.equal(m([2, 3, 4], [2, 3, 4]), 0);
  assert.equal(m([], [2, 3, 4]), 1);
  assert.equal(m([1, 1], [2, 3]), 1);
  assert.equal(m([4], [2, 3, 4]), 2);
  assert.equal(m([2, 3, 1], [2, 3, 4]), 3);
  assert.equal(m([2, 1, 4], [2, 3, 4]), -1);
  assert.equal(m([3, 1], [2, 3, 4]), -1);
});

test('wasm AdamW: one step and several equal the reference, with and without weight decay', () => {
  const rng = new Rng(22);
  for (const n of [1, 3, 4, 7, 1025]) {
    for (const wd of [0, 0.1]) {
      const p0 = rand(n, rng);
      const [pw, mw, vw] = [p0.slice(), new Float32Array(n), new Float32Array(n)];
      const [pg, mg, vg] = [p0.slice(), new Float32Array(n), new Float32Array(n)];
      for (let step = 1; step <= 5; step++) {
        const g = rand(n, rng);
        js.adamw(pw, g, mw, vw, 1e-2, 0.9, 0.999, 1e-8, wd, step);
        be.adamw(pg, g, mg, vg, 1e-2, 0.9, 0.999, 1e-8, wd, step);
      }
      assertNear(pg, pw, `adamw n=${n} wd=${wd} params`, 1e-5, 1e-6);
      assertNear(mg, mw, `adamw n=${n} wd=${wd} m`, 1e-5, 1e-7);
      assertNear(vg, vw, `adamw n=${n} wd=${wd} v`, 1e-5, 1e-8);
    }
  }
});

test('reference AdamW: the first step moves every weight by lr against its gradient sign', () => {
  // at t = 1, m̂ = g and v̂ = g², so the update is lr g / (|g| + eps) = ±lr (up to eps)
  const p = new Float32Array([1, -2, 3]);
  js.adamw(
    p,
    new Float32Array([0.5, -4, 2]),
    new Float32Array(3),
    new Float32Array(3),
    0.1,
    0.9,
    0.999,
    1e-8,
    0,
    1,
  );
  assertNear(p, [0.9, -1.9, 2.9], 'params', 1e-6, 1e-6);
  assert.ok(true);
});
