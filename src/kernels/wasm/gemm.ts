// The wasm gemm behind Backend.gemm: copy op(A), op(B) (and C when accumulating) into wasm
// memory unless they already live there (zero-copy storage), O(n²) next to the O(n³) multiply;
// run the blocked SIMD kernel on one thread or split C into row or column slabs across the
// pool; copy C back. A few rows of A (generation) take the unpacked gemv kernels instead.
// Float64 goes to the reference loop, and so does a gemm whose copies the wasm memory cannot hold.

import type { GemmArgs } from '../backend.js';
import { gemm as jsGemm } from '../js/gemm.js';
import type { KernelExports } from './module.js';
import { HeapFull, type WasmHeap } from './heap.js';
import { GEMM_KERNEL, type GemmJob, type Slabs, type ThreadPool } from '../threads/pool.js';

/** Below this many multiply-adds the copies and the call cost more than the plain loop. */
const MIN_WASM_MACS = 2048;
/** Below this many multiply-adds waking a worker costs more than it saves. */
const MIN_THREAD_MACS = 1 << 20;
/**
 * A gemv streams its weight from memory once: split across threads from this many weights
 * (a 2 MiB weight, ~100 µs on one thread), where two cores' memory streams beat one.
 */
const MIN_GEMV_THREAD_WEIGHTS = 1 << 19;
/**
 * Up to this many weights (1 MiB, a core's L2 here) gemvT reads four rows of B side by side
 * (gemvT4: fewer loads, fastest when B is in cache: cpu-small's c_attn at 31-43 GFLOP/s against 24
 * one row at a time); above it, one row after the other (one stream from memory: 2x as fast
 * there). Always below MIN_GEMV_THREAD_WEIGHTS: the threads' slabs run gemvT.
 */
const CACHED_GEMV_WEIGHTS = 1 << 18;
const NR = 8; // micro-tile columns (assembly/micro.ts): slabs are cut on tile edges
/**
 * Up to this many rows of A the unpacked kernels (assembly/gemv.ts) beat packing B, whose cost
 * is spread over only M rows (bench/kernels.ts, 'gemv' rows): 8-10x faster at M = 1; against a
 * transposed B (packed with strided reads) still 1.5x at M = 8, against a plain one even at 4.
 */
export const GEMV_MAX_M = { transB: 8, plain: 4 };

export interface GemmContext {
  kernels: KernelExports;
  heap: WasmHeap;
  /** The calling thread's gemmWorkspaceBytes() of scratch (each worker has its own). */
  workspace: number;
  pool: ThreadPool | null;
}

export function wasmGemm(ctx: GemmContext, p: GemmArgs, threads = Infinity, maxGemvRows?: number): void {
  const { M, N, K, a, b, c } = p;
  if (
    !(a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array) ||
    M * N * K < MIN_WASM_MACS
  ) {
    jsGemm(p);
    return;
  }
  const { heap, kernels } = ctx;
  const mark = heap.mark();
  try {
    let aPtr: number, bPtr: number, cPtr: number;
    try {
      aPtr = heap.input(a, p.aOffset, M * K);
      bPtr = heap.input(b, p.bOffset, K * N);
      cPtr = p.accumulate ? heap.input(c, p.cOffset, M * N) : heap.output(c, p.cOffset, M * N);
    } catch (err) {
      if (!(err instanceof HeapFull)) throw err;
      jsGemm(p); // nothing written yet: the reference loop gives the same numbers
      return;
    }
    // op(A)(i, k) at a + 4 (i rsA + k csA); A stored (K, M) when transposed.
    const job: GemmJob = {
      M,
      N,
      K,
      a: aPtr,
      rsA: p.transA ? 1 : K,
      csA: p.transA ? M : 1,
      b: bPtr,
      rsB: p.transB ? 1 : N,
      csB: p.transB ? K : 1,
      c: cPtr,
      ldc: N,
      work: ctx.workspace,
      acc: p.accumulate ? 1 : 0,
    };
    const n = Math.min(threads, ctx.pool ? ctx.pool.size : 1);
    const gemvT = M <= (maxGemvRows ?? GEMV_MAX_M.transB) && p.transB && job.csA === 1;
    if (gemvT || (M <= (maxGemvRows ?? GEMV_MAX_M.plain) && !p.transB)) {
      // (j.b, j.c: the slab's first column of B and of C; ldb = K for Bᵀ, N for B)
      // a weight that fits in cache: four rows side by side; from memory: one stream (gemv.ts)
      const gemvTk = N * K <= CACHED_GEMV_WEIGHTS ? kernels.gemvT4 : kernels.gemvT;
      const run = gemvT
        ? (j: GemmJob) => gemvTk(j.M, j.N, j.K, j.a, j.rsA, j.b, K, j.c, N, j.acc)
        : (j: GemmJob) => kernels.gemvN(j.M, j.N, j.K, j.a, j.rsA, j.csA, j.b, N, j.c, N, j.acc);
      if (n > 1 && ctx.pool && N * K >= MIN_GEMV_THREAD_WEIGHTS) {
        const kernel = gemvT ? GEMM_KERNEL.gemvT : GEMM_KERNEL.gemvN;
        ctx.pool.run(job, gemvSlabs(N, n), n, run, kernel);
      } else run(job);
      heap.copyOut(cPtr, c, p.cOffset, M * N);
      return;
    }
    const run = (j: GemmJob) =>
      kernels.gemm(j.M, j.N, j.K, j.a, j.rsA, j.csA, j.b, j.rsB, j.csB, j.c, j.ldc, j.work, j.acc);
    if (n > 1 && ctx.pool && M * N * K >= MIN_THREAD_MACS)
      ctx.pool.run(job, slabs(job, n, kernels.gemmTileRows()), n, run);
    else run(job);
    heap.copyOut(cPtr, c, p.cOffset, M * N);
  } finally {
    heap.release(mark);
  }
}

/**
 * Cuts a gemv's N columns into about 4 slabs per thread, in multiples of 16 (the kernels' widest
 * column step), so a thread slowed by other work delays little.
 */
export function gemvSlabs(N: number, threads: number): Slabs {
  const size = Math.max(64, Math.ceil(N / (4 * threads) / 16) * 16);
  return { byRows: false, size, count: Math.ceil(N / size) };
}

/**
 * From this many multiply-adds a gemm is cut into one slab per thread: each slab packs all of B
 * (or A) again, and at 512³ the three extra packs per thread of 4 slabs cost 8% (two threads
 * 1.65-1.71x one, against 1.8-1.9x with one slab each, measured in one process on 2 idle cores).
 */
const ONE_SLAB_MACS = 1 << 26;

/**
 * Cuts C along its longer side into about 4 slabs per thread (1 for large gemms, above), on
 * micro-tile boundaries: small enough that a thread slowed by other work delays little, large
 * enough that re-packing B for each slab (O(K·N) next to the slab's O(rows·K·N)) stays cheap.
 */
export function slabs(j: GemmJob, threads: number, MR: number): Slabs {
  const byRows = j.M >= j.N;
  const len = byRows ? j.M : j.N;
  const tile = byRows ? MR : NR;
  const per = j.M * j.N * j.K >= ONE_SLAB_MACS ? 1 : 4; // slabs per thread
  const size = Math.max(tile * 8, Math.ceil(len / (per * threads) / tile) * tile);
  return { byRows, size, count: Math.ceil(len / size) };
}
