// Chapter 1 exercises: tensors and autograd (docs/01-tensors-and-autograd.md).

import { Tensor } from '../../tensor/tensor.js';
import { Rng } from '../../tensor/rng.js';
import { noGrad } from '../../tensor/autograd.js';
import { softmax } from '../../tensor/ops/softmax.js';
import { sumToShape as reduceTo } from '../../tensor/ops/broadcast.js';
import type { CheckCase, ExerciseSpec } from '../spec.js';
import { gradcheckStep, randn } from '../helpers.js';
import { lossFallsAsReference, trainTiny } from '../tiny-train.js';
import {
  chainGraph,
  acceptOrder,
  gradsOfSmallGraph,
  inputsOfGraph,
  tanhMlpLearns,
  type NamedGraph,
} from './ch01-helpers.js';

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
const near = (x: Tensor, y: Tensor): boolean =>
  x.shape.join() === y.shape.join() &&
  x.data.every((v, i) => Math.abs(v - y.data[i]!) <= 1e-4 * (1 + Math.abs(y.data[i]!)));

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

const softmaxEx: ExerciseSpec = {
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

const softmaxBackward: ExerciseSpec = {
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

const sumToShape: ExerciseSpec = {
  id: 'sum-to-shape',
  chapter: 1,
  section: 'Broadcasting and matmul in reverse',
  title: 'Sum a broadcast gradient back to an input’s shape',
  exportName: 'sumToShape',
  slot: 'sumToShape',
  topics: ['autograd'],
  hints: [
    'Broadcasting aligns shapes at the right: the extra leading axes of g, and every axis where ' +
      '`shape` has 1 but g does not, were broadcast.',
    'One input value fed every copy along those axes, so its gradient is the sum over them: ' +
      'g.sum(axes, true) keeps them as size 1.',
    'Sum the leading axes and the size-1 axes with keepdim, then .reshape(...shape).',
  ],
  cases: (rng) => [
    { name: 'same shape (2, 3): returned as is', args: [randn(rng, [2, 3]), [2, 3]] },
    { name: 'leading axes (2, 3, 4) -> (4)', args: [randn(rng, [2, 3, 4]), [4]] },
    { name: 'size-1 axis (2, 3, 4) -> (3, 1)', args: [randn(rng, [2, 3, 4]), [3, 1]] },
    { name: 'both (5, 2, 3) -> (1, 3)', args: [randn(rng, [5, 2, 3]), [1, 3]] },
    { name: 'to a scalar (2, 3) -> ()', args: [randn(rng, [2, 3]), []] },
    { name: 'size 1 (1) -> (1)', args: [randn(rng, [1]), [1]] },
  ],
  diagnose(got, want) {
    if (!(got instanceof Tensor) || !(want instanceof Tensor)) return null;
    if (got.shape.join() !== want.shape.join() && got.size === want.size)
      return (
        `your values may be right but the shape is (${got.shape.join(', ')}): ` +
        `reshape to (${want.shape.join(', ')})`
      );
    if (got.shape.join() !== want.shape.join())
      return 'sum over every broadcast axis: the extra leading ones and those where the input has size 1';
    return null;
  },
  extra: [
    gradcheckStep(
      'finite differences through a broadcast add and mul',
      (a, b) => a.add(b).mul(b),
      () => {
        const rng = new Rng(3);
        return [
          randn(rng, [2, 1, 3], { dtype: 'float64', requiresGrad: true }),
          randn(rng, [4, 1], { dtype: 'float64', requiresGrad: true }),
        ];
      },
    ),
    {
      kind: 'integration',
      name: 'tiny GPT trains 40 steps (every bias and broadcast op sums through yours)',
      run: () => lossFallsAsReference(() => trainTiny()),
    },
  ],
};

/** A diamond: loss uses b and c, both use a. */
const DIAMOND: NamedGraph = { loss: ['b', 'c'], b: ['a'], c: ['a'] };
/** An MLP-like graph: W used by two layers, h used twice (h*h), x a leaf used twice. */
const MLP_GRAPH: NamedGraph = {
  loss: ['sq', 'reg'],
  sq: ['h2', 'h2'],
  h2: ['h1', 'W'],
  h1: ['x', 'W'],
  reg: ['W', 'x'],
};

const topologicalSort: ExerciseSpec = {
  id: 'topological-sort',
  chapter: 1,
  section: 'How backward works',
  title: 'The order backward walks the graph',
  exportName: 'topologicalSort',
  slot: 'topologicalSort',
  topics: ['autograd'],
  hints: [
    'Backward may run a node only after every node that uses it has added its gradient: a reverse ' +
      'topological order.',
    'Depth-first: visit the inputs of a node (in order) first, then append the node itself ' +
      '(post-order); reverse at the end. Keep a Set of visited nodes so a node reached twice is ' +
      'listed once.',
    'const order = [], seen = new Set(); const visit = (n) => { if (seen.has(n)) return; seen.add(n); ' +
      'for (const c of inputsOf(n)) visit(c); order.push(n); }; visit(root); return order.reverse();',
  ],
  cases: () => [
    { name: 'a chain n3 <- n2 <- n1 <- n0', args: ['n3', inputsOfGraph(chainGraph(4))] },
    { name: 'a single node', args: ['x', inputsOfGraph({})] },
    { name: 'a diamond (a feeds b and c)', args: ['loss', inputsOfGraph(DIAMOND)] },
    { name: 'shared weight, x*x (one input twice)', args: ['loss', inputsOfGraph(MLP_GRAPH)] },
    { name: 'a long chain (3000 nodes)', args: ['n2999', inputsOfGraph(chainGraph(3000))] },
  ],
  accept(got, want, c) {
    const root = c.args[0] as string;
    const graph = root === 'loss' ? (c.name.includes('diamond') ? DIAMOND : MLP_GRAPH) : chainGraph(3000);
    return acceptOrder(got, want, graph);
  },
  extra: [
    {
      kind: 'integration',
      name: 'backward of a small graph with shared nodes gives the same gradients',
      run: gradsOfSmallGraph,
    },
    {
      kind: 'integration',
      name: 'tiny GPT trains 40 steps (every backward sorts with yours)',
      run: () => lossFallsAsReference(() => trainTiny()),
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
