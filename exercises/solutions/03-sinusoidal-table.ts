// Reference solution of sinusoidal-table (chapter 3, section
// 'Sinusoidal positions ("Attention Is All You Need", section 3.5)').

import { Tensor } from 'llm-from-scratch';

/** PE(pos, 2i) = sin(pos / base^(2i/d)), PE(pos, 2i+1) = cos(the same angle). */
export function sinusoidalTable(maxLen: number, d: number, base = 10000): Tensor {
  const pe = new Float32Array(maxLen * d); // (maxLen, d), row-major
  for (let pos = 0; pos < maxLen; pos++) {
    for (let i = 0; i < d / 2; i++) {
      const angle = pos / Math.pow(base, (2 * i) / d); // pair i turns slower as i grows
      pe[pos * d + 2 * i] = Math.sin(angle);
      pe[pos * d + 2 * i + 1] = Math.cos(angle);
    }
  }
  return new Tensor(pe, [maxLen, d]);
}
