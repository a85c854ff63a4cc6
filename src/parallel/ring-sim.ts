// The ring all-reduce of ring.ts (Patarasuk & Yuan, 2009; PyTorch DDP, Li et al., 2020) simulated
// in one thread, step by step: N - 1 reduce-scatter steps, then N - 1 all-gather steps, each rank
// reading its left neighbour's buffer as it was before the step. Chunks are ring.ts's, so rank r
// ends the reduce-scatter owning chunk r (ringChunkRange), the shard ZeRO-1 updates.

import { exercisable } from '../exercises/registry.js';
import { ringChunkRange } from './ring.js';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /**
     * Exercise 'ring-all-reduce' (chapter 18): xs[r] (n,) is rank r's array; returns the ranks'
     * buffers before the ring and after each of its 2 (N - 1) steps: (2N - 1) × N arrays of (n,).
     */
    ringAllReduceSteps(xs: readonly Float32Array[]): Float32Array[][];
  }
}

const mod = (a: number, n: number) => ((a % n) + n) % n;

/** states[0]: copies of xs; states[k]: every rank's buffer after step k (1..2(N-1)). */
function ringSteps(xs: readonly Float32Array[]): Float32Array[][] {
  const N = xs.length;
  const n = xs[0]?.length ?? 0;
  let bufs = xs.map((x) => Float32Array.from(x));
  const states = [bufs.map((b) => b.slice())];
  const step = (chunkOf: (r: number) => number, reduce: boolean) => {
    const before = bufs.map((b) => b.slice()); // what each left neighbour holds before the step
    bufs = bufs.map((b, r) => {
      const [lo, hi] = ringChunkRange(n, N, chunkOf(r));
      const left = before[mod(r - 1, N)]!;
      for (let i = lo; i < hi; i++) b[i] = reduce ? b[i]! + left[i]! : left[i]!;
      return b;
    });
    states.push(bufs.map((b) => b.slice()));
  };
  // Reduce-scatter, step s: add the left neighbour's partial sum of chunk (r - s - 2) mod N.
  for (let s = 0; s < N - 1; s++) step((r) => mod(r - s - 2, N), true);
  // All-gather, step s: copy chunk (r - s - 1) mod N, which the left neighbour has complete.
  for (let s = 0; s < N - 1; s++) step((r) => mod(r - s - 1, N), false);
  return states;
}

/** Every rank's buffer before and after each step of the ring all-reduce (sums, not averages). */
export const ringAllReduceSteps = exercisable('ringAllReduceSteps', ringSteps);
