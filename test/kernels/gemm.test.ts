// The wasm gemm equals the reference gemm within float32 rounding on every transpose case, with
// and without accumulation, at non-zero offsets, on odd, unit and large shapes; threaded equals
// one thread; float64 inputs go to the reference loop and give identical results; 0 · inf is
// NaN on every path (reference, wasm, gemv), also through matmul.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/tensor/rng.js';
import { gemm as jsGemm } from '../../src/kernels/js/gemm.js';
import type { GemmArgs } from '../../src/kernels/backend.js';
import { createNodeWasmBackend } from '../../src/kernels/threads/node.js';
import { resetBackend, setBackend } from '../../src/kernels/backend.js';
import { tensor, zeros as zerosT } from '../../src/tensor/creation.js';
import { rand, assertNear } from './random.js';

const be = await createNodeWasmBackend({ threads: 2 });

const shapes: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 1],
  [5, 1, 9],
  [1, 1, 300],
  [3, 5, 7],
  [6, 8, 16],
  [13, 17, 19],
  [37, 1, 64],
  [64, 64, 64],
  [97, 45, 300],
  [300, 257, 129],
  [2, 600, 3],
];

function cases(M: number, N: number, K: number, rng: Rng): { args: Omit<GemmArgs, 'c'>; c: Float32Array }[] {
  const out = [];
  for (const transA of [false, true])
    for (const transB of [false, true])
      for (const accumulate of [false, true]) {
        const aOffset = Math.floor(rng.random() * 5);
        const bOffset = Math.floor(rng.random() * 5);
        const cOffset = Math.floor(rng.random() * 5);
        const a = rand(aOffset + M * K + 3, rng);
        const b = rand(bOffset + K * N + 2, rng);
        const c = rand(cOffset + M * N + 4, rng);
        out.push({ args: { transA, transB, M, N, K, a, aOffset, b, bOffset, cOffset, accumulate }, c });
      }
  return out;
}

test('wasm gemm: equals the reference on all transpose cases, offsets, accumulate on and off', () => {
  const rng = new Rng(1);
  for (const [M, N, K] of shapes) {
    for (const { args, c } of cases(M, N, K, rng)) {
      const want = c.slice();
      const got = c.slice();
      jsGemm({ ...args, c: want });
      be.gemm({ ...args, c: got });
      const what = `gemm ${M}x${N}x${K} transA=${args.transA} transB=${args.transB} acc=${args.accumulate}`;
      assertNear(got, want, what, 1e-5, Math.sqrt(K) * 2e-6);
      // the elements around C's block are untouched
      assert.deepEqual(got.subarray(0, args.cOffset), c.subarray(0, args.cOffset), `${what}: before C`);
      assert.deepEqual(
        got.subarray(args.cOffset + M * N),
        c.subarray(args.cOffset + M * N),
        `${what}: after C`,
      );
    }
  }
});

test('wasm gemm: two threads give the same bits as one', () => {
  assert.equal(be.threads, 2);
  const rng = new Rng(2);
  for (const [M, N, K] of [
    [300, 257, 129],
    [129, 400, 77],
    [256, 256, 256],
    [520, 257, 509], // above 2^26 multiply-adds: one slab per thread
  ] as const) {
    for (const { args, c } of cases(M, N, K, rng)) {
      const one = c.slice();
      const two = c.slice();
      be.gemmThreads({ ...args, c: one }, 1);
      be.gemmThreads({ ...args, c: two }, 2);
      assert.deepEqual(two, one, `gemm ${M}x${N}x${K} transA=${args.transA} transB=${args.transB}`);
    }
  }
});

