// Exercise quantize-int8 (chapter 13, section "Absmax int8, one scale per row").
// Check it with: llmfs exercise check quantize-int8

/**
 * Absmax int8 quantization with one scale per row (LLM.int8's vector-wise scheme): row r of the
 * weight W (rows, cols), stored row-major in `w`, gets the scale that puts its largest magnitude
 * on ±127, and every weight becomes the nearest integer multiple of it:
 *
 *     s_r = max_j |W[r, j]| / 127        q[r, j] = round(W[r, j] / s_r) ∈ [-127, 127]
 *
 * Then ŵ = s_r · q is within s_r / 2 of w. Store each scale as a float32 (Math.fround); a row of
 * zeros has scale 0 and codes 0. Leave `w` as it is.
 */
export function quantizeInt8(
  w: ArrayLike<number> /* (rows · cols) */,
  rows: number,
  cols: number,
): { rows: number; cols: number; q: Int8Array /* (rows · cols) */; scales: Float32Array /* (rows) */ } {
  // TODO: per row: the largest magnitude, the scale, then each code.
  throw new Error('not implemented yet');
}
