// RoPE's frequencies θ_i = base^(-2i/hs), i = 0..hs/2-1, and the rescalings that stretch a model's
// context: "linear" position interpolation (Chen et al., 2023) divides every θ_i by the factor;
// Llama 3.1's rule (Meta's reference `apply_scaling`, HF `_compute_llama3_parameters`) divides
// only the low frequencies, whose wavelength 2π/θ_i exceeds original/lowFreqFactor, keeps the high
// ones (wavelength below original/highFreqFactor), and blends linearly in between.

import type { RopeScaling } from './config.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'llama3-rope-scaling' (chapter 16): RoPE's θ_i = base^(-2i/hs), then rescaled as
     * `scaling` says (null: unchanged; linear: θ/factor; llama3: by wavelength, blended between).
     */
    ropeFrequencies(headSize: number, base: number, scaling: RopeScaling | null): Float64Array;
  }
}

const frequenciesSlot = exercisable('ropeFrequencies', (headSize, base, scaling): Float64Array => {
  const half = headSize / 2;
  const theta = new Float64Array(half);
  for (let i = 0; i < half; i++) theta[i] = Math.pow(base, -(2 * i) / headSize);
  if (scaling === null) return theta;
  if (scaling.type === 'linear') return theta.map((t) => t / scaling.factor);
  const { factor, lowFreqFactor: lo, highFreqFactor: hi, originalMaxPositions: L } = scaling;
  const lowFreqWavelen = L / lo; // longer waves than this are slowed down by the factor
  const highFreqWavelen = L / hi; // shorter ones are kept as they are
  return theta.map((t) => {
    const wavelen = (2 * Math.PI) / t;
    if (wavelen < highFreqWavelen) return t;
    if (wavelen > lowFreqWavelen) return t / factor;
    // smooth = 0 at the low-frequency edge, 1 at the high-frequency edge
    const smooth = (L / wavelen - lo) / (hi - lo);
    return (1 - smooth) * (t / factor) + smooth * t;
  });
});

/** θ_i for i = 0..hs/2-1, (hs/2), in float64, after `scaling` if given. */
export function ropeFrequencies(
  headSize: number,
  base: number,
  scaling: RopeScaling | null = null,
): Float64Array {
  return frequenciesSlot(headSize, base, scaling);
}
