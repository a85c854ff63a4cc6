// Reference solution of alibi-slopes (chapter 15, section "ALiBi").

/** m_h = 2^(-8h/m) for h = 1..m, m a power of two. */
const powerOfTwoSlopes = (m: number): number[] =>
  Array.from({ length: m }, (_, h) => 2 ** ((-8 * (h + 1)) / m));

/** The n heads' slopes: p = the largest power of two <= n, then every other slope of 2p's. */
export function alibiSlopes(n: number): number[] {
  const p = 2 ** Math.floor(Math.log2(n));
  if (p === n) return powerOfTwoSlopes(n);
  const extra = powerOfTwoSlopes(2 * p).filter((_, h) => h % 2 === 0); // 2^(-8·1/2p), 2^(-8·3/2p), ...
  return [...powerOfTwoSlopes(p), ...extra.slice(0, n - p)];
}
