// Fixed sinusoidal positional encodings ("Attention Is All You Need", Vaswani et al., 2017,
// section 3.5):  PE(pos, 2i) = sin(pos / 10000^(2i/d)),  PE(pos, 2i+1) = cos(pos / 10000^(2i/d)).
// Each pair of channels is a clock at its own frequency; PE(pos + k) is a linear function
// (a rotation) of PE(pos), which lets attention find relative offsets.

import { Tensor } from '../tensor/tensor.js';
import { LlmfsError } from '../errors.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'sinusoidal-table' (chapter 3): the (maxLen, d) table PE(pos, 2i) =
     * sin(pos / base^(2i/d)), PE(pos, 2i+1) = cos(pos / base^(2i/d)).
     */
    sinusoidalTable(maxLen: number, d: number, base?: number): Tensor;
  }
}

/**
 * The (maxLen, d) table of encodings. The models build it through the registry (exercise
 * 'sinusoidal-table').
 */
export const sinusoidalTable = exercisable(
  'sinusoidalTable',
  (maxLen: number, d: number, base = 10000): Tensor => {
    if (d % 2 !== 0) throw new LlmfsError(`sinusoidal positions: the width must be even, got ${d}`);
    const out = new Float32Array(maxLen * d);
    for (let pos = 0; pos < maxLen; pos++) {
      for (let i = 0; i < d / 2; i++) {
        const angle = pos / Math.pow(base, (2 * i) / d);
        out[pos * d + 2 * i] = Math.sin(angle);
        out[pos * d + 2 * i + 1] = Math.cos(angle);
      }
    }
    return new Tensor(out, [maxLen, d]);
  },
);
