// The wasm product with a quantized weight behind Backend.quantGemm, y = x Ŵᵀ (assembly/quant.ts).
// The integer codes stay resident in wasm memory: the first product with a weight copies its
// codes, scales and zero points into one persistent block (heap.persistent), found again through
// a WeakMap keyed by the codes array, and given back when the weight is garbage collected. Copying
// a 124M model's weights on every token would cost more than the product saves. The weight is
// frozen: changing its codes in place after a product is not seen (make a new matrix instead).
// Without a shared memory (heap.persistent gives nothing) the codes are copied per call, still 4x
// (int8) or 8x (int4) fewer bytes than a float weight.
// A few rows of x (decode) take the kernels that read the codes; more rows (prefill) dequantize Ŵ
// once into scratch and reuse the float gemm, whose packing pays off when M is large. Threads
// split the output columns. Opt-in (int8Activations): x is quantized per row too and int8 weights
// multiply it in integers, faster but no longer equal to the reference (its own error bound).

import type { QuantGemmArgs, QuantMatrix } from '../backend-interface.js';
import { quantGemm as jsQuantGemm } from '../js/quant.js';
import { HeapFull, type WasmHeap } from './heap.js';
import { slabs, type GemmContext } from './gemm.js';
import type { GemmJob, QuantJob } from '../threads/pool.js';

/**
 * Up to this many rows of x the code-reading kernels beat dequantizing Ŵ then the packed gemm
 * (measured at 768x3072 on 2 cores: int8 kernel ~0.19 ms/row flat to M = 64; int4 doubles its
 * cost per row past 8 while dequantize + gemm falls to ~0.3 ms/row by M = 33).
 */
export const QGEMV_MAX_M = { int8: 64, int4: 8 };
/** Below this many multiply-adds the plain loop is as fast as the copies and the call. */
const MIN_WASM_MACS = 2048;
/** Below this many weights one thread is faster than waking the workers (bench/kernels.ts). */
const MIN_THREAD_WEIGHTS = 1 << 19;

/** Where a weight's codes, scales and zero points (0: none) live in wasm memory. */
interface Placed {
  q: number;
  s: number;
  z: number;
  /** The arrays copied (a matrix reusing the codes with other scales is placed anew). */
  from?: { scales: Float32Array; zeros: Uint8Array | null };
}

export interface QuantContext extends GemmContext {
  /**
   * Opt-in: int8 weights multiply x quantized per row to int8 (integer dot products, faster,
   * NOT equal to the reference: error up to max|x_i| / 254 · Σ_k |ŵ(j, k)|). Default false.
   */
  int8Activations: boolean;
  /** Weights placed in persistent wasm storage, by their codes array. */
  resident: WeakMap<object, Placed>;
  /** Gives a placed weight's storage back when its codes array is collected. */
  registry: FinalizationRegistry<Float32Array> | null;
}

export function newQuantContext(g: GemmContext, int8Activations = false): QuantContext {
  const registry =
    typeof FinalizationRegistry === 'function'
      ? new FinalizationRegistry<Float32Array>((block) => void g.heap.releasePersistent(block))
      : null;
  return { ...g, int8Activations, resident: new WeakMap(), registry };
}

function codesOf(w: QuantMatrix): Int8Array | Uint8Array {
  return 'q' in w ? w.q : w.packed;
}

const up16 = (n: number) => Math.ceil(n / 16) * 16;

/** Copies codes, scales and zero points into memory from `base` (laid out in that order). */
function place(heap: WasmHeap, w: QuantMatrix, base: number): Placed {
  const codes = codesOf(w);
  const q = base;
  const s = q + up16(codes.byteLength);
  const zeros = 'q' in w ? null : w.zeros;
  const z = zeros ? s + up16(w.scales.byteLength) : 0;
  const bytes = new Uint8Array(heap.memory.buffer);
  bytes.set(new Uint8Array(codes.buffer, codes.byteOffset, codes.byteLength), q);
  heap.f32(s, w.scales.length).set(w.scales);
  if (zeros) bytes.set(zeros, z);
  return { q, s, z };
}

function placedBytes(w: QuantMatrix): number {
  const zeros = 'q' in w ? null : w.zeros;
  return up16(codesOf(w).byteLength) + up16(w.scales.byteLength) + (zeros ? up16(zeros.byteLength) : 0);
}

/** The weight's resident copy, made on first use; null when the heap keeps no persistent storage. */
function resident(ctx: QuantContext, w: QuantMatrix): Placed | null {
  const key = codesOf(w);
  const zeros = 'q' in w ? null : w.zeros;
  // Already in this memory (quant/resident.ts put it there): read in place, no copy.
  const inPlace = (a: ArrayBufferView | null) => a === null || a.buffer === w.scales.buffer;
  if (ctx.heap.owns(w.scales) && inPlace(key) && inPlace(zeros))
    return { q: key.byteOffset, s: w.scales.byteOffset, z: zeros ? zeros.byteOffset : 0 };
  const known = ctx.resident.get(key);
  if (known && known.from?.scales === w.scales && known.from.zeros === zeros) return known;
  const block = ctx.heap.persistent(Math.ceil(placedBytes(w) / 4));
  if (!block) return null;
  const placed: Placed = { ...place(ctx.heap, w, block.byteOffset), from: { scales: w.scales, zeros } };
  ctx.resident.set(key, placed);
  ctx.registry?.register(key, block);
  return placed;
}