test('wasm gemv: split across two threads by columns, it gives the bits of one thread', () => {
  // N·K above the gemv's threading threshold (2^19 weights); odd N, so the last slab is ragged.
  const rng = new Rng(6);
  for (const [M, N, K] of [
    [1, 1031, 517],
    [3, 2053, 261],
    [4, 1543, 347],
  ] as const) {
    for (const { args, c } of cases(M, N, K, rng)) {
      const one = c.slice();
      const two = c.slice();
      const want = c.slice();
      be.gemmWith({ ...args, c: one }, { threads: 1, maxGemvRows: 4 });
      be.gemmWith({ ...args, c: two }, { threads: 2, maxGemvRows: 4 });
      jsGemm({ ...args, c: want });
      const what = `gemv ${M}x${N}x${K} transA=${args.transA} transB=${args.transB} acc=${args.accumulate}`;
      assert.deepEqual(two, one, what);
      assertNear(two, want, what, 1e-5, Math.sqrt(K) * 2e-6);
    }
  }
});

test('wasm gemm: float64 inputs fall back to the reference loop exactly', () => {
  const rng = new Rng(3);
  const [M, N, K] = [33, 21, 40];
  const a = Float64Array.from(rand(M * K, rng));
  const b = Float64Array.from(rand(K * N, rng));
  const want = new Float64Array(M * N);
  const got = new Float64Array(M * N);
  const args = {
    transA: false,
    transB: true,
    M,
    N,
    K,
    a,
    aOffset: 0,
    b,
    bOffset: 0,
    cOffset: 0,
    accumulate: false,
  };
  jsGemm({ ...args, c: want });
  be.gemm({ ...args, c: got });
  assert.deepEqual(got, want);
});

test('wasm gemm: K = 0 clears C, or leaves it when accumulating', () => {
  const c = new Float32Array([1, 2, 3, 4, 5, 6]);
  const a = new Float32Array(0);
  be.gemm({
    transA: false,
    transB: false,
    M: 2,
    N: 3,
    K: 0,
    a,
    aOffset: 0,
    b: a,
    bOffset: 0,
    c,
    cOffset: 0,
    accumulate: true,
  });
  assert.deepEqual([...c], [1, 2, 3, 4, 5, 6]);
  be.gemm({
    transA: false,
    transB: false,
    M: 2,
    N: 3,
    K: 0,
    a,
    aOffset: 0,
    b: a,
    bOffset: 0,
    c,
    cOffset: 0,
    accumulate: false,
  });
  assert.deepEqual([...c], [0, 0, 0, 0, 0, 0]);
});

test('wasm gemm: arrays that live in wasm memory are used in place', () => {
  const rng = new Rng(4);
  const [M, N, K] = [40, 50, 60];
  const mark = be.heap.mark();
  const a = be.heap.f32(be.heap.alloc(M * K * 4), M * K);
  const c = be.heap.f32(be.heap.alloc(M * N * 4), M * N);
  a.set(rand(M * K, rng));
  const b = rand(K * N, rng);
  const want = new Float32Array(M * N);
  const args = {
    transA: false,
    transB: false,
    M,
    N,
    K,
    a,
    aOffset: 0,
    b,
    bOffset: 0,
    cOffset: 0,
    accumulate: false,
  };
  jsGemm({ ...args, c: want });
  be.gemm({ ...args, c });
  assertNear(c, want, 'in-place gemm', 1e-5, Math.sqrt(K) * 2e-6);
  be.heap.release(mark);
});

test('wasm teaching kernels (docs/10): each step computes the same product', () => {
  const rng = new Rng(5);
  const [M, N, K] = [8, 16, 13];
  const a = rand(M * K, rng);
  const b = rand(K * N, rng);
  const want = new Float32Array(M * N);
  jsGemm({
    transA: false,
    transB: false,
    M,
    N,
    K,
    a,
    aOffset: 0,
    b,
    bOffset: 0,
    c: want,
    cOffset: 0,
    accumulate: false,
  });
  const mark = be.heap.mark();
  const [pa, pb, pc] = [M * K, K * N, M * N].map((n) => be.heap.alloc(n * 4));
  be.heap.f32(pa, M * K).set(a);
  be.heap.f32(pb, K * N).set(b);
  for (const step of ['ladderScalar', 'ladderSimd', 'ladderTiled'] as const) {
    be.kernels[step](M, N, K, pa, pb, pc);
    assertNear(be.heap.f32(pc, M * N), want, step, 1e-5, 1e-5);
  }
  be.heap.release(mark);
});

