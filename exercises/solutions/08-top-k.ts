// Reference solution of top-k (chapter 8, section "The strategies").

/** Everything below the k-th largest logit becomes -Infinity; ties with it stay. */
export function topKFilter(logits: Float64Array, k: number): Float64Array {
  if (k >= logits.length) return logits;
  const kth = [...logits].sort((a, b) => b - a)[k - 1]; // the k-th largest value
  return logits.map((z) => (z < kth ? -Infinity : z));
}
