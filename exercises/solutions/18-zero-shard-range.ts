// Reference solution of zero-shard-range (chapter 18, section "ZeRO-1: sharding the optimizer state").

/** Chunk c of n floats cut into N: [lo, hi), every chunk ceil(n / N) long but clipped to n. */
export function chunkRange(n: number, N: number, c: number): [number, number] {
  const L = Math.ceil(n / N);
  return [Math.min(n, c * L), Math.min(n, (c + 1) * L)];
}
