// Reference solution of detect-loop (chapter 14, section "Finding the loop").

/** The smallest period p with run ≥ p and run + p ≥ minTokens at the end of seq, or null. */
export function detectLoop(
  seq: ArrayLike<unknown>,
  minTokens = 8,
): { period: number; start: number; cycles: number } | null {
  const N = seq.length;
  for (let p = 1; 2 * p <= N; p++) {
    // run: how many elements at the end equal the one p before them.
    let run = 0;
    while (run < N - p && seq[N - 1 - run] === seq[N - 1 - run - p]) run++;
    const span = run + p; // the run and the p elements it copies
    if (run >= p && span >= minTokens) return { period: p, start: N - span, cycles: Math.floor(span / p) };
  }
  return null;
}
