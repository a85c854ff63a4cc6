// Rotary position embedding, RoPE (Su et al., "RoFormer", 2021). Each pair of channels of a
// query or key at position m is rotated by the angle m·θ_i, θ_i = base^(-2i/hs). Then
//   <R(m) q, R(n) k> = <q, R(n - m) k>,
// so attention scores depend only on the offset n - m. Pairs are (i, i + hs/2), the
// "rotate half" layout used by GPT-NeoX and LLaMA implementations:
//   rope(x) = x ⊙ cos + rotateHalf(x) ⊙ sin,  rotateHalf([x1, x2]) = [-x2, x1].

import { Tensor } from '../tensor/tensor.js';
import { cat } from '../tensor/ops/layout.js';
import { LlmfsError } from '../errors.js';
import { exercisable } from '../exercises/registry.js';
import type { RopeScaling } from './config.js';
import { ropeFrequencies } from './rope-scaling.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'rope' (chapter 3): x (..., hs) rotated pair by pair, pairs (i, i + hs/2):
     * x ⊙ cos + rotateHalf(x) ⊙ sin, rotateHalf([x1, x2]) = [-x2, x1]; `cos` and `sin` hold each
     * angle twice (both halves) and broadcast against x: (T, hs) for x (B, nh, T, hs), (T, 1, hs)
     * for x (B, T, nh, hs).
     */
    rope(x: Tensor, cos: Tensor, sin: Tensor): Tensor;
  }
}

export interface RopeTables {
  /** (maxLen, hs) cosines and sines of the angles, each half repeated. */
  cos: Tensor;
  sin: Tensor;
}

/** The tables for positions 0..maxLen-1; `scaling` rescales the frequencies (rope-scaling.ts). */
export function ropeTables(
  maxLen: number,
  headSize: number,
  base = 10000,
  scaling: RopeScaling | null = null,
): RopeTables {
  if (headSize % 2 !== 0) throw new LlmfsError(`RoPE: head size must be even, got ${headSize}`);
  const half = headSize / 2;
  const theta = ropeFrequencies(headSize, base, scaling); // (hs/2)
  const cos = new Float32Array(maxLen * headSize);
  const sin = new Float32Array(maxLen * headSize);
  for (let m = 0; m < maxLen; m++) {
    for (let i = 0; i < half; i++) {
      const angle = m * theta[i];
      cos[m * headSize + i] = cos[m * headSize + i + half] = Math.cos(angle);
      sin[m * headSize + i] = sin[m * headSize + i + half] = Math.sin(angle);
    }
  }
  return { cos: new Tensor(cos, [maxLen, headSize]), sin: new Tensor(sin, [maxLen, headSize]) };
}

/**
 * Rotates x (B, nh, T, hs) for positions start..start+T-1; with `headsLast`, x is
 * (B, T, nh, hs), the layout straight out of the projection.
 */
export function applyRope(x: Tensor, tables: RopeTables, start = 0, headsLast = false): Tensor {
  const T = x.shape[x.ndim - (headsLast ? 3 : 2)];
  const hs = x.shape[x.ndim - 1];
  if (start + T > tables.cos.shape[0]) {
    throw new LlmfsError(`RoPE: positions up to ${start + T} exceed the table of ${tables.cos.shape[0]}`);
  }
  let cos = tables.cos.narrow(0, start, T); // (T, hs)
  let sin = tables.sin.narrow(0, start, T);
  if (headsLast) {
    cos = cos.reshape(T, 1, hs); // broadcasts over the heads axis
    sin = sin.reshape(T, 1, hs);
  }
  return rope(x, cos, sin);
}

// rope(x) = x ⊙ cos + rotateHalf(x) ⊙ sin, rotateHalf([x1, x2]) = [-x2, x1] on the last axis.
const rope = exercisable('rope', (x: Tensor, cos: Tensor, sin: Tensor): Tensor => {
  const hs = x.shape[x.ndim - 1];
  const x1 = x.narrow(-1, 0, hs / 2);
  const x2 = x.narrow(-1, hs / 2, hs / 2);
  const rotated = cat([x2.neg(), x1], -1); // same shape as x
  return x.mul(cos).add(rotated.mul(sin));
});
