// Chapter 1 exercises on softmax: the numerically stable forward and its backward
// (docs/01-tensors-and-autograd.md).

import { Tensor } from '../../tensor/tensor.js';
import { Rng } from '../../tensor/rng.js';
import { noGrad } from '../../tensor/autograd.js';
import { softmax } from '../../tensor/ops/softmax.js';
import type { ExerciseSpec } from '../spec.js';
import { gradcheckStep, randn } from '../helpers.js';
import { lossFallsAsReference, trainTiny } from '../tiny-train.js';
import { near } from './ch01-helpers.js';

export const softmaxEx: ExerciseSpec = {
  id: 'softmax',
  chapter: 1,
  section: 'Kernels and backends',
  title: 'Softmax, numerically stable',
  exportName: 'softmax',
  slot: 'softmax',
  differentiable: true,
  topics: ['autograd'],
  hints: [
    'softmax(x)_i = exp(x_i) / Σ_j exp(x_j) along `axis`; build it from tensor ops and autograd does ' +
      'the backward.',
    'exp(1000) overflows to Infinity and Infinity / Infinity is NaN. softmax(x) = softmax(x − c) for ' +
      'any c: take c = the max along the axis.',
    'const e = x.sub(x.max(axis, true)).exp(); return e.div(e.sum(axis, true));',
  ],
  cases: (rng) => [
    { name: 'rows (3, 5), last axis', args: [randn(rng, [3, 5]), -1] },
    { name: 'size 1', args: [randn(rng, [1, 1]), -1] },
    { name: 'large logits (±1000)', args: [randn(rng, [2, 4], { scale: 1000 }), -1] },
    { name: 'along axis 0 of (4, 3)', args: [randn(rng, [4, 3]), 0] },
    {
      name: 'masked logits (-Infinity) as in causal attention',
      args: [new Tensor(Float32Array.from([0.5, -Infinity, 1, -Infinity, 2, 3]), [2, 3]), -1],
    },
  ],
  diagnose(got, _want, c) {
    const [x, axis] = c.args as [Tensor, number];
    if (!(got instanceof Tensor) || got.shape.join() !== x.shape.join() || x.ndim < 2) return null;
    const sums = noGrad(() => got.sum(axis === 0 ? -1 : 0));
    if (sums.data.every((v) => Math.abs(v - 1) < 1e-4))
      return `your output sums to 1 along the wrong axis: normalise along axis ${axis}`;
    return null;
  },
  extra: [
    gradcheckStep(
      'finite differences through your softmax',
      (x) => x.softmax(-1),
      () => [randn(new Rng(3), [3, 4], { dtype: 'float64', requiresGrad: true })],
    ),
    {
      kind: 'integration',
      name: 'tiny GPT trains 40 steps (unfused attention, dropout 0.1: attention weights use softmax)',
      run: () => lossFallsAsReference(() => trainTiny({ dropout: 0.1 })),
    },
  ],
};

/** y = softmax(x) along the last axis and an upstream gradient: softmaxBackward's arguments. */
function softmaxArgs(rng: Rng, shape: number[], scale = 1): [Tensor, Tensor] {
  return [softmax(randn(rng, shape, { scale }), -1), randn(rng, shape)];
}

export const softmaxBackward: ExerciseSpec = {
  id: 'softmax-backward',
  chapter: 1,
  section: 'Kernels and backends',
  title: 'The backward of softmax',
  exportName: 'softmaxBackward',
  slot: 'softmaxBackward',
  topics: ['autograd'],
  hints: [
    'Every output y_i depends on every input x_j: dy_i/dx_j = y_i (δ_ij − y_j). Multiply by dL/dy and ' +
      'sum over i.',
    'That gives dx_j = y_j (dy_j − Σ_i dy_i y_i): one dot product per row, along the last axis (keep ' +
      'it with keepdim).',
    'return y.mul(grad.sub(grad.mul(y).sum(-1, true)));',
  ],
  cases: (rng) => [
    { name: 'rows (3, 5)', args: softmaxArgs(rng, [3, 5]) },
    { name: 'size 1 (a row of one: gradient 0)', args: softmaxArgs(rng, [1, 1]) },
    { name: 'odd shape (2, 3, 7)', args: softmaxArgs(rng, [2, 3, 7]) },
    { name: 'peaked rows (logits ±20)', args: softmaxArgs(rng, [4, 6], 20) },
  ],
  diagnose(got, _want, c) {
    const [y, g] = c.args as [Tensor, Tensor];
    if (!(got instanceof Tensor)) return null;
    const plain = noGrad(() => y.mul(g));
    if (near(got, plain))
      return 'you returned y ⊙ dy: the − Σ dy ⊙ y term is missing (every y_j depends on every x_i)';
    const wholeSum = noGrad(() => y.mul(g.sub(g.mul(y).sum())));
    if (near(got, wholeSum))
      return 'take the Σ dy ⊙ y row by row (along the last axis, keepdim), not over the whole tensor';
    return null;
  },
  extra: [
    gradcheckStep(
      'finite differences through softmax (last axis and axis 0)',
      (x) => x.softmax(-1).add(x.softmax(0)),
      () => [randn(new Rng(3), [3, 4], { dtype: 'float64', requiresGrad: true })],
    ),
    {
      kind: 'integration',
      name: 'tiny GPT trains 40 steps (unfused attention, dropout 0.1: attention weights use softmax)',
      run: () => lossFallsAsReference(() => trainTiny({ dropout: 0.1 })),
    },
  ],
};
