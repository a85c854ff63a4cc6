// Reference matrix multiply C (+)= op(A) op(B), plain loops in a cache-friendly order: the
// innermost loop always walks contiguous memory (i-k-j for A·B, row dot rows for A·Bᵀ).

import type { GemmArgs } from '../backend-interface.js';

export function gemm(p: GemmArgs): void {
  const { M, N, K, a, b, c, aOffset: ao, bOffset: bo, cOffset: co } = p;
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
