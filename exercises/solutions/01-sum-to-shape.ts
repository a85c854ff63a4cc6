// Reference solution of sum-to-shape (chapter 1, section "Broadcasting and matmul in reverse").

import type { Tensor } from 'llm-from-scratch';

/** g summed over the axes that broadcasting added or repeated, reshaped to `shape`. */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  const lead = g.ndim - shape.length; // axes broadcasting added in front
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  if (axes.length === 0) return g;
  return g.sum(axes, true).reshape(...shape);
}
