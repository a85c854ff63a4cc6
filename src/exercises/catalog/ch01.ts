// Chapter 1 exercises: tensors and autograd (docs/01-tensors-and-autograd.md).

import { Tensor } from '../../tensor/tensor.js';
import { Rng } from '../../tensor/rng.js';
import { noGrad } from '../../tensor/autograd.js';
import { sumToShape as reduceTo } from '../../tensor/ops/broadcast.js';
import type { CheckCase, ExerciseSpec } from '../spec.js';
import { gradcheckStep, randn } from '../helpers.js';
import { lossFallsAsReference, trainTiny } from '../tiny-train.js';
import { near, tanhMlpLearns } from './ch01-helpers.js';
import { sumToShape, topologicalSort } from './ch01-graph.js';
import { softmaxEx, softmaxBackward } from './ch01-softmax.js';

/** [dA, dB] summed to the shapes of the case's A and B, as the op does with any backward's result. */
function sumGradsToInputs(out: unknown, c: CheckCase): unknown {
  const [a, b] = c.args as [Tensor, Tensor];
  if (!Array.isArray(out) || out.length !== 2) return out;
  const fit = (g: unknown, like: Tensor) =>
    g instanceof Tensor && g.size >= like.size && g.ndim >= like.ndim ? reduceTo(g, like.shape) : g;
  return [fit(out[0], a), fit(out[1], b)];
}

const mulBackward: ExerciseSpec = {
  id: 'mul-backward',
  chapter: 1,
  section: 'How backward works',
  title: 'The backward of elementwise multiplication',
  exportName: 'mulBackward',
  slot: 'mulBackward',
  topics: ['autograd'],
  // The op sums each gradient to its input's shape: either form (broadcast or summed) is right.
  normalize: sumGradsToInputs,
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

/** Whether every element of x is within 1e-4 (relative) of y's. */

/** x, tanh(x) and an upstream gradient: the arguments of tanhBackward. */
function tanhArgs(rng: Rng, shape: number[], scale = 1): [Tensor, Tensor, Tensor] {
  const x = randn(rng, shape, { scale, requiresGrad: true });
  return [x, noGrad(() => x.tanh()), randn(rng, shape)];
}

const tanhBackward: ExerciseSpec = {
  id: 'tanh-backward',
  chapter: 1,
  section: 'How backward works',
  title: 'The backward of tanh',
  exportName: 'tanhBackward',
  slot: 'tanhBackward',
  topics: ['autograd'],
  hints: [
    'd/dx tanh(x) = 1 − tanh(x)², and the chain rule multiplies the local derivative by the upstream ' +
      'gradient.',
    'The forward already computed y = tanh(x) and saved it: use y, not x, so nothing is recomputed.',
    'return grad.mul(y.mul(y).neg().add(1));  // dy · (1 − y²)',
  ],
  cases: (rng) => [
    { name: 'matrix (3, 5)', args: tanhArgs(rng, [3, 5]) },
    { name: 'size 1', args: tanhArgs(rng, [1]) },
    { name: 'odd shape (2, 3, 7)', args: tanhArgs(rng, [2, 3, 7]) },
    { name: 'saturated (|x| up to 20): gradient ≈ 0', args: tanhArgs(rng, [9], 10) },
  ],
  diagnose(got, _want, c) {
    const [x, y, g] = c.args as [Tensor, Tensor, Tensor];
    if (!(got instanceof Tensor)) return null;
    const local = noGrad(() => y.mul(y).neg().add(1));
    if (
      near(
        got,
        noGrad(() => g.mul(x.mul(x).neg().add(1))),
      )
    )
      return 'you used x where the formula needs y = tanh(x): dx = dy · (1 − y²), y the saved output';
    if (near(got, local))
      return 'you returned the local derivative 1 − y² alone: multiply it by the upstream gradient';
    return null;
  },
  extra: [
    gradcheckStep(
      'finite differences through tanh',
      (x) => x.tanh(),
      () => [randn(new Rng(3), [2, 5], { dtype: 'float64', requiresGrad: true })],
    ),
    {
      kind: 'integration',
      name: 'a tanh MLP learns sin(3x) in 60 steps',
      run: tanhMlpLearns,
      timeLimitMs: 4000,
    },
  ],
};

const matmulBackward: ExerciseSpec = {
  id: 'matmul-backward',
  chapter: 1,
  section: 'Broadcasting and matmul in reverse',
  title: 'The backward of matrix multiplication',
  exportName: 'matmulBackward',
  slot: 'matmulBackward',
  topics: ['autograd'],
  hints: [
    'For C = A B, C[i, j] = Σ_k A[i, k] B[k, j]: A[i, k] meets every B[k, j] of row k, ' +
      'weighted by dC[i, j].',
    'So dA = dC Bᵀ and dB = Aᵀ dC; transpose only the last two axes, the batch axes broadcast in matmul.',
    'return [grad.matmul(b.transpose(-2, -1)), a.transpose(-2, -1).matmul(grad)];',
  ],
  cases(rng) {
    const mk = (aShape: number[], bShape: number[], gShape: number[]) => [
      randn(rng, aShape, { requiresGrad: true }),
      randn(rng, bShape, { requiresGrad: true }),
      randn(rng, gShape),
    ];
    return [
      { name: 'matrices (3, 4) @ (4, 2)', args: mk([3, 4], [4, 2], [3, 2]) },
      { name: 'size 1: (1, 1) @ (1, 1)', args: mk([1, 1], [1, 1], [1, 1]) },
      { name: 'square (5, 5) @ (5, 5) (a transpose cannot hide)', args: mk([5, 5], [5, 5], [5, 5]) },
      { name: 'batch (2, 3, 4) @ (2, 4, 5)', args: mk([2, 3, 4], [2, 4, 5], [2, 3, 5]) },
      { name: 'broadcast batch (4, 3, 5) @ (5, 2)', args: mk([4, 3, 5], [5, 2], [4, 3, 2]) },
    ];
  },
  // The op sums each gradient to its input's shape: either form (broadcast or summed) is right.
  normalize: sumGradsToInputs,
  diagnose(got, want, c) {
    const g = got as [Tensor | null, Tensor | null];
    const w = want as [Tensor, Tensor];
    const [a, b] = c.args as [Tensor, Tensor];
    if (!Array.isArray(g) || !(g[0] instanceof Tensor) || !(g[1] instanceof Tensor)) return null;
    if (g[0].shape.join() !== w[0].shape.join() || g[1].shape.join() !== w[1].shape.join())
      return `dA should have A's shape (${a.shape.join(', ')}) and dB B's (${b.shape.join(', ')})`;
    return null;
  },
  extra: [
    gradcheckStep(
      'finite differences through a batched, broadcast matmul',
      (a, b) => a.matmul(b),
      () => {
        const rng = new Rng(3);
        return [
          randn(rng, [2, 3, 4], { dtype: 'float64', requiresGrad: true }),
          randn(rng, [4, 2], { dtype: 'float64', requiresGrad: true }),
        ];
      },
    ),
    {
      kind: 'integration',
      name: 'tiny GPT trains 40 steps (unfused attention, dropout 0.1: Q Kᵀ and weights·V use matmul)',
      run: () => lossFallsAsReference(() => trainTiny({ dropout: 0.1 })),
    },
  ],
};

export const chapter1: ExerciseSpec[] = [
  mulBackward,
  tanhBackward,
  matmulBackward,
  softmaxEx,
  softmaxBackward,
  sumToShape,
  topologicalSort,
];
