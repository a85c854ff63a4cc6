// Products with a quantized weight (Backend.quantGemm): the plain kernel and the wasm kernels that
// read int8 / int4 codes directly equal the outside reference, dequantize (src/quant) then the
// reference gemm, on odd shapes (K not a multiple of 16, int4 groups of 16/32/64 with and without
// zero points, N odd, M = 1, 3, 9, 33), at offsets, on every wasm build this runtime selects
// (unshared memory copying the codes per call, shared memory keeping them resident, two threads);
// and quantizedLinear gives x and b the gradient finite differences give.

import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { Rng } from '../../src/tensor/rng.js';
import { gemm as jsGemm } from '../../src/kernels/js/gemm.js';
import { quantGemm as jsQuantGemm } from '../../src/kernels/js/quant.js';
import { resetBackend, setBackend, type QuantGemmArgs } from '../../src/kernels/backend.js';
import { createWasmBackend, type WasmBackend } from '../../src/kernels/wasm/backend.js';
import { createNodeWasmBackend, spawnNodeWorker } from '../../src/kernels/threads/node.js';
import { quantizeInt8, type Int8Rows } from '../../src/quant/int8.js';
import { quantizeInt4 } from '../../src/quant/int4.js';
import { dequantizeWeight, quantizedLinear, type QuantWeight } from '../../src/quant/qmatmul.js';
import { linear } from '../../src/tensor/ops/matmul.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { gradcheck } from '../../src/tensor/gradcheck.js';
import { rand, assertNear } from './random.js';

const backends: WasmBackend[] = [
  await createWasmBackend({ zeroCopy: false }), // unshared memory: codes copied per call
  await createWasmBackend({ zeroCopy: true }), // shared memory: codes resident
  await createNodeWasmBackend({ threads: 2 }), // shared, two threads splitting the columns
];

/** The outside reference: Ŵ made in float by src/quant, then y = x Ŵᵀ by the reference gemm. */
function reference(x: Float32Array, M: number, w: QuantWeight): Float32Array {
  const c = new Float32Array(M * w.rows);
  const [N, K] = [w.rows, w.cols];
  const b = dequantizeWeight(w).data;
  jsGemm({
    transA: false,
    transB: true,
    M,
    N,
    K,
    a: x,
    aOffset: 0,
    b,
    bOffset: 0,
    c,
    cOffset: 0,
    accumulate: false,
  });
  return c;
}

/** Runs one product at offsets (3 before x, 5 before y) and returns y; checks y's neighbours. */
function run(f: (p: QuantGemmArgs) => void, x: Float32Array, M: number, w: QuantWeight): Float32Array {
  const xs = new Float32Array(3 + x.length + 2);
  xs.set(x, 3);
  const ys = new Float32Array(5 + M * w.rows + 4).fill(7);
  f({ M, x: xs, xOffset: 3, w, y: ys, yOffset: 5 });
  assert.deepEqual([...ys.subarray(0, 5), ...ys.subarray(5 + M * w.rows)], Array(9).fill(7), 'outside y');
  return ys.slice(5, 5 + M * w.rows);
}

function weights(rng: Rng): { name: string; w: QuantWeight }[] {
  const out: { name: string; w: QuantWeight }[] = [];
  for (const [N, K] of [
    [1, 1],
    [5, 7],
    [31, 17],
    [67, 33],
    [9, 100],
    [3, 300],
  ])
    out.push({ name: `int8 ${N}x${K}`, w: quantizeInt8(rand(N * K, rng, 0.5), N, K) });
  for (const G of [16, 32, 64])
    for (const groups of [1, 3])
      for (const zeroPoint of [false, true])
        for (const N of [1, 13]) {
          const K = G * groups;
          // shifted so that zero points matter
          const v = rand(N * K, rng, 0.5).map((t) => t + (zeroPoint ? 0.3 : 0));
          out.push({
            name: `int4 g${G} ${N}x${K} zp=${zeroPoint}`,
            w: quantizeInt4(v, N, K, { groupSize: G, zeroPoint }),
          });
        }
  // groups the wasm kernel does not take (not a multiple of 16): the reference serves them
  out.push({
    name: 'int4 g6 5x18',
    w: quantizeInt4(rand(90, rng), 5, 18, { groupSize: 6, zeroPoint: true }),
  });
  return out;
}

test('quantGemm, plain kernel: equals dequantize then the reference gemm bit for bit', () => {
  const rng = new Rng(1);
  for (const { name, w } of weights(rng))
    for (const M of [1, 3, 9]) {
      const x = rand(M * w.cols, rng);
      assert.deepEqual(run(jsQuantGemm, x, M, w), reference(x, M, w), `${name} M=${M}`);
    }
});

test('quantGemm, wasm: equals dequantize then gemm on odd shapes, every build, M = 1, 3, 9, 33', () => {
  const rng = new Rng(2);
  for (const be of backends)
    for (const { name, w } of weights(rng))
      for (const M of [1, 3, 9, 33]) {
        const x = rand(M * w.cols, rng);
        const want = reference(x, M, w);
        // twice: the second call reads the resident copy of the codes
        for (const pass of [1, 2])
          assertNear(
            run(be.quantGemm, x, M, w),
            want,
            `${be.name} ${name} M=${M} pass ${pass}`,
            1e-5,
            Math.sqrt(w.cols) * 2e-6,
          );
      }
});

