// Chapter 10 exercises: making it fast (docs/10-making-it-fast.md).

import type { ExerciseSpec } from '../spec.js';
import { uniform } from '../helpers.js';
import { lossFallsAsReference, trainTiny } from '../tiny-train.js';

const f32 = (a: Float64Array) => Float32Array.from(a);

const matmulKernel: ExerciseSpec = {
  id: 'matmul-kernel',
  chapter: 10,
  section: 'Why the plain loop is slow',
  title: 'The matrix-multiply kernel: C = A·B over flat arrays, in i-k-j order',
  exportName: 'matmulKernel',
  slot: 'matmulKernel',
  topics: ['performance'],
  hints: [
    'Row-major: A[i, k] is a[i * K + k], B[k, j] is b[k * N + j], C[i, j] is c[i * N + j].',
    'C[i, j] = Σ_k A[i, k]·B[k, j]. Order the loops i, k, j: then the innermost loop walks a row of ' +
      'B and a row of C, both contiguous in memory, and A[i, k] is read once per row.',
    'const c = new Float32Array(M * N); for i: for k: { const aik = a[i*K+k]; for j: c[i*N+j] += ' +
      'aik * b[k*N+j]; } return c;',
  ],
  tolerance: { atol: 1e-5, rtol: 1e-5 },
  cases: (rng) => [
    { name: 'odd sizes (3, 5) by (5, 7)', args: [f32(uniform(rng, 15)), f32(uniform(rng, 35)), 3, 5, 7] },
    { name: 'size 1: (1, 1) by (1, 1)', args: [f32(uniform(rng, 1)), f32(uniform(rng, 1)), 1, 1, 1] },
    {
      name: 'a row by a matrix (1, 9) by (9, 4)',
      args: [f32(uniform(rng, 9)), f32(uniform(rng, 36)), 1, 9, 4],
    },
    {
      name: 'not square (17, 2) by (2, 33)',
      args: [f32(uniform(rng, 34)), f32(uniform(rng, 66)), 17, 2, 33],
    },
    {
      name: 'large values (±1e3)',
      args: [f32(uniform(rng, 24, -1e3, 1e3)), f32(uniform(rng, 24, -1e3, 1e3)), 4, 6, 4],
      tolerance: { atol: 1e-1, rtol: 1e-5 },
    },
  ],
  diagnose(got, _want, c) {
    const [, , M, K, N] = c.args as [Float32Array, Float32Array, number, number, number];
    if (!(got instanceof Float32Array || got instanceof Float64Array)) return null;
    if (got.length !== M * N) return `C must hold M·N = ${M * N} values, not ${got.length}`;
    // Indexing B as (N, K), or A as (K, M), gives the right count but wrong values: say where to look.
    return M === 1 || N === 1 ? null : `check the indexing: A[i, k] = a[i*${K} + k], B[k, j] = b[k*${N} + j]`;
  },
  extra: [
    {
      kind: 'integration',
      name: 'tiny GPT trains 40 steps on the JS backend with your kernel in every plain A·B',
      run: () => lossFallsAsReference(() => trainTiny()),
      timeLimitMs: 8000,
    },
  ],
};

export const chapter10: ExerciseSpec[] = [matmulKernel];
