// Exercise sinusoidal-table (chapter 3, section
// 'Sinusoidal positions ("Attention Is All You Need", section 3.5)').
// Check it with: llmfs exercise check sinusoidal-table

import type { Tensor } from 'llm-from-scratch';

/**
 * The fixed (maxLen, d) table of sinusoidal position encodings ("Attention Is All You Need",
 * section 3.5), d even. Row pos, channel pair i (channels 2i and 2i+1):
 *
 *     PE(pos, 2i)   = sin(pos / base^(2i/d))
 *     PE(pos, 2i+1) = cos(pos / base^(2i/d))        (base = 10000 in the paper)
 *
 * Return it as a Tensor of shape (maxLen, d), e.g. new Tensor(new Float32Array(maxLen * d), [maxLen, d]).
 */
export function sinusoidalTable(maxLen: number, d: number, base = 10000): Tensor {
  // TODO: fill the (maxLen, d) table.
  throw new Error('not implemented yet');
}
