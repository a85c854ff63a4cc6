// Reference solution of topological-sort (chapter 1, section "How backward works").

/** Depth-first post-order from the root, each node once, reversed: root first, leaves last. */
export function topologicalSort<T>(root: T, inputsOf: (node: T) => readonly T[]): T[] {
  const order: T[] = [];
  const seen = new Set<T>();
  const visit = (node: T): void => {
    if (seen.has(node)) return; // reached before, along another path
    seen.add(node);
    for (const input of inputsOf(node)) visit(input);
    order.push(node); // after all its inputs
  };
  visit(root);
  return order.reverse();
}
