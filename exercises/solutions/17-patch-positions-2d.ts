// Reference solution of patch-positions-2d (chapter 17, section "The model and the training").

import { cat, type Tensor } from 'llm-from-scratch';

/** pos(i, j) = row_i + col_j for patch n = i·Wp + j; the [CLS] vector first. (T, D). */
export function factorisedPositions(row: Tensor, col: Tensor, cls: Tensor | null): Tensor {
  const [hp, D] = row.shape as [number, number];
  const wp = col.shape[0]!;
  const grid = row.reshape(hp, 1, D).add(col.reshape(1, wp, D)); // (Hp, Wp, D) by broadcasting
  const patches = grid.reshape(hp * wp, D); // (N, D), row by row
  return cls ? cat([cls, patches], 0) : patches;
}