test('wasm gemv: the unpacked small-M kernels equal the reference and the packed kernel on odd sizes', () => {
  const rng = new Rng(4);
  const gemvShapes: [number, number, number][] = [
    [1, 1, 2048],
    [1, 3, 700],
    [1, 65, 128],
    [1, 384, 128],
    [2, 17, 33],
    [3, 31, 129],
    [4, 129, 67],
    [4, 16, 4],
    [1, 2304, 768],
  ];
  for (const [M, N, K] of gemvShapes) {
    for (const { args, c } of cases(M, N, K, rng)) {
      const want = c.slice();
      const gemv = c.slice();
      const packed = c.slice();
      jsGemm({ ...args, c: want });
      be.gemmWith({ ...args, c: gemv }, { maxGemvRows: 4 });
      be.gemmWith({ ...args, c: packed }, { maxGemvRows: 0 });
      const what = `gemv ${M}x${N}x${K} transA=${args.transA} transB=${args.transB} acc=${args.accumulate}`;
      assertNear(gemv, want, what, 1e-5, Math.sqrt(K) * 2e-6);
      assertNear(gemv, packed, `${what} vs packed`, 1e-5, Math.sqrt(K) * 2e-6);
      assert.deepEqual(gemv.subarray(0, args.cOffset), c.subarray(0, args.cOffset), `${what}: before C`);
      assert.deepEqual(
        gemv.subarray(args.cOffset + M * N),
        c.subarray(args.cOffset + M * N),
        `${what}: after C`,
      );
    }
  }
});

test('gemm keeps IEEE 0 · inf = NaN: no zero in A skips a row of B, on every path', () => {
  // A all zeros, B (K, N) logically with inf at (3, 5): column 5 of C is NaN, the rest 0.
  for (const [M, N, K] of [
    [1, 1, 1],
    [1, 16, 32],
    [3, 16, 64],
    [8, 16, 32],
    [40, 24, 16],
  ] as const) {
    const [k0, j0] = K > 3 && N > 5 ? [3, 5] : [0, 0];
    for (const transA of [false, true])
      for (const transB of [false, true]) {
        const b = new Float32Array(K * N);
        b[transB ? j0 * K + k0 : k0 * N + j0] = Infinity;
        const a = new Float32Array(M * K);
        const args = { transA, transB, M, N, K, a, aOffset: 0, b, bOffset: 0, cOffset: 0, accumulate: false };
        const runs: [string, (c: Float32Array) => void][] = [
          ['js', (c) => jsGemm({ ...args, c })],
          ['wasm', (c) => be.gemm({ ...args, c })],
          ['wasm gemv', (c) => be.gemmWith({ ...args, c }, { maxGemvRows: 8 })],
          ['wasm packed', (c) => be.gemmWith({ ...args, c }, { maxGemvRows: 0 })],
        ];
        for (const [name, gemm] of runs) {
          const c = new Float32Array(M * N);
          gemm(c);
          const what = `${name} ${M}x${N}x${K} transA=${transA} transB=${transB}`;
          for (let i = 0; i < M * N; i++) assert.equal(c[i], i % N === j0 ? NaN : 0, `${what}: C[${i}]`);
        }
      }
  }
});

test('matmul of [[0]] and [[inf]] is NaN on the js and the wasm backend', () => {
  const zero = tensor([[0]]);
  const inf = tensor([[Infinity]]);
  const zeros = zerosT([8, 32]);
  const infCol = zerosT([32, 16]);
  infCol.data[3 * 16 + 5] = Infinity; // (8, 32) x (32, 16): large enough for the wasm kernel
  for (const installed of ['js', 'wasm']) {
    if (installed === 'wasm') setBackend(be);
    try {
      assert.ok(Number.isNaN(zero.matmul(inf).item()), `${installed}: [[0]] @ [[inf]]`);
      const c = zeros.matmul(infCol);
      for (let i = 0; i < c.size; i++) {
        assert.equal(c.data[i], i % 16 === 5 ? NaN : 0, `${installed}: C[${i}]`);
      }
    } finally {
      resetBackend();
    }
  }
});
