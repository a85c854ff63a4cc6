// Reference solution of llama3-rope-scaling (chapter 16, section "Longer contexts").

import type { RopeScaling } from 'llm-from-scratch';

/** θ_i = base^(-2i/hs), rescaled as `scaling` says. */
export function ropeFrequencies(headSize: number, base: number, scaling: RopeScaling | null): Float64Array {
  const theta = Float64Array.from({ length: headSize / 2 }, (_, i) => base ** (-(2 * i) / headSize));
  if (scaling === null) return theta;
  if (scaling.type === 'linear') return theta.map((t) => t / scaling.factor);
  const { factor, lowFreqFactor: lo, highFreqFactor: hi, originalMaxPositions: L } = scaling;
  return theta.map((t) => {
    const wavelen = (2 * Math.PI) / t;
    if (wavelen < L / hi) return t; // short waves: local detail, kept
    if (wavelen > L / lo) return t / factor; // long waves: stretched by the factor
    const s = (L / wavelen - lo) / (hi - lo); // 0 at the long edge, 1 at the short one
    return (1 - s) * (t / factor) + s * t;
  });
}
