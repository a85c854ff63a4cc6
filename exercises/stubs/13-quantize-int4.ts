// Exercise quantize-int4 (chapter 13, section "Why int4 needs groups").
// Check it with: llmfs exercise check quantize-int4

/**
 * Group-wise int4: each row of W (rows, cols), row-major in `w`, is cut into groups of G
 * consecutive weights (G = o.groupSize ?? 32, which divides cols), and each group gets a scale:
 *
 *   symmetric     s = max|group| / 7                 code = clamp(round(w / s), -8, 7) + 8
 *   zero point    s = (max - min) / 15, z = clamp(round(-min / s), 0, 15)
 *                                                    code = clamp(round(w / s) + z, 0, 15)
 *
 * Scales are float32 (Math.fround); a group with s = 0 gets code 8 (symmetric) or z = 0 and code 0.
 * Codes are packed two per byte, the even-indexed one in the low nibble: byte i >> 1 holds code i
 * in bits (i & 1) · 4. Return zeros (one per group) only with o.zeroPoint, else null.
 */
export function quantizeInt4(
  w: ArrayLike<number> /* (rows · cols) */,
  rows: number,
  cols: number,
  o: { groupSize?: number; zeroPoint?: boolean } = {},
): {
  rows: number;
  cols: number;
  groupSize: number;
  packed: Uint8Array /* (rows · cols / 2) */;
  scales: Float32Array /* (rows · cols / G) */;
  zeros: Uint8Array | null /* (rows · cols / G) */;
} {
  // TODO: per group: its scale (and zero point), each code; then pack two codes per byte.
  throw new Error('not implemented yet');
}
