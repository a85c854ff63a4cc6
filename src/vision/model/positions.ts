// Learned position embeddings for patch tokens (ViT, Dosovitskiy et al., 2021, eq. 1, E_pos, and
// appendix D.4). 'learned' (1-D): one vector per token, the paper's default, which it found as good
// as its 2-D kinds. 'learned-2d' (factorised): a row vector plus a column vector, pos(i, j) = row_i +
// col_j, so Hp + Wp vectors describe Hp·Wp patches; the [CLS] token has its own vector `cls`. (The
// paper's 2-D variant concatenates an X and a Y embedding of D/2 each; adding full-width ones is the
// factorised form later models such as NaViT use. Both know a patch's row and column, not its index.)
import type { Tensor } from '../../tensor/tensor.js';
import { zeros } from '../../tensor/creation.js';
import { cat } from '../../tensor/ops/layout.js';
import { Module } from '../../nn/module.js';
import { Parameter } from '../../nn/parameter.js';
import * as init from '../../nn/init.js';
import type { ViTPositions } from './vit-config.js';
import { exercisable } from '../../exercises/registry.js';

declare module '../../exercises/registry.js' {
  interface ExercisableFunctions {
    /** Exercise 'patch-positions-2d' (chapter 17): pos(i, j) = row_i + col_j, row by row, [CLS] first. */
    factorisedPositions(row: Tensor, col: Tensor, cls: Tensor | null): Tensor;
  }
}

/**
 * The factorised 2-D table: row (Hp, D), col (Wp, D), cls (1, D) or null -> (T, D), T = Hp·Wp
 * (+1): patch n = i·Wp + j gets row_i + col_j; the [CLS] vector, if any, comes first.
 */
export const factorisedPositions = exercisable(
  'factorisedPositions',
  (row: Tensor, col: Tensor, cls: Tensor | null): Tensor => {
    const [hp, D] = row.shape;
    const wp = col.shape[0];
    // (Hp, 1, D) + (1, Wp, D) -> (Hp, Wp, D): pos(i, j) = row_i + col_j, patches row by row
    const grid = row.reshape(hp, 1, D).add(col.reshape(1, wp, D));
    const patches = grid.reshape(hp * wp, D); // (N, D)
    return cls ? cat([cls, patches], 0) : patches; // (T, D)
  },
);

/** A (rows, D) table drawn N(0, 0.02²), as ViT implementations start positions; not weight-decayed. */
function table(rows: number, D: number): Parameter {
  return new Parameter(init.normal(zeros([rows, D]), 0, 0.02), { noDecay: true });
}

export class PatchPositions extends Module {
  /** 1-D: (T, D), one row per token, [CLS] first when present. */
  weight: Parameter | null = null;
  /** 2-D: (Hp, D) row vectors, (Wp, D) column vectors, and (1, D) for the [CLS] token. */
  row: Parameter | null = null;
  col: Parameter | null = null;
  cls: Parameter | null = null;

  constructor(
    readonly kind: ViTPositions,
    readonly hp: number,
    readonly wp: number,
    readonly withCls: boolean,
    readonly dModel: number,
  ) {
    super();
    if (kind === 'learned') {
      this.weight = table(hp * wp + (withCls ? 1 : 0), dModel);
    } else {
      this.row = table(hp, dModel);
      this.col = table(wp, dModel);
      this.cls = withCls ? table(1, dModel) : null;
    }
  }

  /** The position vectors of all tokens, (T, D) with T = N (+1 for [CLS], first). */
  forward(): Tensor {
    if (this.weight) return this.weight; // (T, D)
    return factorisedPositions(this.row!, this.col!, this.cls); // (T, D)
  }
}
