// Reference solution of unigram-entropy (chapter 19, section "Train").

/** The entropy in nats of the token frequencies. */
export function unigramEntropy(ids: ArrayLike<number>, V: number): number {
  const n = ids.length;
  if (n === 0) return 0;
  const counts = new Float64Array(V);
  for (let i = 0; i < n; i++) counts[ids[i]]++;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / n) * Math.log(c / n); // 0 · log 0 = 0
  return h;
}
