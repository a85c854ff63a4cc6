// Reference solution of matvec-rows (chapter 10, section "Decoding from memory: one stream").

/** y = W x with W (N, K) row-major: each y[j] a dot product of row j with x, W read front to back. */
export function matvecRows(w: Float32Array, x: Float32Array, N: number, K: number): Float32Array {
  const y = new Float32Array(N); // (N)
  for (let j = 0; j < N; j++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += w[j * K + k] * x[k]; // row j of W, in order
    y[j] = s;
  }
  return y;
}
