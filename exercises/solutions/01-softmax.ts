// Reference solution of softmax (chapter 1, section "Kernels and backends").

import type { Tensor } from 'llm-from-scratch';

/** Softmax along `axis`: subtracting the row maximum first changes nothing but keeps exp finite. */
export function softmax(x: Tensor, axis: number): Tensor {
  const shifted = x.sub(x.max(axis, true)); // every entry <= 0, the largest exactly 0
  const e = shifted.exp(); // in (0, 1]
  return e.div(e.sum(axis, true)); // each slice along axis sums to 1
}