test('quantGemm, wasm: two threads split large products and equal the reference', () => {
  const rng = new Rng(3);
  const be = backends[2];
  assert.equal(be.threads, 2);
  const big: QuantWeight[] = [
    quantizeInt8(rand(1031 * 520, rng), 1031, 520),
    quantizeInt4(rand(1031 * 512, rng), 1031, 512, { groupSize: 32 }),
    quantizeInt4(rand(1031 * 512, rng), 1031, 512, { groupSize: 64, zeroPoint: true }),
    quantizeInt4(rand(1031 * 528, rng), 1031, 528, { groupSize: 16, zeroPoint: true }),
  ];
  for (const w of big)
    for (const M of [1, 4, 5, 12, 70]) {
      const x = rand(M * w.cols, rng);
      const want = reference(x, M, w);
      const one = run((p) => be.quantGemmThreads(p, 1), x, M, w);
      const two = run((p) => be.quantGemmThreads(p, 2), x, M, w);
      assertNear(two, want, `${w.rows}x${w.cols} M=${M} two threads`, 1e-5, Math.sqrt(w.cols) * 2e-6);
      assert.deepEqual(two, one, `M=${M}: two threads give the bits of one`);
    }
});

test('quantGemm, wasm: the codes are copied into wasm memory once per weight, not per call', () => {
  const be = backends[1];
  const rng = new Rng(4);
  const w = quantizeInt8(rand(64 * 96, rng), 64, 96);
  const before = be.heap.persistentBytes;
  run(be.quantGemm, rand(96, rng), 1, w);
  const after = be.heap.persistentBytes;
  assert.ok(after - before >= 64 * 96, 'the first product places the codes');
  for (let i = 0; i < 3; i++) run(be.quantGemm, rand(2 * 96, rng), 2, w);
  assert.equal(be.heap.persistentBytes, after, 'later products reuse them');
});

test('quantGemm, wasm: a weight the wasm memory cannot hold runs the reference kernel instead', async () => {
  const rng = new Rng(11);
  const be = await createWasmBackend({ maxMemoryPages: 80 }); // 5 MiB in all
  for (const w of [
    quantizeInt8(rand(1200 * 4096, rng), 1200, 4096),
    quantizeInt4(rand(1200 * 8192, rng), 1200, 8192, { groupSize: 32 }),
  ]) {
    const x = rand(2 * w.cols, rng);
    assert.deepEqual(run(be.quantGemm, x, 2, w), reference(x, 2, w), `${w.rows}x${w.cols}`);
  }
});

test('quantizedLinear: with the wasm backend installed equals dequantize then linear, bias included', () => {
  const rng = new Rng(5);
  const w = quantizeInt4(rand(40 * 64, rng), 40, 64, { groupSize: 32 });
  const x = new Tensor(rand(2 * 3 * 64, rng), [2, 3, 64]);
  const b = new Tensor(rand(40, rng), [40]);
  const want = linear(x, dequantizeWeight(w), b);
  setBackend(backends[1]);
  try {
    const got = quantizedLinear(x, w, b);
    assert.deepEqual(got.shape, [2, 3, 40]);
    assertNear(got.data, want.data, 'quantizedLinear', 1e-5, 1e-5);
  } finally {
    resetBackend();
  }
});

test('quantizedLinear: x and b get the gradient finite differences give (the weight is frozen)', () => {
  const rng = new Rng(6);
  for (const w of [
    quantizeInt8(rand(7 * 19, rng), 7, 19),
    quantizeInt4(rand(5 * 48, rng), 5, 48, { groupSize: 16, zeroPoint: true }),
  ]) {
    const x = new Tensor(Float64Array.from(rand(3 * w.cols, rng)), [3, w.cols], true);
    const b = new Tensor(Float64Array.from(rand(w.rows, rng)), [w.rows], true);
    const r = gradcheck((xx, bb) => quantizedLinear(xx, w, bb), [x, b]);
    assert.ok(r.ok, `max error ${r.maxError} at ${r.where}`);
  }
});

test('quantizedLinear: with the wasm backend, the gradient of float32 x equals that of dequantize then linear', () => {
  const rng = new Rng(7);
  const w = quantizeInt8(rand(33 * 50, rng), 33, 50);
  const xs = rand(4 * 50, rng);
  const grad = (f: (x: Tensor) => Tensor): Float32Array => {
    const x = new Tensor(xs.slice(), [4, 50], true);
    const y = f(x);
    y.mul(new Tensor(rand(y.size, new Rng(8)), y.shape))
      .sum()
      .backward();
    return x.grad!.data as Float32Array;
  };
  const want = grad((x) => linear(x, dequantizeWeight(w)));
  setBackend(backends[1]);
  try {
    assertNear(
      grad((x) => quantizedLinear(x, w, null)),
      want,
      'dx',
      1e-5,
      1e-5,
    );
  } finally {
    resetBackend();
  }
});

