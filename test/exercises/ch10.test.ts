// Chapter 10's exercise: the stub fails as "not written yet", the reference passes (and really
// runs inside the JS backend's gemm while a tiny GPT trains), a dot-product (i-j-k) version passes,
// and reading B as if it were stored (N, K) is rejected with a pointer at the indexing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chapter10 } from '../../src/exercises/catalog/ch10.js';
import { runExercise } from '../../src/exercises/run.js';
import { withImplementations } from '../../src/exercises/registry.js';
import type { LearnerFn } from '../../src/exercises/spec.js';
import { tensor } from '../../src/tensor/creation.js';
import { linear } from '../../src/tensor/ops/matmul.js';
import { getBackend, resetBackend } from '../../src/kernels/backend.js';

const spec = chapter10.find((e) => e.id === 'matmul-kernel')!;
const check = (fn: unknown) => runExercise(spec, fn as LearnerFn);
resetBackend(); // the JS backend, whose gemm calls the slot

test('matmul-kernel: the stub fails as not written yet; the reference solution passes every check', async () => {
  const stub = await import('../../exercises/stubs/10-matmul-kernel.js');
  const r0 = check(stub.matmulKernel);
  assert.equal(r0.passed, false);
  assert.match(r0.message!, /not written matmulKernel yet/);
  const sol = await import('../../exercises/solutions/10-matmul-kernel.js');
  const r = check(sol.matmulKernel);
  assert.equal(r.passed, true, r.message);
  assert.ok(r.checks.some((c) => c.kind === 'integration' && c.passed));
});

test('matmul-kernel: the JS backend really calls the installed kernel for a plain A·B', () => {
  let calls = 0;
  const counted = (a: Float32Array, b: Float32Array, M: number, K: number, N: number) => {
    calls++;
    const c = new Float32Array(M * N);
    for (let i = 0; i < M; i++)
      for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) c[i * N + j] += a[i * K + k]! * b[k * N + j]!;
    return c;
  };
  assert.equal(getBackend().name, 'js');
  const y = withImplementations({ matmulKernel: counted }, () =>
    tensor([[1, 2, 3]]).matmul(tensor([[1], [10], [100]])),
  );
  assert.deepEqual([...y.data], [321]);
  assert.equal(calls, 1);
});

test('matmul-kernel: a dot-product (i-j-k) loop order passes', () => {
  const r = check((a: Float32Array, b: Float32Array, M: number, K: number, N: number) => {
    const c = new Float32Array(M * N);
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a[i * K + k]! * b[k * N + j]!;
        c[i * N + j] = s;
      }
    return c;
  });
  assert.equal(r.passed, true, r.message);
});

test('matmul-kernel: reading B as (N, K) is rejected with a pointer at the indexing', () => {
  const r = check((a: Float32Array, b: Float32Array, M: number, K: number, N: number) => {
    const c = new Float32Array(M * N);
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) for (let k = 0; k < K; k++) c[i * N + j] += a[i * K + k]! * b[j * K + k]!;
    return c;
  });
  assert.equal(r.passed, false);
  assert.match(r.message!, /check the indexing: A\[i, k\] = a\[i\*5 \+ k\], B\[k, j\] = b\[k\*7 \+ j\]/);
});

const matvec = chapter10.find((e) => e.id === 'matvec-rows')!;
const checkMatvec = (fn: unknown) => runExercise(matvec, fn as LearnerFn);

test('matvec-rows: the stub fails as not written yet; the reference solution passes every check', async () => {
  const stub = await import('../../exercises/stubs/10-matvec-rows.js');
  const r0 = checkMatvec(stub.matvecRows);
  assert.equal(r0.passed, false);
  assert.match(r0.message!, /not written matvecRows yet/);
  const sol = await import('../../exercises/solutions/10-matvec-rows.js');
  const r = checkMatvec(sol.matvecRows);
  assert.equal(r.passed, true, r.message);
  assert.ok(r.checks.some((c) => c.kind === 'integration' && c.passed));
});

test('matvec-rows: the JS backend calls the installed product for a one-row A·Bᵀ, with the same bits', () => {
  let calls = 0;
  const counted = (w: Float32Array, x: Float32Array, N: number, K: number) => {
    calls++;
    const y = new Float32Array(N);
    for (let j = 0; j < N; j++) for (let k = 0; k < K; k++) y[j] += w[j * K + k]! * x[k]!;
    return y;
  };
  assert.equal(getBackend().name, 'js');
  const x = tensor([[1, 2, 3]]);
  const w = tensor([
    [1, 10, 100],
    [2, 0, -1],
  ]);
  const y = withImplementations({ matvecRows: counted }, () => linear(x, w)); // x Wᵀ, as a Linear
  assert.deepEqual([...y.data], [321, -1]);
  assert.equal(calls, 1);
  assert.deepEqual([...linear(x, w).data], [321, -1]); // the library's own
});

test('matvec-rows: reading W as (K, N) is rejected with a pointer at the indexing', () => {
  const r = checkMatvec((w: Float32Array, x: Float32Array, N: number, K: number) => {
    const y = new Float32Array(N);
    for (let j = 0; j < N; j++) for (let k = 0; k < K; k++) y[j] += w[k * N + j]! * x[k]!;
    return y;
  });
  assert.equal(r.passed, false);
  assert.match(r.message!, /check the indexing: W\[j, k\] = w\[j\*5 \+ k\]/);
});
