// Exercise ring-all-reduce (chapter 18, section "Data parallel and the all-reduce").
// Check it with: llmfs exercise check ring-all-reduce

/**
 * The ring all-reduce (Patarasuk & Yuan, 2009; what PyTorch DDP, Li et al., 2020, runs through
 * NCCL or gloo), simulated in one thread. xs[r] (n,) is rank r's array, N = xs.length ranks.
 * Cut the n floats into N chunks, chunk c = [c·L, (c+1)·L) clipped to n, L = ceil(n / N). Every
 * step, each rank r reads its LEFT neighbour (r - 1 mod N) as it was before the step:
 *
 *   reduce-scatter, s = 0..N-2:  rank r adds the left neighbour's chunk (r - s - 2) mod N
 *                                (afterwards rank r holds the full sum of chunk r)
 *   all-gather,     s = 0..N-2:  rank r copies the left neighbour's chunk (r - s - 1) mod N
 *
 * Return the states: states[0] = copies of xs, states[k] = every rank's buffer after step k, so
 * 2N - 1 lists of N Float32Arrays (n,). The last holds the sum on every rank (not the average).
 * Leave xs as it is.
 */
export function ringAllReduceSteps(xs: readonly Float32Array[]): Float32Array[][] {
  // TODO: copy the buffers; 2 (N - 1) steps, each reading the buffers as they were before it.
  throw new Error('not implemented yet');
}
