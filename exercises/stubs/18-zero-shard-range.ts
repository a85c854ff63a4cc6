// Exercise zero-shard-range (chapter 18, section "ZeRO-1: sharding the optimizer state").
// Check it with: llmfs exercise check zero-shard-range

/**
 * ZeRO stage 1 (Rajbhandari et al., 2020): the parameters laid end to end are n floats; rank c of
 * N owns one chunk of them, keeps AdamW's m and v for that chunk only, and updates it. The chunk
 * must be the one the ring's reduce-scatter leaves fully summed on rank c: every chunk is
 * ceil(n / N) long, the last ones shorter or even empty. Return the half-open range [lo, hi).
 * The library calls this for its ring, its ZeRO-1 optimizer and its memory report.
 */
export function chunkRange(n: number, N: number, c: number): [number, number] {
  // TODO: the length of every chunk, then where chunk c starts and ends (never past n).
  throw new Error('not implemented yet');
}
