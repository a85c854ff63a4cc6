// Reference solution of matmul-kernel (chapter 10, section "Why the plain loop is slow").

/** C = A·B over flat row-major arrays, A (M, K), B (K, N): i-k-j order, innermost loop contiguous. */
export function matmulKernel(
  a: Float32Array,
  b: Float32Array,
  M: number,
  K: number,
  N: number,
): Float32Array {
  const c = new Float32Array(M * N); // (M, N), zeros
  for (let i = 0; i < M; i++) {
    for (let k = 0; k < K; k++) {
      const aik = a[i * K + k]; // A[i, k], read once
      for (let j = 0; j < N; j++) c[i * N + j] += aik * b[k * N + j]; // row k of B into row i of C
    }
  }
  return c;
}
