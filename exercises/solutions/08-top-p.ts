// Reference solution of top-p (chapter 8, section "The strategies").

/** Keeps the most likely tokens up to and including the one whose cumulative probability reaches p. */
export function topPFilter(logits: Float64Array, p: number): Float64Array {
  if (p >= 1) return logits;
  const V = logits.length;
  // softmax with the max subtracted: p_i = exp(z_i - m) / Σ_j exp(z_j - m)
  const m = Math.max(...logits);
  const e = logits.map((z) => Math.exp(z - m));
  const total = e.reduce((a, b) => a + b, 0);
  const probs = e.map((x) => x / total);
  // ids from most to least likely, lower id first on ties
  const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => probs[b] - probs[a] || a - b);
  const out = Float64Array.from(logits);
  let sum = 0;
  let kept = 0;
  while (kept < V && (kept === 0 || sum < p)) sum += probs[order[kept++]]; // the crossing token is kept
  for (let r = kept; r < V; r++) out[order[r]] = -Infinity;
  return out;
}
