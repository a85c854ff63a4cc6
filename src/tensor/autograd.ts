// Define-by-run reverse-mode automatic differentiation. Every op that produces a tensor from
// inputs that require gradients records a Node: its inputs and a backward function mapping the
// output's gradient to the inputs' gradients (the vector-Jacobian product). backward() walks the
// recorded graph in reverse topological order (Baydin et al., "Automatic differentiation in
// machine learning: a survey", 2018), accumulating into `.grad` of the leaves.

import type { Tensor, Node } from './tensor-core.js';
import { noGrad } from './grad-mode.js';
import { LlmfsError } from '../errors.js';
import { fmtShape, sameShape } from './shape.js';
import { exercisable } from '../exercises/registry.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'topological-sort' (chapter 1): the nodes of the graph under `root` in reverse
     * topological order (root first, every node before its inputs), depth-first with inputs in the
     * order `inputsOf` gives them, each node once.
     */
    topologicalSort<T>(root: T, inputsOf: (node: T) => readonly T[]): T[];
  }
}

export type { Node } from './tensor-core.js';
export { isGradEnabled, noGrad } from './grad-mode.js';

/**
 * Reverse topological order of the graph under `root`: every node before the nodes it depends on
 * (`inputsOf`), root first. Depth-first, inputs in order, each node once, iteratively (graphs can
 * be deep). Generic over the node type, so exercise 'topological-sort' can check it on small named
 * graphs; backward sorts tensors with it, through the registry.
 */
const topologicalSort = exercisable(
  'topologicalSort',
  <T>(root: T, inputsOf: (node: T) => readonly T[]): T[] => {
    const order: T[] = [];
    const visited = new Set<T>();
    const stack: [T, readonly T[], number][] = [[root, inputsOf(root), 0]];
    visited.add(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const [t, inputs, i] = top;
      if (i < inputs.length) {
        top[2] = i + 1;
        const child = inputs[i];
        if (!visited.has(child)) {
          visited.add(child);
          stack.push([child, inputsOf(child), 0]);
        }
      } else {
        order.push(t);
        stack.pop();
      }
    }
    return order.reverse();
  },
);

const NO_INPUTS: readonly Tensor[] = [];

/** The inputs of `t`'s op that need a gradient (the edges backward walks). */
function gradInputs(t: Tensor): readonly Tensor[] {
  if (!t.node) return NO_INPUTS;
  const inputs = t.node.inputs;
  return inputs.every((x) => x.requiresGrad) ? inputs : inputs.filter((x) => x.requiresGrad);
}

/** A node whose graph was released after backward: walking through it again is an error. */
function freed(op: string): Node {
  return {
    op,
    inputs: [],
    backward: () => {
      throw new LlmfsError(
        `backward: the graph through '${op}' was already freed by an earlier backward; ` +
          'pass { retainGraph: true } to the first backward to call it twice',
      );
    },
  };
}

export interface BackwardOptions {
  /** Keep the graph so backward can be called again through it (default false). */
  retainGraph?: boolean;
}

/**
 * Backpropagates from `root`. `grad` is dL/d(root); it may be omitted only for a scalar root,
 * where it is 1. Leaf tensors with requiresGrad accumulate into `.grad` (adding to what is there).
 */
export function runBackward(root: Tensor, grad: Tensor | undefined, opts: BackwardOptions = {}): void {
  if (!root.requiresGrad) {
    throw new LlmfsError(
      'backward: this tensor does not require grad (no input of the graph has requiresGrad set)',
    );
  }
  if (grad === undefined) {
    if (root.size !== 1) {
      throw new LlmfsError(
        `backward: called on a non-scalar tensor of shape ${fmtShape(root.shape)} without a gradient; ` +
          'pass the upstream gradient of the same shape, or reduce to a scalar first (e.g. .sum())',
      );
    }
    grad = root.onesLike();
  } else if (!sameShape(grad.shape, root.shape)) {
    throw new LlmfsError(
      `backward: gradient shape ${fmtShape(grad.shape)} does not match tensor shape ${fmtShape(root.shape)}`,
    );
  }
  const order = topologicalSort(root, gradInputs);
  const grads = new Map<Tensor, Tensor>();
  grads.set(root, grad);
  noGrad(() => {
    for (const t of order) {
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t); // release intermediate gradients as soon as they are used
      const node = t.node;
      if (!node) {
        t.accumulateGrad(g);
        continue;
      }
      if (t.retainsGrad) t.accumulateGrad(g);
      const inputGrads = node.backward(g);
      for (let i = 0; i < node.inputs.length; i++) {
        const input = node.inputs[i];
        const ig = inputGrads[i];
        if (!ig || !input.requiresGrad) continue;
        if (!sameShape(ig.shape, input.shape)) {
          throw new Error(
            `internal: ${node.op} backward gave shape ${fmtShape(ig.shape)} for input ` +
              `${fmtShape(input.shape)}`,
          );
        }
        const prev = grads.get(input);
        grads.set(input, prev ? prev.add(ig) : ig);
      }
      if (!opts.retainGraph) t.node = freed(node.op);
    }
  });
}