test("quantizedLinear: an input whose last size is not the weight's is one clear error", () => {
  const w = quantizeInt8(rand(4 * 8, new Rng(9)), 4, 8);
  assert.throws(
    () => quantizedLinear(new Tensor(new Float32Array(6), [2, 3]), w, null),
    /last size must be 8/,
  );
});

test('quantGemm, opt-in int8 activations: within the bound of rounding x to int8, one and two threads', async () => {
  const rng = new Rng(10);
  const q8 = [
    await createWasmBackend({ int8Activations: true }),
    await createWasmBackend({ threads: 2, spawnWorker: spawnNodeWorker, int8Activations: true }),
  ];
  for (const be of q8)
    for (const [N, K] of [
      [67, 33],
      [1031, 520],
    ])
      for (const M of [1, 3, 9, 70]) {
        const w = quantizeInt8(rand(N * K, rng), N, K);
        const x = rand(M * K, rng);
        const want = reference(x, M, w);
        const got = run(be.quantGemm, x, M, w);
        const wd = dequantizeWeight(w).data;
        let differs = false;
        for (let i = 0; i < M; i++) {
          let xmax = 0;
          for (let k = 0; k < K; k++) xmax = Math.max(xmax, Math.abs(x[i * K + k]));
          for (let j = 0; j < N; j++) {
            let wsum = 0;
            for (let k = 0; k < K; k++) wsum += Math.abs(wd[j * K + k]);
            // each x is off by at most half its row's step max|x| / 127
            const bound = (xmax / 127 / 2) * wsum + 1e-5 * (1 + Math.abs(want[i * N + j]));
            const err = Math.abs(got[i * N + j] - want[i * N + j]);
            assert.ok(err <= bound, `${be.name} ${N}x${K} M=${M} (${i}, ${j}): error ${err} > ${bound}`);
            differs ||= err > 1e-4;
          }
        }
        assert.ok(differs, 'the int8-activation path really ran (its results differ from the float path)');
      }
  for (const be of q8) be.close();
});

/** Round half to even, as wasm's f32.nearest. */
function nearestEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The opt-in int8-activation product computed exactly as its definition says, in float32 steps:
 * t = max|x| / 127, a = nearest(x / t) in [-127, 127], d = Σ_k a q (an exact integer),
 * y = d · (t s). Any summation order of d gives the same integer, so the kernel must match bits.
 */
function int8ActivationReference(x: Float32Array, M: number, w: Int8Rows): Float32Array {
  const f = Math.fround;
  const [N, K] = [w.rows, w.cols];
  const y = new Float32Array(M * N);
  for (let i = 0; i < M; i++) {
    let amax = 0;
    for (let k = 0; k < K; k++) amax = Math.max(amax, Math.abs(x[i * K + k]));
    const t = f(amax / 127);
    const inv = t > 0 ? f(1 / t) : 0;
    const a = Array.from({ length: K }, (_, k) =>
      Math.max(-127, Math.min(127, nearestEven(f(x[i * K + k] * inv)))),
    );
    for (let j = 0; j < N; j++) {
      let d = 0;
      for (let k = 0; k < K; k++) d += a[k] * w.q[j * K + k];
      y[i * N + j] = f(f(d) * f(t * w.scales[j]));
    }
  }
  return y;
}

test('quantGemm, opt-in int8 activations: the integer sums give exactly the defined numbers', async () => {
  const rng = new Rng(11);
  const q8 = [
    await createWasmBackend({ int8Activations: true }),
    await createWasmBackend({ threads: 2, spawnWorker: spawnNodeWorker, int8Activations: true }),
  ];
  for (const be of q8)
    for (const [N, K] of [
      [67, 33],
      [1031, 520],
      [67, 37],
    ])
      for (const M of [1, 2, 5]) {
        const w = quantizeInt8(rand(N * K, rng), N, K);
        const x = rand(M * K, rng);
        assert.deepEqual(
          run(be.quantGemm, x, M, w),
          int8ActivationReference(x, M, w),
          `${be.name} ${N}x${K} M=${M}`,
        );
      }
  for (const be of q8) be.close();
});

test('quantGemm: the relaxed-SIMD builds pass these tests too (Node 20: rerun under its flag)', () => {
  const backendsRelaxed = backends.every((b) => b.simd === 'relaxed');
  if (backendsRelaxed || process.execArgv.includes('--experimental-wasm-relaxed-simd')) return; // ran above
  const flag = '--experimental-wasm-relaxed-simd';
  const probe = spawnSync(process.execPath, [flag, '-e', ''], { encoding: 'utf8' });
  if (probe.status !== 0) return; // this runtime has neither relaxed SIMD nor the flag
  const file = fileURLToPath(import.meta.url);
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // a test runner of its own, reporting on its stdout (not ours)
  const r = spawnSync(process.execPath, [flag, '--import', 'tsx', '--test', file], { encoding: 'utf8', env });
  assert.equal(
    r.status,
    0,
    `under ${flag}: ${r.stdout
      .split('\n')
      .filter((l) => /^not ok|error/.test(l))
      .join('; ')}`,
  );
  assert.match(r.stdout, /# pass \d+/);
});
