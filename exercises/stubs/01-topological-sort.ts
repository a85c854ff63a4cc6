// Exercise topological-sort (chapter 1, section "How backward works").
// Check it with: llmfs exercise check topological-sort

/**
 * The order backward walks the graph: every node under `root`, root first, each node before all
 * the nodes it depends on (a reverse topological order).
 *
 * `inputsOf(node)` gives a node's inputs in order (for a tensor: the inputs of the op that made
 * it that need a gradient; a leaf has none). The checker uses small graphs of named nodes
 * ('loss', 'h', 'W', ...); backward uses tensors. Use the depth-first order, so gradients are
 * added in the same order as the library's:
 *
 *     visit(n): if n was seen, stop; mark n seen; visit each input of n in order; append n
 *     order = visit(root), then reversed
 *
 * A node reached along two paths (a diamond, or x in x*x) must appear once.
 */
export function topologicalSort<T>(root: T, inputsOf: (node: T) => readonly T[]): T[] {
  // TODO: return the nodes in reverse topological order, root first.
  throw new Error('not implemented yet');
}
