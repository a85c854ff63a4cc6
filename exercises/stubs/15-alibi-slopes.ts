// Exercise alibi-slopes (chapter 15, section "ALiBi").
// Check it with: llmfs exercise check alibi-slopes

/**
 * ALiBi's slopes for n heads, head 0 first (Press et al., 2022, "Train Short, Test Long"). Head h
 * adds -m_h · (i - j) to its attention scores. For n a power of two the slopes are the geometric
 * sequence m_h = 2^(-8h/n), h = 1..n (n = 8: 1/2, 1/4, ..., 1/256). For any other n: the slopes of
 * p, the largest power of two below n, then the first n - p of every other slope of the sequence
 * for 2p heads (its 1st, 3rd, 5th, ...).
 */
export function alibiSlopes(n: number): number[] {
  // TODO: a helper for the powers of two, then the rule for the rest.
  throw new Error('not implemented yet');
}
