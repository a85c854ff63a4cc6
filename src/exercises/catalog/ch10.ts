// Chapter 10 exercises: making it fast (docs/10-making-it-fast.md).

import type { ExerciseSpec } from '../spec.js';
import { uniform } from '../helpers.js';
import { lossFallsAsReference, trainTiny } from '../tiny-train.js';
import { sameTokens, sampledTokens } from './ch08-helpers.js';

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

const matvecRows: ExerciseSpec = {
  id: 'matvec-rows',
  chapter: 10,
  section: 'Decoding from memory: one stream',
  title: "The decoding step's product: y = W x against a Linear weight W (N, K), row after row",
  exportName: 'matvecRows',
  slot: 'matvecRows',
  topics: ['performance', 'inference'],
  hints: [
    'A Linear weight is stored (out, in) = (N, K), row-major: W[j, k] is w[j * K + k].',
    'y[j] = Σ_k W[j, k]·x[k]: a dot product of row j of W with x. Take j in order and k in order ' +
      'inside it, so W is read front to back, one sequential stream.',
    'const y = new Float32Array(N); for j: { let s = 0; for k: s += w[j*K+k] * x[k]; y[j] = s; } return y;',
  ],
  tolerance: { atol: 1e-5, rtol: 1e-5 },
  cases: (rng) => [
    { name: 'odd sizes: W (3, 5), x (5)', args: [f32(uniform(rng, 15)), f32(uniform(rng, 5)), 3, 5] },
    { name: 'one output: W (1, 9)', args: [f32(uniform(rng, 9)), f32(uniform(rng, 9)), 1, 9] },
    { name: 'one input: W (7, 1)', args: [f32(uniform(rng, 7)), f32(uniform(rng, 1)), 7, 1] },
    { name: 'wide: W (33, 17)', args: [f32(uniform(rng, 561)), f32(uniform(rng, 17)), 33, 17] },
    {
      name: 'large values (±1e3)',
      args: [f32(uniform(rng, 24, -1e3, 1e3)), f32(uniform(rng, 6, -1e3, 1e3)), 4, 6],
      tolerance: { atol: 1e-1, rtol: 1e-5 },
    },
  ],
  diagnose(got, _want, c) {
    const [, , N, K] = c.args as [Float32Array, Float32Array, number, number];
    if (!(got instanceof Float32Array || got instanceof Float64Array)) return null;
    if (got.length !== N) return `y must hold N = ${N} values (one per row of W), not ${got.length}`;
    // Reading W as (K, N) (column j at w[k * N + j]) gives N values but the wrong ones.
    return N === 1 || K === 1 ? null : `check the indexing: W[j, k] = w[j*${K} + k] (W is stored out × in)`;
  },
  extra: [
    {
      kind: 'integration',
      name: 'tiny GPT generates 12 tokens greedily on the JS backend with your product in every Linear',
      run: () => sameTokens('greedy decoding', sampledTokens({ strategy: 'greedy' })),
    },
  ],
};

export const chapter10: ExerciseSpec[] = [matmulKernel, matvecRows];
