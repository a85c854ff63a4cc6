// Symmetric per-channel int8 quantization ("absmax", as in LLM.int8's vector-wise quantization,
// Dettmers et al., 2022, section 3.1, without its outlier decomposition): each output row of a
// weight W (out, in) gets one scale, the largest magnitude in the row over 127, and every weight
// becomes the nearest integer multiple of it:
//   s_r = max_j |W[r, j]| / 127      q[r, j] = round(W[r, j] / s_r) ∈ [-127, 127]
//   Ŵ[r, j] = s_r · q[r, j]          |W - Ŵ| <= s_r / 2 elementwise
// A row of zeros gets scale 0 and dequantizes to zeros. This is the readable reference; kernels
// that consume q directly must equal dequantize-then-matmul.

import { LlmfsError } from '../errors.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'quantize-int8' (chapter 13): a float matrix (rows, cols), row-major, -> int8
     * codes and one absmax scale per row, s = max|row| / 127, q = round(w / s).
     */
    quantizeInt8(w: ArrayLike<number>, rows: number, cols: number): Int8Rows;
  }
}

/** An int8 matrix with one scale per row. */
export interface Int8Rows {
  rows: number;
  cols: number;
  /** q, row-major (rows, cols). */
  q: Int8Array;
  /** One scale per row. */
  scales: Float32Array;
}

/** w (rows, cols), row-major -> int8 values and one scale per row. */
export const quantizeInt8 = exercisable('quantizeInt8', (w, rows, cols): Int8Rows => {
  if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows >= 1 && cols >= 1))
    throw new LlmfsError(`int8 quantization: the shape (${rows}, ${cols}) is not a matrix`);
  if (w.length !== rows * cols)
    throw new LlmfsError(`int8 quantization: ${w.length} values for a (${rows}, ${cols}) matrix`);
  const q = new Int8Array(rows * cols);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let amax = 0;
    for (let j = 0; j < cols; j++) {
      const v = w[r * cols + j];
      if (!Number.isFinite(v))
        throw new LlmfsError(
          `int8 quantization: the weight at (${r}, ${j}) is ${v}; only finite weights quantize`,
        );
      amax = Math.max(amax, Math.abs(v));
    }
    const s = Math.fround(amax / 127);
    scales[r] = s;
    if (s === 0) continue;
    for (let j = 0; j < cols; j++) {
      const v = Math.round(w[r * cols + j] / s);
      q[r * cols + j] = v > 127 ? 127 : v < -127 ? -127 : v; // rounding of s can overshoot by one
    }
  }
  return { rows, cols, q, scales };
});

/** Ŵ = s_r · q: the float matrix an int8 one stands for. */
export function dequantizeInt8(m: Int8Rows): Float32Array {
  const out = new Float32Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++) {
    const s = m.scales[r];
    for (let j = 0; j < m.cols; j++) out[r * m.cols + j] = s * m.q[r * m.cols + j];
  }
  return out;
}
