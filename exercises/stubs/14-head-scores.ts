// Exercise head-scores (chapter 14, section "What each head does").
// Check it with: llmfs exercise check head-scores

/**
 * One attention head's causal pattern A (T rows; row i is a distribution over keys 0..i, zeros
 * after) as numbers, each a mean over the query rows i = 1..T-1 (row 0 can only look at key 0):
 *   entropy            -Σ_{j<=i} A[i][j] log A[i][j] in nats (0 · log 0 = 0)
 *   entropyNormalised  the same, each row's divided by log(i + 1) first (1 = uniform)
 *   previous           A[i][i-1]            sink   A[i][0]
 *   local              A[i][i-3] + ... + A[i][i], over rows i = 4..T-1 only (NaN if none)
 */
export function attentionStats(A: readonly (readonly number[])[]): {
  entropy: number;
  entropyNormalised: number;
  previous: number;
  sink: number;
  local: number;
} {
  // TODO: one pass over the rows i = 1..T-1, collecting each score, then the means.
  throw new Error('not implemented yet');
}
