// The ring all-reduce (Patarasuk & Yuan, 2009; what PyTorch DDP (Li et al., 2020) runs over NCCL
// or gloo): x is cut into N chunks; in N - 1 reduce-scatter steps each rank adds its left
// neighbour's partial sum of one chunk to its own, so rank r ends with the full sum of chunk r;
// in N - 1 all-gather steps each rank copies the finished chunk its left neighbour just got.
// Every rank moves 2 (N-1)/N of x whatever N is: the cost per rank stays flat as ranks are added.
//
// Here "sending" is the right neighbour reading our buffer in shared memory, so each step is:
// wait until the left neighbour has finished the previous step, then read its buffer. A buffer of
// `capacity` floats holds one piece of each of the N chunks (slot c: chunk c), so x of any size is
// reduced in pieces, and chunk r of the whole of x is still the one rank r owns.

import { exercisable } from '../exercises/registry.js';

/** What the ring needs of a group member (group.ts's Group). */
export interface RingMember {
  readonly rank: number;
  readonly size: number;
  readonly capacity: number;
  /** buffers[q]: rank q's collective buffer. */
  readonly buffers: Float32Array[];
  /** Stages this rank has completed. */
  readonly stage: number;
  advance(): void;
  waitProgress(q: number, stage: number): void;
  beginWrite(): void;
}

export type RingMode = 'all-reduce' | 'reduce-scatter' | 'all-gather';

declare module '../exercises/registry.js' {
  interface ExercisableFunctions {
    /** Exercise 'zero-shard-range' (chapter 18): chunk c of n floats cut into N, [lo, hi). */
    chunkRange(n: number, N: number, c: number): [number, number];
  }
}

/** Chunk c of an array of n floats cut into N chunks: [lo, hi), the last ones possibly shorter. */
export function ringChunkRange(n: number, N: number, c: number): [number, number] {
  const len = Math.ceil(n / N);
  return [Math.min(n, c * len), Math.min(n, (c + 1) * len)];
}

/** The chunk rank c owns (ZeRO-1's shard, the reduce-scatter's result): ringChunkRange, exercisable. */
export const chunkRange = exercisable('chunkRange', ringChunkRange);

const mod = (a: number, n: number) => ((a % n) + n) % n;

/** The plain reference: every rank's x summed, then divided by `divide` (1: the sum). */
export function sumThenDivide(xs: readonly Float32Array[], divide = 1): Float32Array {
  const out = new Float32Array(xs[0].length);
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (const x of xs) s += x[i];
    out[i] = s / divide;
  }
  return out;
}

export function ringAllReduce(g: RingMember, x: Float32Array, mode: RingMode): void {
  const N = g.size;
  const r = g.rank;
  const left = mod(r - 1, N);
  const n = x.length;
  const chunk = Math.ceil(n / N);
  const slotSize = Math.floor(g.capacity / N);
  const mine = g.buffers[r];
  const theirs = g.buffers[left];
  // Piece o..o+len of chunk c, as a view of x, and as slot c of a buffer.
  const part = (c: number, o: number, len: number) => {
    const lo = Math.min(n, c * chunk + o);
    return x.subarray(lo, Math.min(n, lo + len, (c + 1) * chunk));
  };
  const slot = (buf: Float32Array, c: number, len: number) => buf.subarray(c * slotSize, c * slotSize + len);

  for (let o = 0; o < chunk; o += slotSize) {
    const len = Math.min(slotSize, chunk - o);
    // Copy in: all chunks to reduce them, only our own to gather it.
    g.beginWrite();
    for (let c = 0; c < N; c++) {
      if (mode === 'all-gather' && c !== r) continue;
      const p = part(c, o, len);
      slot(mine, c, p.length).set(p);
    }
    g.advance();
    if (mode !== 'all-gather') {
      // Reduce-scatter. Step s: add the left neighbour's partial sum of chunk (r - s - 2) mod N,
      // the chunk it finished at step s - 1 (at step 0: its own value of that chunk).
      for (let s = 0; s < N - 1; s++) {
        const c = mod(r - s - 2, N);
        const m = part(c, o, len).length;
        g.waitProgress(left, g.stage);
        const a = slot(mine, c, m);
        const b = slot(theirs, c, m);
        for (let i = 0; i < m; i++) a[i] += b[i];
        g.advance();
      }
    }
    if (mode !== 'reduce-scatter') {
      // All-gather. Step s: copy chunk (r - s - 1) mod N, which the left neighbour completed at
      // step s - 1 (at step 0: its own chunk, r - 1).
      for (let s = 0; s < N - 1; s++) {
        const c = mod(r - s - 1, N);
        const m = part(c, o, len).length;
        g.waitProgress(left, g.stage);
        slot(mine, c, m).set(slot(theirs, c, m));
        g.advance();
      }
    }
    // Copy out: our reduced chunk after a reduce-scatter, everything otherwise.
    for (let c = 0; c < N; c++) {
      if (mode === 'reduce-scatter' && c !== r) continue;
      const p = part(c, o, len);
      p.set(slot(mine, c, p.length));
    }
  }
}
