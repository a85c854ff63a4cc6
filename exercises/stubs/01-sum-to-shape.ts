// Exercise sum-to-shape (chapter 1, section "Broadcasting and matmul in reverse").
// Check it with: llmfs exercise check sum-to-shape

import type { Tensor } from 'llm-from-scratch';

/**
 * Sums a broadcast gradient back down to the shape of the input that was broadcast.
 *
 * An input of shape `shape` was broadcast (shapes align at the right; a size-1 axis repeats, and
 * missing leading axes are added) to g's shape, e.g. a bias (C) added to (B, T, C). Each of its
 * values fed every copy, so its gradient is g summed over the broadcast axes:
 *
 *     the leading g.ndim − shape.length axes, and every axis where shape has 1 and g does not
 *
 * Return a tensor of exactly `shape` (g itself when the shapes are equal). Use g.sum(axes, true)
 * and reshape, or loops; do not call the library's sumToShape (it would call yours).
 */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  // TODO: return g summed over the broadcast axes, with shape `shape`.
  throw new Error('not implemented yet');
}
