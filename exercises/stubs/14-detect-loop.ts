// Exercise detect-loop (chapter 14, section "Finding the loop").
// Check it with: llmfs exercise check detect-loop

/**
 * The loop that `seq` (token ids, or the characters of a string) ends in. A loop of period p is a
 * stretch at the end where every element equals the one p before it, x[i] = x[i - p], holding at
 * least two whole periods and at least `minTokens` elements. Return the smallest such period, where
 * the stretch starts, and its whole cycles (floor(length / p)); null when the sequence ends in no
 * loop.
 */
export function detectLoop(
  seq: ArrayLike<unknown>,
  minTokens = 8,
): { period: number; start: number; cycles: number } | null {
  // TODO: for p = 1, 2, ..., count the elements at the end that equal the one p before them.
  throw new Error('not implemented yet');
}
