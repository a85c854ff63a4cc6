// Exercise matmul-kernel (chapter 10, section "Why the plain loop is slow").
// Check it with: llmfs exercise check matmul-kernel

/**
 * The plain matrix-multiply kernel: C = A·B, with A (M, K), B (K, N) and C (M, N) stored flat in
 * row-major order (A[i, k] is a[i * K + k]):
 *
 *     C[i, j] = Σ_k A[i, k] · B[k, j]
 *
 * Return C as a new Float32Array of M·N values. Order the loops i, k, j so the innermost loop
 * walks a row of B and a row of C (contiguous memory); the checker compares values, and the
 * library's JS backend then uses your kernel for every plain A·B while a tiny GPT trains.
 */
export function matmulKernel(
  a: Float32Array,
  b: Float32Array,
  M: number,
  K: number,
  N: number,
): Float32Array {
  // TODO: C = A·B
  throw new Error('not implemented yet');
}
