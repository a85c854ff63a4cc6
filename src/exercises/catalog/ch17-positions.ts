// Chapter 17's patch-positions-2d exercise: the factorised 2-D position table of a ViT, pos(i, j) =
// row_i + col_j for the patch in grid row i and column j (the additive form of ViT's 2-D variant,
// Dosovitskiy et al., 2021, appendix D.4; as in NaViT, Dehghani et al., 2023), with the [CLS]
// token's own vector first. Checked on seeded tables, by finite differences, and in a tiny ViT.

import type { ExerciseSpec } from '../spec.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Rng } from '../../tensor/rng.js';
import '../../vision/model/positions.js'; // registers factorisedPositions
import { factorisedPositions } from '../../vision/model/positions.js';
import { gradcheckStep, randn } from '../helpers.js';
import { maxDiff, vitStep } from './ch17-helpers.js';

/** [row (Hp, D), col (Wp, D), cls (1, D) or null], float64. */
const tables = (rng: Rng, hp: number, wp: number, D: number, withCls: boolean): unknown[] => [
  randn(rng, [hp, D], { dtype: 'float64' }),
  randn(rng, [wp, D], { dtype: 'float64' }),
  withCls ? randn(rng, [1, D], { dtype: 'float64' }) : null,
];

type Mistake = 'column-major' | 'cls-last';

/** The table a common mistake builds, (T, D) data. */
function variant(row: Tensor, col: Tensor, cls: Tensor | null, mistake: Mistake): Float64Array {
  const [hp, D] = row.shape as [number, number];
  const wp = col.shape[0]!;
  const N = hp * wp;
  const out = new Float64Array((N + (cls ? 1 : 0)) * D);
  const first = cls && mistake !== 'cls-last' ? 1 : 0;
  for (let i = 0; i < hp; i++)
    for (let j = 0; j < wp; j++) {
      const n = mistake === 'column-major' ? j * hp + i : i * wp + j;
      for (let d = 0; d < D; d++) out[(first + n) * D + d] = row.data[i * D + d]! + col.data[j * D + d]!;
    }
  if (cls) out.set(cls.data, mistake === 'cls-last' ? N * D : 0);
  return out;
}

export const positionsSpec: ExerciseSpec = {
  id: 'patch-positions-2d',
  chapter: 17,
  section: 'The model and the training',
  title: 'Factorised 2-D positions for patch tokens: pos(i, j) = row_i + col_j, the [CLS] vector first',
  exportName: 'factorisedPositions',
  slot: 'factorisedPositions',
  pureInputs: true,
  differentiable: true,
  topics: ['positions', 'model'],
  compare:
    "The ViT paper's 1-D table (one learned vector per token) is what timm and Hugging Face ViTModel " +
    'use; its 2-D variant concatenates an X and a Y embedding of D/2 each. NaViT and many later models ' +
    'add full-width row and column vectors as here, so Hp + Wp vectors cover Hp·Wp patches and other ' +
    'grid shapes; SigLIP and CLIP keep 1-D tables and interpolate them in 2-D for a new resolution.',
  hints: [
    'Patches go row by row: patch n = i·Wp + j sits in grid row i and column j, and its position ' +
      'vector is row[i] + col[j] (each of width D). With a [CLS] vector the table has Hp·Wp + 1 rows, ' +
      '[CLS] first; without, Hp·Wp.',
    'Broadcasting builds the grid in one add: row (Hp, D) as (Hp, 1, D) plus col (Wp, D) as (1, Wp, D) ' +
      'is (Hp, Wp, D); reshape it to (Hp·Wp, D), row by row. Then cat([cls, patches], 0) when cls is ' +
      'not null. Tensor ops only, so the gradient reaches row, col and cls.',
    'const [hp, D] = row.shape; const grid = row.reshape(hp, 1, D).add(col.reshape(1, col.shape[0], ' +
      'D)).reshape(hp * col.shape[0], D); return cls ? cat([cls, grid], 0) : grid  (cat from ' +
      "'llm-from-scratch')",
  ],
  tolerance: { atol: 1e-12, rtol: 1e-9 },
  cases: (rng) => [
    { name: 'a 2x3 grid, D = 4, with [CLS]', args: tables(rng, 2, 3, 4, true) },
    { name: 'a 3x2 grid, D = 4, no [CLS] (mean pooling)', args: tables(rng, 3, 2, 4, false) },
    { name: 'one patch, D = 2, with [CLS]', args: tables(rng, 1, 1, 2, true) },
    { name: 'the default ViT: 3x3 patches of a 48x48 scene, D = 8', args: tables(rng, 3, 3, 8, true) },
    { name: 'a column of patches, 4x1, D = 3', args: tables(rng, 4, 1, 3, false) },
    { name: 'a row of patches, 1x5, D = 6, with [CLS]', args: tables(rng, 1, 5, 6, true) },
    { name: 'a 2x7 grid, D = 5', args: tables(rng, 2, 7, 5, false) },
  ],
  diagnose(got, _want, c) {
    const [row, col, cls] = c.args as [Tensor, Tensor, Tensor | null];
    if (!(got instanceof Tensor)) return 'return a Tensor (T, D)';
    const [hp, D] = row.shape as [number, number];
    const N = hp * col.shape[0]!;
    const T = N + (cls ? 1 : 0);
    if (got.shape.length === 2 && got.shape[0] === T && got.shape[1] === 2 * D)
      return 'add the row and column vectors (width D), rather than concatenating them (width 2D)';
    if (cls && got.shape[0] === N)
      return 'the [CLS] vector is a row of the table too: T = Hp·Wp + 1, [CLS] first';
    if (got.shape.join() !== [T, D].join()) return `the table is (T, D) = (${T}, ${D})`;
    const is = (m: Mistake) => maxDiff(got.data, variant(row, col, cls, m)) < 1e-9;
    if (cls && is('cls-last')) return 'the [CLS] vector comes first (token 0), before the patches';
    if (is('column-major'))
      return 'patches go row by row: patch n = i·Wp + j gets row_i + col_j (yours go down the columns)';
    return null;
  },
  extra: [
    gradcheckStep(
      'the gradient reaches row, col and [CLS] (finite differences)',
      (row, col, cls) => factorisedPositions(row!, col!, cls!).mul(factorisedPositions(row!, col!, cls!)),
      () =>
        [2, 3, 1].map(
          (n, k) =>
            new Tensor(
              Float64Array.from({ length: n * 3 }, (_, i) => Math.cos(i + k)),
              [n, 3],
              true,
            ),
        ),
    ),
    vitStep('cls', 'position table'),
  ],
};
