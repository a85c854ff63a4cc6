// Chapter 1 exercises on the graph itself: summing a broadcast gradient back to its input's shape,
// and the order backward walks the graph (docs/01-tensors-and-autograd.md).

import { Tensor } from '../../tensor/tensor.js';
import { Rng } from '../../tensor/rng.js';
import type { ExerciseSpec } from '../spec.js';
import { gradcheckStep, randn } from '../helpers.js';
import { lossFallsAsReference, trainTiny } from '../tiny-train.js';
import {
  chainGraph,
  acceptOrder,
  gradsOfSmallGraph,
  inputsOfGraph,
  type NamedGraph,
} from './ch01-helpers.js';

export const sumToShape: ExerciseSpec = {
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

export const topologicalSort: ExerciseSpec = {
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
