// The pieces both passes of the tiled attention (tiled-attention.ts, tiled-attention-backward.ts)
// share: the query block size, copying one head's rows between a (B, T, n·hs) array and a
// contiguous block, and which keys a query may see under the causal mask.

import type { FloatArray } from '../dtype.js';
import type { AttentionDims, GemmArgs } from '../backend.js';

export type Gemm = (args: GemmArgs) => void;

export const QBLOCK = 64;

/** Copies head `h` of rows t0..t1-1 from a (B, T, n·hs) array into a contiguous (t1-t0, hs) block. */
export function gather(
  src: FloatArray,
  b: number,
  T: number,
  rowWidth: number,
  h: number,
  hs: number,
  t0: number,
  t1: number,
  dst: Float32Array,
): void {
  for (let t = t0; t < t1; t++) {
    const so = (b * T + t) * rowWidth + h * hs;
    dst.set(src.subarray(so, so + hs), (t - t0) * hs);
  }
}

/** Adds (or writes) a contiguous (t1-t0, hs) block back into head `h` of a (B, T, n·hs) array. */
export function scatter(
  dst: FloatArray,
  b: number,
  T: number,
  rowWidth: number,
  h: number,
  hs: number,
  t0: number,
  t1: number,
  src: Float32Array,
  add: boolean,
): void {
  for (let t = t0; t < t1; t++) {
    const o = (b * T + t) * rowWidth + h * hs;
    const s = (t - t0) * hs;
    if (add) for (let c = 0; c < hs; c++) dst[o + c] += src[s + c];
    else for (let c = 0; c < hs; c++) dst[o + c] = src[s + c];
  }
}

/** The last key query i may see (inclusive), or -1 when it sees none. */
export function visible(d: AttentionDims, i: number): number {
  return d.causal ? d.Tk - d.Tq + i : d.Tk - 1;
}
