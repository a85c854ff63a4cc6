// Reference solution of magnitude-mask (chapter 13, section "Magnitude pruning").

/** 0 for the round(s·n) smallest |w| over all arrays (ties in order), 1 for the rest. */
export function smallestMask(arrays: Float32Array[], sparsity: number): Uint8Array[] {
  const all: { mag: number; a: number; i: number }[] = [];
  arrays.forEach((x, a) => x.forEach((v, i) => all.push({ mag: Math.abs(v), a, i })));
  // Sort by magnitude, ties by position: the first k entries are the ones to prune.
  all.sort((p, q) => p.mag - q.mag || p.a - q.a || p.i - q.i);
  const masks = arrays.map((x) => new Uint8Array(x.length).fill(1));
  const k = Math.round(sparsity * all.length);
  for (const { a, i } of all.slice(0, k)) masks[a][i] = 0;
  return masks;
}
