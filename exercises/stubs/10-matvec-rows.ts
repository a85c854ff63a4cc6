// Exercise matvec-rows (chapter 10, section "Decoding from memory: one stream").
// Check it with: llmfs exercise check matvec-rows

/**
 * The product a decoding step spends its time in: y = W x, for a Linear weight W of N rows
 * (outputs) and K columns (inputs), stored flat and row-major (W[j, k] is w[j * K + k]), and x of
 * K values:
 *
 *     y[j] = Σ_k W[j, k] · x[k]
 *
 * Return y as a new Float32Array of N values. Read W row after row, front to back: one token's
 * step reads every weight once, from memory, and one sequential stream is the fastest way to do
 * that. The checker compares values, and the library's JS backend then uses your function for
 * every one-row Linear while a tiny GPT generates.
 */
export function matvecRows(w: Float32Array, x: Float32Array, N: number, K: number): Float32Array {
  // TODO: y = W x
  throw new Error('not implemented yet');
}
