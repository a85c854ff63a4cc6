// Reference solution of min-p (chapter 19, section "Next token").

/** Removes every token less likely than pMin times the most likely one. */
export function minPFilter(logits: Float64Array, pMin: number): Float64Array {
  if (pMin === 0) return logits;
  // softmax with the max subtracted: p_i = exp(z_i - m) / Σ_j exp(z_j - m)
  const m = Math.max(...logits);
  const e = logits.map((z) => Math.exp(z - m));
  const total = e.reduce((a, b) => a + b, 0);
  const probs = e.map((x) => x / total);
  const cut = pMin * Math.max(...probs);
  const out = Float64Array.from(logits);
  for (let i = 0; i < out.length; i++) if (probs[i] < cut) out[i] = -Infinity;
  return out;
}
