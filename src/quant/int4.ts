// Group-wise int4 quantization (the scheme of GPTQ/AWQ checkpoints and llama.cpp's Q4 formats,
// in its plain form): each row of W (out, in) is cut into groups of G consecutive weights (G = 32
// by default), and each group gets its own scale, so one large weight costs precision only in its
// group. Two forms:
//   symmetric   s = max|w| / 7                 q = round(w / s) ∈ [-8, 7]      ŵ = s · q
//   zero point  s = (max w - min w) / 15, z = round(-min w / s) ∈ [0, 15]
//               q = round(w / s) + z ∈ [0, 15]                                 ŵ = s · (q - z)
// The zero point fits groups whose weights are not centred on 0. Values are stored two per byte
// (low nibble first), as 4-bit checkpoints store them; |w - ŵ| <= s / 2 within the range.

import { LlmfsError } from '../errors.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'quantize-int4' (chapter 13): a float matrix (rows, cols) -> 4-bit codes packed two
     * per byte (low nibble first) and one scale per group of G weights, symmetric (codes q + 8) or
     * with a zero point.
     */
    quantizeInt4(w: ArrayLike<number>, rows: number, cols: number, o?: Int4Options): Int4Groups;
  }
}

export interface Int4Groups {
  rows: number;
  cols: number;
  groupSize: number;
  /** Two 4-bit codes per byte, low nibble first, row-major (rows, cols); codes are q + 8 (symmetric) or q. */
  packed: Uint8Array;
  /** One scale per group: (rows, cols / groupSize). */
  scales: Float32Array;
  /** One zero point per group (zero-point form), else null. */
  zeros: Uint8Array | null;
}

export interface Int4Options {
  /** Weights per group (default 32); must divide the number of columns. */
  groupSize?: number;
  /** Asymmetric groups with a zero point (default false: symmetric). */
  zeroPoint?: boolean;
}

/** Packs 4-bit codes (0..15) two per byte, low nibble first. */
export function packNibbles(codes: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(Math.ceil(codes.length / 2));
  for (let i = 0; i < codes.length; i++) out[i >> 1] |= (codes[i] & 15) << ((i & 1) * 4);
  return out;
}

/** The `n` 4-bit codes of packed bytes. */
export function unpackNibbles(packed: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (packed[i >> 1] >> ((i & 1) * 4)) & 15;
  return out;
}

/** w (rows, cols), row-major -> 4-bit codes and one scale (and zero point) per group. */
export const quantizeInt4 = exercisable('quantizeInt4', (w, rows, cols, o = {}): Int4Groups => {
  const G = o.groupSize ?? 32;
  if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows >= 1 && cols >= 1))
    throw new LlmfsError(`int4 quantization: the shape (${rows}, ${cols}) is not a matrix`);
  if (w.length !== rows * cols)
    throw new LlmfsError(`int4 quantization: ${w.length} values for a (${rows}, ${cols}) matrix`);
  if (!(Number.isInteger(G) && G >= 2 && cols % G === 0))
    throw new LlmfsError(`int4 quantization: a group of ${G} does not divide the ${cols} columns`);
  const groups = (rows * cols) / G;
  const codes = new Uint8Array(rows * cols);
  const scales = new Float32Array(groups);
  const zeros = o.zeroPoint ? new Uint8Array(groups) : null;
  for (let g = 0; g < groups; g++) {
    const at = g * G; // groups run along each row, and rows follow each other
    let lo = Infinity;
    let hi = -Infinity;
    let amax = 0;
    for (let k = 0; k < G; k++) {
      const v = w[at + k];
      if (!Number.isFinite(v)) {
        const i = at + k;
        throw new LlmfsError(
          `int4 quantization: the weight at (${Math.floor(i / cols)}, ${i % cols}) is ${v}; ` +
            'only finite weights quantize',
        );
      }
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      amax = Math.max(amax, Math.abs(v));
    }
    if (zeros) {
      const s = Math.fround((hi - lo) / 15);
      scales[g] = s;
      const z = s === 0 ? 0 : Math.min(15, Math.max(0, Math.round(-lo / s)));
      zeros[g] = z;
      for (let k = 0; k < G; k++) {
        const q = s === 0 ? z : Math.round(w[at + k] / s) + z;
        codes[at + k] = Math.min(15, Math.max(0, q));
      }
    } else {
      const s = Math.fround(amax / 7);
      scales[g] = s;
      for (let k = 0; k < G; k++) {
        const q = s === 0 ? 0 : Math.round(w[at + k] / s);
        codes[at + k] = Math.min(7, Math.max(-8, q)) + 8;
      }
    }
  }
  return { rows, cols, groupSize: G, packed: packNibbles(codes), scales, zeros };
});

/** The float matrix an int4 one stands for: s · q (symmetric) or s · (q - z) (zero point). */
export function dequantizeInt4(m: Int4Groups): Float32Array {
  const n = m.rows * m.cols;
  const codes = unpackNibbles(m.packed, n);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const g = Math.floor(i / m.groupSize);
    const q = m.zeros ? codes[i] - m.zeros[g] : codes[i] - 8;
    out[i] = m.scales[g] * q;
  }
  return out;
}
