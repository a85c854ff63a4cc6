// Attention from text positions to image patches, read from recorded attention weights: the
// numbers behind the overlay pictures (which patches a word "looked at", as in Xu et al., 2015,
// "Show, Attend and Tell", fig. 2). Averaged over heads, and over layers unless one is chosen.

import { Tensor } from '../../tensor/tensor.js';
import { LlmfsError } from '../../errors.js';

export interface PatchWindow {
  /** The first query row to read, and how many. */
  rowStart: number;
  rows: number;
  /** The patch keys are columns [colStart, colEnd). */
  colStart: number;
  colEnd: number;
  /** Divide each row by its sum over the patch columns (then each row sums to 1). */
  renormalise: boolean;
}

/** Layers' weights, each (1, nh, Tq, Tk) -> (rows, colEnd - colStart). */
export function patchAttention(weights: readonly Tensor[], w: PatchWindow, layer?: number): Tensor {
  if (layer !== undefined && (!Number.isInteger(layer) || layer < 0 || layer >= weights.length))
    throw new LlmfsError(`vlm: layer ${layer} is not one of the decoder's ${weights.length} layers`);
  const chosen = layer === undefined ? weights : [weights[layer]];
  const { rowStart, rows: T, colStart, colEnd, renormalise } = w;
  const N = colEnd - colStart;
  const out = new Float32Array(T * N); // (T, N)
  for (const a of chosen) {
    const [, nh, Tq, Tk] = a.shape;
    const share = 1 / (nh * chosen.length);
    for (let h = 0; h < nh; h++)
      for (let t = 0; t < T; t++) {
        const base = (h * Tq + rowStart + t) * Tk;
        let sum = 0;
        for (let j = colStart; j < colEnd; j++) sum += a.data[base + j];
        const scale = renormalise ? share / sum : share;
        for (let j = colStart; j < colEnd; j++) out[t * N + j - colStart] += a.data[base + j] * scale;
      }
  }
  return new Tensor(out, [T, N]);
}
