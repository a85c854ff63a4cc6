// Reference solution of quantize-int8 (chapter 13, section "Absmax int8, one scale per row").

/** One absmax scale per row, codes round(w / s) in [-127, 127]. */
export function quantizeInt8(
  w: ArrayLike<number>,
  rows: number,
  cols: number,
): { rows: number; cols: number; q: Int8Array; scales: Float32Array } {
  const q = new Int8Array(rows * cols);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let amax = 0;
    for (let j = 0; j < cols; j++) amax = Math.max(amax, Math.abs(w[r * cols + j]));
    const s = Math.fround(amax / 127);
    scales[r] = s;
    if (s === 0) continue; // a row of zeros: codes stay 0
    for (let j = 0; j < cols; j++)
      q[r * cols + j] = Math.max(-127, Math.min(127, Math.round(w[r * cols + j] / s)));
  }
  return { rows, cols, q, scales };
}
