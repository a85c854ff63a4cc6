// Chapter 1 exercises: tensors and autograd (docs/01-tensors-and-autograd.md).

import type { Tensor } from '../../tensor/tensor.js';
import { Rng } from '../../tensor/rng.js';
import type { ExerciseSpec } from '../spec.js';
import { gradcheckStep, randn } from '../helpers.js';

const mulBackward: ExerciseSpec = {
  id: 'mul-backward',
  chapter: 1,
  section: 'How backward works',
  title: 'The backward of elementwise multiplication',
  exportName: 'mulBackward',
  slot: 'mulBackward',
  topics: ['autograd'],
  hints: [
    'out = a ⊙ b, so a small change in a[i] changes out[i] by b[i] times as much: dL/da = dL/dout ⊙ b.',
    'Both gradients are in the broadcast shape, the same as `grad`; the op sums them back to a and b.',
    'return [grad.mul(b), grad.mul(a)];',
  ],
  cases: (rng) => [
    {
      name: 'same shape (3, 5)',
      args: [
        randn(rng, [3, 5], { requiresGrad: true }),
        randn(rng, [3, 5], { requiresGrad: true }),
        randn(rng, [3, 5]),
      ],
    },
    {
      name: 'size 1',
      args: [
        randn(rng, [1], { requiresGrad: true }),
        randn(rng, [1], { requiresGrad: true }),
        randn(rng, [1]),
      ],
    },
    {
      name: 'broadcast (2, 3, 4) by (4)',
      args: [
        randn(rng, [2, 3, 4], { requiresGrad: true }),
        randn(rng, [4], { requiresGrad: true }),
        randn(rng, [2, 3, 4]),
      ],
    },
    {
      name: 'large values (±1e4)',
      args: [
        randn(rng, [7], { scale: 1e4, requiresGrad: true }),
        randn(rng, [7], { scale: 1e4, requiresGrad: true }),
        randn(rng, [7]),
      ],
      tolerance: { atol: 1e-2, rtol: 1e-4 },
    },
  ],
  diagnose(got, want) {
    const g = got as [Tensor | null, Tensor | null];
    const w = want as [Tensor, Tensor];
    if (Array.isArray(g) && g[0] && g[1] && w[0] && g[0].shape.join() === w[0].shape.join()) {
      const close = (x: Tensor, y: Tensor) =>
        x.data.every((v, i) => Math.abs(v - y.data[i]!) <= 1e-4 * (1 + Math.abs(y.data[i]!)));
      if (close(g[0], w[1]) && close(g[1], w[0]))
        return 'the two gradients are swapped: dL/da multiplies grad by b, not a';
    }
    return null;
  },
  extra: [
    gradcheckStep(
      'finite differences through a·b (broadcast)',
      (a, b) => a.mul(b),
      () => {
        const rng = new Rng(3);
        return [
          randn(rng, [2, 3], { dtype: 'float64', requiresGrad: true }),
          randn(rng, [3], { dtype: 'float64', requiresGrad: true }),
        ];
      },
    ),
  ],
};

export const chapter1: ExerciseSpec[] = [mulBackward];
