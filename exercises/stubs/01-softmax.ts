// Exercise softmax (chapter 1, section "Kernels and backends").
// Check it with: llmfs exercise check softmax

import type { Tensor } from 'llm-from-scratch';

/**
 * Softmax of x along `axis` (-1 is the last), numerically stable:
 *
 *     softmax(x)_i = exp(x_i) / Σ_j exp(x_j)        (sums over `axis`)
 *
 * Build it from tensor ops (sub, exp, sum, div, max, ...) so autograd differentiates it for you.
 * It must not overflow: exp(1000) is Infinity. Masked entries are -Infinity and must give 0.
 * The result has x's shape, e.g. (B, nh, T, T) attention scores -> weights.
 */
export function softmax(x: Tensor, axis: number): Tensor {
  // TODO: return the softmax of x along axis.
  throw new Error('not implemented yet');
}
