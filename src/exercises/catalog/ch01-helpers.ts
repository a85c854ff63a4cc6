// Chapter 1's checking helpers: a tiny tanh MLP that must learn with the learner's backward inside,
// small named graphs for the topological sort (nodes are strings, so the cases print readably),
// and the comparison of an order against the depth-first one.

import { Tensor } from '../../tensor/tensor.js';
import { Rng } from '../../tensor/rng.js';
import { noGrad } from '../../tensor/autograd.js';
import { withReferences } from '../registry.js';
import type { StepOutcome } from '../spec.js';
import { randn } from '../helpers.js';

/** A graph by name: each node's inputs, in order (absent: a leaf). */
export type NamedGraph = Record<string, readonly string[]>;

/** The `inputsOf` of a named graph, for topologicalSort(root, inputsOf). */
export const inputsOfGraph =
  (g: NamedGraph) =>
  (node: string): readonly string[] =>
    g[node] ?? [];

/** A chain n0 <- n1 <- ... <- n(len-1): node k's only input is node k-1. */
export function chainGraph(len: number): NamedGraph {
  const g: NamedGraph = {};
  for (let k = 1; k < len; k++) g[`n${k}`] = [`n${k - 1}`];
  return g;
}

/** Why `got` is not the depth-first reverse topological order `want` (same graph), or null. */
export function diagnoseOrder(got: unknown, want: unknown, g: NamedGraph): string | null {
  if (!Array.isArray(got) || !Array.isArray(want)) return null;
  const counts = new Map<unknown, number>();
  for (const n of got) counts.set(n, (counts.get(n) ?? 0) + 1);
  for (const [n, c] of counts)
    if (c > 1)
      return (
        `${JSON.stringify(n)} appears ${c} times in your order: a node reached along two paths ` +
        '(a diamond, or x used twice as in x*x) must be listed once; keep a set of visited nodes'
      );
  const missing = want.find((n) => !counts.has(n));
  if (missing !== undefined)
    return `${JSON.stringify(missing)} is missing from your order (every node under the root, leaves too)`;
  const extra = got.find((n) => !want.includes(n));
  if (extra !== undefined) return `${JSON.stringify(extra)} is not in the graph under the root`;
  const pos = new Map(got.map((n, i) => [n, i]));
  for (const n of got)
    for (const input of g[n as string] ?? [])
      if (pos.get(input)! < pos.get(n)!)
        return (
          `${JSON.stringify(input)} comes before ${JSON.stringify(n)}, which uses it: in reverse ` +
          'topological order every node comes before its inputs (did you forget to reverse?)'
        );
  return null; // a valid reverse topological order
}

/** Any valid reverse topological order passes (depth-first, Kahn's, ...): only the order's rules count. */
export function acceptOrder(
  got: unknown,
  want: unknown,
  g: NamedGraph,
): { passed: boolean; message?: string } {
  const problem = diagnoseOrder(got, want, g);
  if (problem) return { passed: false, message: problem };
  if (!Array.isArray(got)) return { passed: false, message: 'your function should return an array of nodes' };
  return { passed: true };
}

/**
 * The integration step of topological-sort: gradients of a small graph with shared nodes (a
 * diamond, x used twice, a weight used by two layers) through backward with the learner's sort,
 * compared with the reference's.
 */
export function gradsOfSmallGraph(): StepOutcome {
  const run = (): Tensor[] => {
    const rng = new Rng(5);
    const x = randn(rng, [3, 4], { dtype: 'float64', requiresGrad: true }); // (3, 4)
    const w = randn(rng, [4, 4], { dtype: 'float64', requiresGrad: true }); // (4, 4)
    const b = randn(rng, [4], { dtype: 'float64', requiresGrad: true }); // (4)
    const h = x.matmul(w).add(b).tanh(); // (3, 4)
    const h2 = h.matmul(w).mul(h).add(h); // w used twice, h three times: diamonds
    const loss = h2.mul(h2).sum().add(x.mul(x).sum()); // x * x: one input twice
    loss.backward();
    return [x.grad!, w.grad!, b.grad!];
  };
  const mine = run();
  const ref = withReferences(run);
  let max = 0;
  for (let k = 0; k < ref.length; k++)
    for (let i = 0; i < ref[k]!.size; i++) {
      const d = Math.abs(mine[k]!.data[i]! - ref[k]!.data[i]!);
      max = Number.isNaN(d) ? Infinity : Math.max(max, d);
    }
  // Another valid order adds the same gradients in another order: equal up to float64 rounding.
  const ok = Number.isFinite(max) && max <= 1e-9;
  return {
    passed: ok,
    maxAbsDiff: max,
    message: ok
      ? "backward through your order gives the reference's gradients of x, W and b " +
        `(max |Δ| ${max.toExponential(2)})`
      : `backward through your order gives different gradients (max |Δ| ${max.toExponential(2)}): ` +
        "a node's " +
        'backward ran before all the gradient flowing into it had been added',
  };
}

/**
 * The integration step of tanh-backward: a 2-layer tanh MLP fits sin(3x) on [-1, 1] for 60 steps
 * of plain gradient descent; with the learner's backward its loss must fall as with the library's.
 */
export function tanhMlpLearns(): StepOutcome {
  const run = (): number[] => {
    const rng = new Rng(11);
    const n = 32;
    const xs = new Float32Array(n).map((_, i) => -1 + (2 * i) / (n - 1));
    const x = new Tensor(xs, [n, 1]); // (N, 1)
    const y = new Tensor(
      xs.map((v) => Math.sin(3 * v)),
      [n, 1],
    ); // (N, 1)
    const w1 = randn(rng, [1, 16], { requiresGrad: true }); // (1, H)
    const b1 = randn(rng, [16], { scale: 0.1, requiresGrad: true }); // (H)
    const w2 = randn(rng, [16, 1], { scale: 0.25, requiresGrad: true }); // (H, 1)
    const params = [w1, b1, w2];
    const losses: number[] = [];
    for (let step = 0; step < 60; step++) {
      const pred = x.matmul(w1).add(b1).tanh().matmul(w2); // (N, 1)
      const loss = pred.sub(y).pow(2).mean();
      losses.push(loss.item());
      loss.backward();
      noGrad(() => {
        for (const p of params) {
          for (let i = 0; i < p.size; i++) p.data[i] -= 0.2 * p.grad!.data[i]!;
          p.zeroGrad();
        }
      });
    }
    return losses;
  };
  const mine = run();
  const ref = withReferences(run);
  const [m0, m1] = [mine[0]!, mine[mine.length - 1]!];
  const [r0, r1] = [ref[0]!, ref[ref.length - 1]!];
  const ok = Number.isFinite(m1) && m1 <= r1 * 1.1 + 1e-3;
  return {
    passed: ok,
    maxAbsDiff: Math.abs(m1 - r1),
    message: ok
      ? `a tanh MLP's loss ${m0.toFixed(4)} -> ${m1.toFixed(4)} in 60 steps ` +
        `(reference ${r0.toFixed(4)} -> ${r1.toFixed(4)})`
      : `with your backward inside, a tanh MLP's loss went ${m0.toFixed(4)} -> ${m1.toFixed(4)} ` +
        'in 60 steps; ' +
        `with the reference it falls ${r0.toFixed(4)} -> ${r1.toFixed(4)}`,
  };
}

/** Same shape and every value within 1e-4 relative. */
export const near = (x: Tensor, y: Tensor): boolean =>
  x.shape.join() === y.shape.join() &&
  x.data.every((v, i) => Math.abs(v - y.data[i]!) <= 1e-4 * (1 + Math.abs(y.data[i]!)));
