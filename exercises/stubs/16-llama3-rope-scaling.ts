// Exercise llama3-rope-scaling (chapter 16, section "Longer contexts").
// Check it with: llmfs exercise check llama3-rope-scaling

import type { RopeScaling } from 'llm-from-scratch';

/**
 * RoPE's frequencies θ_i = base^(-2i/hs), i = 0..hs/2-1 (Su et al., 2021), then rescaled:
 *   null    unchanged
 *   linear  every θ_i / factor (position interpolation, Chen et al., 2023)
 *   llama3  by the wavelength λ_i = 2π/θ_i against L = originalMaxPositions (Llama 3.1):
 *           λ < L / highFreqFactor: keep θ_i;  λ > L / lowFreqFactor: θ_i / factor;
 *           between: (1 - s)·θ_i/factor + s·θ_i, s = (L/λ - lowFreqFactor) / (highFreqFactor - lowFreqFactor)
 * Return a Float64Array of hs/2 values.
 */
export function ropeFrequencies(headSize: number, base: number, scaling: RopeScaling | null): Float64Array {
  // TODO: the plain frequencies, then the rule `scaling` names.
  throw new Error('not implemented yet');
}
