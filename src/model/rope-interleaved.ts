// RoPE in its original, interleaved form (Su et al., 2021, eq. 34; GPT-J; Meta's llama/model.py
// apply_rotary_emb): channel pairs (2i, 2i+1) are rotated by m·θ_i, as the complex number
// (x_2i + i·x_2i+1)·e^{i m θ_i}. HF's Llama pairs channels (i, i + hs/2) instead (rotate_half,
// rope.ts). The two are the same model once each head's q and k weight rows are permuted:
// convert_llama_weights_to_hf.py moves Meta's row 2i + j of a head to row j·hs/2 + i. Scores
// q·k are unchanged, since both q and k are permuted alike.

import { Tensor } from '../tensor/tensor.js';
import { cat } from '../tensor/ops/layout.js';
import { LlmfsError } from '../errors.js';
import { fmtShape } from '../tensor/shape.js';
import { ropeFrequencies } from './rope-scaling.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'rope-permute' (chapter 16): a q or k weight (nh·hs, C) from Meta's interleaved
     * rows to HF's rotate_half order (row h·hs + 2i + j to h·hs + j·hs/2 + i), or back (`inverse`).
     */
    permuteForRotateHalf(w: Tensor, nHead: number, inverse?: boolean): Tensor;
  }
}

/** x (B, T, nh, hs) or (T, nh, hs), rotated pair by pair (2i, 2i+1) for positions start..start+T-1. */
export function applyRopeInterleaved(x: Tensor, base = 10000, start = 0): Tensor {
  if (x.ndim < 3) throw new LlmfsError(`RoPE: x must be (..., T, nh, hs), got ${fmtShape(x.shape)}`);
  const [T, nh, hs] = x.shape.slice(-3);
  if (hs % 2 !== 0) throw new LlmfsError(`RoPE: head size must be even, got ${hs}`);
  const half = hs / 2;
  const theta = ropeFrequencies(hs, base); // (hs/2)
  const cosData = new Float32Array(T * half);
  const sinData = new Float32Array(T * half);
  for (let m = 0; m < T; m++)
    for (let i = 0; i < half; i++) {
      cosData[m * half + i] = Math.cos((start + m) * theta[i]);
      sinData[m * half + i] = Math.sin((start + m) * theta[i]);
    }
  const cos = new Tensor(cosData, [T, 1, half, 1]); // broadcasts over batch and heads
  const sin = new Tensor(sinData, [T, 1, half, 1]);
  const pairs = x.reshape(...x.shape.slice(0, -1), half, 2); // (..., T, nh, hs/2, 2)
  const even = pairs.narrow(-1, 0, 1); // x_2i    (..., T, nh, hs/2, 1)
  const odd = pairs.narrow(-1, 1, 1); // x_2i+1
  // (a + ib)(cos + i sin) = (a cos - b sin) + i (a sin + b cos)
  const re = even.mul(cos).sub(odd.mul(sin));
  const im = even.mul(sin).add(odd.mul(cos));
  return cat([re, im], -1).reshape(...x.shape.slice(0, -2), nh, hs);
}

/**
 * Meta's q or k weight (nh·hs, C), rows interleaved per head, to HF's rotate_half order: row
 * h·hs + 2i + j moves to h·hs + j·hs/2 + i (convert_llama_weights_to_hf.py's permute). With
 * `inverse`, HF's order back to Meta's.
 */
export const permuteForRotateHalf = exercisable(
  'permuteForRotateHalf',
  (w: Tensor, nHead: number, inverse = false): Tensor => {
    const [rows, cols] = w.shape;
    if (w.ndim !== 2 || rows % nHead !== 0 || (rows / nHead) % 2 !== 0)
      throw new LlmfsError(
        `RoPE permute: weight ${fmtShape(w.shape)} does not split into ${nHead} even heads`,
      );
    const hs = rows / nHead;
    const half = hs / 2;
    const out = new Float32Array(rows * cols);
    for (let h = 0; h < nHead; h++)
      for (let i = 0; i < half; i++)
        for (let j = 0; j < 2; j++) {
          const meta = h * hs + 2 * i + j;
          const hf = h * hs + j * half + i;
          const [from, to] = inverse ? [hf, meta] : [meta, hf];
          out.set(w.data.subarray(from * cols, (from + 1) * cols), to * cols);
        }
    return new Tensor(out, [rows, cols]);
  },
);
