// Exercise pca-2d (chapter 19, section "Look inside").
// Check it with: llmfs exercise check pca-2d

/**
 * Principal component analysis to 2-D (Pearson, 1901), as the lab's Look-inside panel draws the
 * token embedding: x holds n rows of d values, row-major (x[i * d + j]).
 *
 *     xc = x minus each column's mean            (n, d)
 *     C  = xcᵀ xc / (n - 1)                     (d, d), the covariance
 *     v1, v2 = C's two leading eigenvectors (unit length), λ1 >= λ2 their eigenvalues
 *     points[i] = [xc_i · v1, xc_i · v2]
 *
 * Find v1 by power iteration (v ← C v / ||C v|| until it stops moving), then v2 the same way on
 * C - λ1 v1 v1ᵀ, projecting v1 out of v at each step (if λ2 is 0, v2 must still be a unit vector
 * orthogonal to v1). Flip each v so that its largest-|value| entry is positive (so the plot does not
 * mirror between readings). explained = [λ1, λ2] / trace(C), or [0, 0] when the trace is 0.
 */
export function pca2d(
  x: ArrayLike<number>,
  n: number,
  d: number,
): {
  points: [number, number][];
  components: [Float64Array, Float64Array];
  variances: [number, number];
  explained: [number, number];
} {
  // TODO: centre, covariance, two power iterations with deflation, signs, projections.
  throw new Error('not implemented yet');
}
