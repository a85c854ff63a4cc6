// Reference solution of head-scores (chapter 14, section "What each head does").

const mean = (xs: number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Entropy, normalised entropy, previous-token, sink and local scores of a causal (T, T) pattern. */
export function attentionStats(A: readonly (readonly number[])[]): {
  entropy: number;
  entropyNormalised: number;
  previous: number;
  sink: number;
  local: number;
} {
  const [ent, entN, prev, sink, local]: number[][] = [[], [], [], [], []];
  for (let i = 1; i < A.length; i++) {
    let h = 0;
    for (let j = 0; j <= i; j++) if (A[i][j] > 0) h -= A[i][j] * Math.log(A[i][j]);
    ent.push(h);
    entN.push(h / Math.log(i + 1));
    prev.push(A[i][i - 1]);
    sink.push(A[i][0]);
    if (i > 3) local.push(A[i][i - 3] + A[i][i - 2] + A[i][i - 1] + A[i][i]);
  }
  return {
    entropy: mean(ent),
    entropyNormalised: mean(entN),
    previous: mean(prev),
    sink: mean(sink),
    local: mean(local),
  };
}
