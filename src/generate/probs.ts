// Turning a row of logits into a distribution and reading it: softmax, log-softmax, argmax,
// entropy H(p) = -Σ p log p (in nats), and the n most likely ids. Float64 throughout, on one
// row of V values; -Infinity logits (tokens a processor removed) get probability exactly 0.

/** Index of the largest value (the first one on ties, like torch.argmax). */
export function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}

/** log Σ exp(x), computed as m + log Σ exp(x - m) so large logits do not overflow. */
export function logSumExp(x: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] > m) m = x[i];
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.exp(x[i] - m);
  return m + Math.log(s);
}

/** p_i = exp(x_i) / Σ_j exp(x_j) */
export function softmax(x: ArrayLike<number>): Float64Array {
  const lse = logSumExp(x);
  const p = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) p[i] = Math.exp(x[i] - lse);
  return p;
}

/** log p_i = x_i - log Σ_j exp(x_j) */
export function logSoftmax(x: ArrayLike<number>): Float64Array {
  const lse = logSumExp(x);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] - lse;
  return out;
}

/** Shannon entropy in nats; 0 for a one-hot distribution, log V for a uniform one. */
export function entropy(p: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) h -= p[i] * Math.log(p[i]);
  return h;
}

/** The n ids with the largest values, largest first (lower id first on ties). */
export function topIds(x: ArrayLike<number>, n: number): number[] {
  n = Math.max(0, Math.min(n, x.length));
  if (n === 0) return []; // (the loop below would read x[best[-1]] for every i: slow, ~2 ms on V = 50257)
  if (n > 64) {
    const ids = Array.from({ length: x.length }, (_, i) => i);
    ids.sort((a, b) => x[b] - x[a] || a - b);
    return ids.slice(0, n);
  }
  // Small n: one pass keeping a sorted list of the best n (O(V·n), no V-long sort).
  const best: number[] = [];
  for (let i = 0; i < x.length; i++) {
    if (best.length === n && !(x[i] > x[best[n - 1]])) continue;
    let j = best.length;
    while (j > 0 && x[i] > x[best[j - 1]]) j--;
    best.splice(j, 0, i);
    if (best.length > n) best.pop();
  }
  return best;
}
