// Exercise patch-positions-2d (chapter 17, section "The model and the training").
// Check it with: llmfs exercise check patch-positions-2d

import type { Tensor } from 'llm-from-scratch';

/**
 * The factorised 2-D position table of a ViT: row (Hp, D) and col (Wp, D) learned vectors, and
 * the [CLS] token's own vector cls (1, D) or null. Patch n = i·Wp + j (grid row i, column j,
 * patches row by row) gets row_i + col_j, so Hp + Wp vectors place Hp·Wp patches. Returns (T, D):
 * [CLS] first when there is one, then the Hp·Wp patches. Use tensor ops (reshape, add, cat), so
 * the gradient reaches all three tables.
 */
export function factorisedPositions(row: Tensor, col: Tensor, cls: Tensor | null): Tensor {
  // TODO: broadcast (Hp, 1, D) + (1, Wp, D), flatten row by row, put [CLS] in front.
  throw new Error('not implemented yet');
}