/** Whether the wasm kernels take this weight: int8, or int4 with groups of a multiple of 16. */
function fastLayout(w: QuantMatrix): boolean {
  return 'q' in w || w.groupSize % 16 === 0;
}

export function wasmQuantGemm(ctx: QuantContext, p: QuantGemmArgs, threads = Infinity): void {
  const { M, x, w, y } = p;
  const N = w.rows;
  const K = w.cols;
  if (
    !(x instanceof Float32Array && y instanceof Float32Array) ||
    !fastLayout(w) ||
    M * N * K < MIN_WASM_MACS
  ) {
    jsQuantGemm(p);
    return;
  }
  const { heap, kernels } = ctx;
  const kept = resident(ctx, w); // before the mark: persistent storage is refused inside a call
  const mark = heap.mark();
  try {
    let placed: Placed,
      xPtr: number,
      yPtr: number,
      deq = 0,
      split = 0,
      xq = 0,
      xt = 0;
    try {
      placed = kept ?? place(heap, w, heap.alloc(placedBytes(w)));
      xPtr = heap.input(x, p.xOffset, M * K);
      yPtr = heap.output(y, p.yOffset, M * N);
      // opt-in int8 activations serve every M, so that one model gives one set of numbers
      if ('q' in w && ctx.int8Activations) [xq, xt] = [heap.alloc(M * K * 2), heap.alloc(M * 4)];
      else if (M > ('q' in w ? QGEMV_MAX_M.int8 : QGEMV_MAX_M.int4)) deq = heap.alloc(N * K * 4);
      else if (!('q' in w) && w.groupSize % 32 === 0) split = heap.alloc(M * K * 4);
    } catch (err) {
      if (!(err instanceof HeapFull)) throw err;
      jsQuantGemm(p); // nothing written yet: the reference gives the same numbers
      return;
    }
    const n = Math.min(threads, ctx.pool ? ctx.pool.size : 1);
    if (deq) {
      // prefill: Ŵ (N, K) in float once, then the blocked gemm with B = Ŵ stored (N, K)
      if ('q' in w) kernels.dequantInt8(N, K, placed.q, placed.s, deq);
      else kernels.dequantInt4(N, K, w.groupSize, placed.q, placed.s, placed.z, deq);
      const job: GemmJob = {
        M,
        N,
        K,
        a: xPtr,
        rsA: K,
        csA: 1,
        b: deq,
        rsB: 1,
        csB: K,
        c: yPtr,
        ldc: N,
        work: ctx.workspace,
        acc: 0,
      };
      const run = (j: GemmJob) =>
        kernels.gemm(j.M, j.N, j.K, j.a, j.rsA, j.csA, j.b, j.rsB, j.csB, j.c, j.ldc, j.work, j.acc);
      if (n > 1 && ctx.pool) ctx.pool.run(job, slabs(job, n, kernels.gemmTileRows()), n, run);
      else run(job);
    } else {
      if (split) {
        // the kernel pairs low nibbles with x at even k, high ones with x at odd k: reorder x once
        kernels.int4SplitX(M, K, xPtr, K, split);
        xPtr = split;
      }
      if (xq) kernels.quantizeRowsInt8(M, K, xPtr, K, xq, xt); // opt-in: x in int8 too
      const job: QuantJob = {
        kind: xq ? 3 : 'q' in w ? 1 : 2,
        M,
        N,
        K,
        G: 'q' in w ? K : w.groupSize,
        x: xq || xPtr,
        ldx: K,
        q: placed.q,
        s: placed.s,
        z: placed.z,
        y: yPtr,
        ldy: N,
        t: xt,
      };
      const run = (j0: number, j1: number) => {
        const { x: jx, q, s, z } = job;
        if (job.kind === 1) kernels.qgemmInt8(M, K, jx, K, q, s, yPtr, N, j0, j1);
        else if (job.kind === 2) kernels.qgemmInt4(M, K, job.G, jx, K, q, s, z, yPtr, N, j0, j1);
        else kernels.qgemmInt8Q8(M, K, jx, xt, q, s, yPtr, N, j0, j1);
      };
      if (n > 1 && ctx.pool && N * K >= MIN_THREAD_WEIGHTS) {
        // about 4 slabs per thread, so a descheduled thread holds up little
        ctx.pool.runQuant(job, Math.max(16, Math.ceil(N / (4 * n) / 16) * 16), n, run);
      } else run(0, N);
    }
    heap.copyOut(yPtr, y, p.yOffset, M * N);
  } finally {
    heap.release(mark);
  }
}
