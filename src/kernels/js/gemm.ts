// Reference matrix multiply C (+)= op(A) op(B), plain loops in a cache-friendly order: the
// innermost loop always walks contiguous memory (i-k-j for A·B, row dot rows for A·Bᵀ).

import type { GemmArgs } from '../backend-interface.js';
import type { FloatArray } from '../dtype.js';
import { exercisable } from '../../exercises/registry.js';

declare module '../../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'matmul-kernel' (chapter 10): C = A·B over flat row-major arrays, A (M, K) and
     * B (K, N), as a new (M, N) array. The plain A·B case of this backend's gemm calls it.
     */
    matmulKernel(a: FloatArray, b: FloatArray, M: number, K: number, N: number): FloatArray;
    /**
     * Exercise 'matvec-rows' (chapter 10): y = W x for a Linear weight W (N, K) stored row-major
     * and x (K), y[j] = Σ_k W[j, k] x[k], as a new (N) array. One-row A·Bᵀ (a decoding step's
     * Linear layers on this backend) calls it.
     */
    matvecRows(w: FloatArray, x: FloatArray, N: number, K: number): FloatArray;
  }
}

// C[i,:] += A[i,k] * B[k,:], in i-k-j order: the innermost loop walks a row of B and of C.
const matmulKernel = exercisable(
  'matmulKernel',
  (a: FloatArray, b: FloatArray, M: number, K: number, N: number): FloatArray => {
    const c = new (a instanceof Float64Array ? Float64Array : Float32Array)(M * N);
    for (let i = 0; i < M; i++) {
      const ci = i * N;
      for (let k = 0; k < K; k++) {
        const aik = a[i * K + k]; // no skip when 0: 0 · inf must stay NaN (IEEE 754)
        const bk = k * N;
        for (let j = 0; j < N; j++) c[ci + j] += aik * b[bk + j];
      }
    }
    return c;
  },
);

// y[j] = W[j,:] · x: W read row after row, one sequential stream (what a decoding step's speed
// depends on: chapter 10, "Decoding from memory"). The sum runs in float64 then rounds once, as
// the A·Bᵀ loop below does, so the two give the same bits.
const matvecRows = exercisable(
  'matvecRows',
  (w: FloatArray, x: FloatArray, N: number, K: number): FloatArray => {
    const y = new (w instanceof Float64Array ? Float64Array : Float32Array)(N);
    for (let j = 0; j < N; j++) {
      const wj = j * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += w[wj + k] * x[k];
      y[j] = s;
    }
    return y;
  },
);

export function gemm(p: GemmArgs): void {
  const { M, N, K, a, b, c, aOffset: ao, bOffset: bo, cOffset: co } = p;
  if (M === 1 && !p.transA && p.transB && !p.accumulate && c.constructor === b.constructor) {
    c.set(matvecRows(b.subarray(bo, bo + N * K), a.subarray(ao, ao + K), N, K), co);
    return;
  }
  if (!p.transA && !p.transB && !p.accumulate) {
    c.set(matmulKernel(a.subarray(ao, ao + M * K), b.subarray(bo, bo + K * N), M, K, N), co);
    return;
  }
  if (!p.accumulate) c.fill(0, co, co + M * N);
  if (!p.transA && !p.transB) {
    // C[i,:] += A[i,k] * B[k,:]
    for (let i = 0; i < M; i++) {
      const ci = co + i * N;
      for (let k = 0; k < K; k++) {
        const aik = a[ao + i * K + k]; // no skip when 0: 0 · inf must stay NaN (IEEE 754)
        const bk = bo + k * N;
        for (let j = 0; j < N; j++) c[ci + j] += aik * b[bk + j];
      }
    }
  } else if (!p.transA && p.transB) {
    // C[i,j] += dot(A[i,:], B[j,:]): both rows contiguous.
    for (let i = 0; i < M; i++) {
      const ai = ao + i * K;
      for (let j = 0; j < N; j++) {
        const bj = bo + j * K;
        let s = 0;
        for (let k = 0; k < K; k++) s += a[ai + k] * b[bj + k];
        c[co + i * N + j] += s;
      }
    }
  } else if (p.transA && !p.transB) {
    // A stored (K, M): C[i,:] += A[k,i] * B[k,:]
    for (let k = 0; k < K; k++) {
      const bk = bo + k * N;
      for (let i = 0; i < M; i++) {
        const aki = a[ao + k * M + i];
        const ci = co + i * N;
        for (let j = 0; j < N; j++) c[ci + j] += aki * b[bk + j];
      }
    }
  } else {
    // Both transposed (rare): C[i,j] += sum_k A[k,i] B[j,k]
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a[ao + k * M + i] * b[bo + j * K + k];
        c[co + i * N + j] += s;
      }
    }
  }
}
